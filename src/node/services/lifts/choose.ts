// Choosing a plan from a discovery (docs/lifts.md §3–§4): circular lifts clear the bottleneck's free
// lading on a route whose every clutch is ≤ 0; linear payments take the least fee, then the fewest hops.
import { legUnits, routeFee } from '../../../core/lift/fees'
import type { RoutePlan } from '../../../core/lift/types'

export interface ChosenPlan {
  plan: RoutePlan
  /** Units of every leg, the originator's first. */
  units: number[]
  fee: number
}

export function chooseCircular (plans: readonly RoutePlan[], minUnits: number, maxUnits = Number.POSITIVE_INFINITY): ChosenPlan | undefined {
  let best: { chosen: ChosenPlan, score: number } | undefined
  for (const plan of plans) {
    if (plan.hops.length < 2 || plan.hops.some(h => h.clutch > 0)) continue
    const units = Math.min(maxUnits, ...plan.hops.map(h => h.free))
    if (!Number.isSafeInteger(units) || units < minUnits) continue
    // The "bang": debt cleared = units × legs; ties go to the shorter route.
    const score = units * plan.hops.length
    if (best === undefined || score > best.score || (score === best.score && plan.hops.length < best.chosen.plan.hops.length)) {
      best = { chosen: { plan, units: plan.hops.map(() => units), fee: 0 }, score }
    }
  }
  return best?.chosen
}

export function chooseLinear (plans: readonly RoutePlan[], amount: number): ChosenPlan | undefined {
  let best: ChosenPlan | undefined
  for (const plan of plans) {
    if (plan.hops.length < 1) continue
    const units = legUnits(amount, plan.hops.map(h => h.clutch))
    if (plan.hops.some((h, k) => h.free < units[k]!)) continue
    const fee = routeFee(units)
    if (best === undefined || fee < best.fee || (fee === best.fee && plan.hops.length < best.plan.hops.length)) best = { plan, units, fee }
  }
  return best
}
