// Route plans (docs/lifts.md §4): pure helpers the route service uses to compose and prune answers and the
// lift service uses to pick a plan and build the record's legs. Deterministic: equal inputs, equal picks.
import { MalformedError } from '../errors'
import { FeeTooHighError, NoRouteError } from './errors'
import { legUnits, routeFee } from './fees'
import type { LiftLeg, RoutePlan } from './types'

/** The session keys a plan names, in order (the receivers of its hops). */
export function planKeys (plan: RoutePlan): string[] {
  return plan.hops.map(h => h.key)
}

/** A plan names one key (or one link) twice, or names one of `extraKeys` (e.g. the answering node's own key). */
export function hasLoop (plan: RoutePlan, extraKeys: readonly string[] = []): boolean {
  const keys = new Set(extraKeys)
  const links = new Set<string>()
  for (const h of plan.hops) {
    if (keys.has(h.key) || links.has(h.link)) return true
    keys.add(h.key)
    links.add(h.link)
  }
  return false
}

/** The least free lading on the plan (+∞ for the empty plan of a target). */
export function bottleneck (plan: RoutePlan): number {
  let min = Number.POSITIVE_INFINITY
  for (const h of plan.hops) if (h.free < min) min = h.free
  return min
}

function compareLinks (a: RoutePlan, b: RoutePlan): number {
  const n = Math.min(a.hops.length, b.hops.length)
  for (let i = 0; i < n; i++) {
    const x = a.hops[i]!.link
    const y = b.hops[i]!.link
    if (x !== y) return x < y ? -1 : 1
  }
  if (a.hops.length !== b.hops.length) return a.hops.length - b.hops.length
  // Same links: order by the rest, so that the order is total and the input order never matters.
  const x = JSON.stringify(a.hops.map(h => [h.key, h.free, h.clutch]))
  const y = JSON.stringify(b.hops.map(h => [h.key, h.free, h.clutch]))
  return x < y ? -1 : x > y ? 1 : 0
}

/** The total order of plans: bottleneck free descending, then fewer hops, then links lexicographically (then keys, free, clutch). */
export function comparePlans (a: RoutePlan, b: RoutePlan): number {
  const fa = bottleneck(a)
  const fb = bottleneck(b)
  if (fa !== fb) return fa > fb ? -1 : 1
  if (a.hops.length !== b.hops.length) return a.hops.length - b.hops.length
  return compareLinks(a, b)
}

/** The best `max` plans in comparePlans order; a plan repeating another's links is kept once. */
export function bestPlans (plans: readonly RoutePlan[], max: number): RoutePlan[] {
  const sorted = [...plans].sort(comparePlans)
  const out: RoutePlan[] = []
  const seen = new Set<string>()
  for (const plan of sorted) {
    if (out.length >= max) break
    const id = JSON.stringify(plan.hops.map(h => h.link))
    if (seen.has(id)) continue
    seen.add(id)
    out.push(plan)
  }
  return out
}

export interface CircularPick { plan: RoutePlan, units: number }

/**
 * The circular plan with the best "bang" (units × legs), where no hop charges a fee (every clutch ≤ 0,
 * research scenario 23) and units = its bottleneck free ≥ minUnits (and ≥ 1). Ties: comparePlans order.
 */
export function pickCircular (plans: readonly RoutePlan[], minUnits: number): CircularPick | undefined {
  let best: CircularPick | undefined
  let bestBang = 0
  for (const plan of [...plans].sort(comparePlans)) {
    if (plan.hops.length < 2 || plan.hops.some(h => h.clutch > 0)) continue
    const units = bottleneck(plan)
    if (units < Math.max(1, minUnits)) continue
    const bang = units * plan.hops.length
    if (bang > bestBang) {
      best = { plan, units }
      bestBang = bang
    }
  }
  return best
}

export interface LinearPick { plan: RoutePlan, units: number[], fee: number }

/** Every linear plan that carries `amount` to the payee: leg units from the hops' clutches, every hop free ≥ its units. Least fee, then fewer hops, then comparePlans. */
export function linearOptions (plans: readonly RoutePlan[], amount: number): LinearPick[] {
  const out: LinearPick[] = []
  for (const plan of plans) {
    if (plan.hops.length === 0) continue
    const units = legUnits(amount, plan.hops.map(h => h.clutch))
    if (plan.hops.some((h, k) => h.free < units[k]!)) continue
    out.push({ plan, units, fee: routeFee(units) })
  }
  return out.sort((a, b) => a.fee - b.fee || a.plan.hops.length - b.plan.hops.length || comparePlans(a.plan, b.plan))
}

/** The cheapest linear plan for `amount` within `maxFee` (when given), or undefined. */
export function pickLinear (plans: readonly RoutePlan[], amount: number, maxFee?: number): LinearPick | undefined {
  const best = linearOptions(plans, amount)[0]
  return best === undefined || (maxFee !== undefined && best.fee > maxFee) ? undefined : best
}

/** pickLinear, refusing by name: NoRouteError when no plan carries `amount`, FeeTooHighError when the cheapest costs more than maxFee. */
export function chooseLinear (plans: readonly RoutePlan[], amount: number, maxFee?: number): LinearPick {
  const best = linearOptions(plans, amount)[0]
  if (best === undefined) throw new NoRouteError(`no route carries ${amount} units`)
  if (maxFee !== undefined && best.fee > maxFee) throw new FeeTooHighError(best.fee, maxFee)
  return best
}

/** The legs of a lift record from a plan and its leg units. */
export function recordLegs (plan: RoutePlan, units: readonly number[]): LiftLeg[] {
  if (units.length !== plan.hops.length) throw new MalformedError(`${units.length} leg units for a plan of ${plan.hops.length} hops`)
  return plan.hops.map((h, k) => ({ link: h.link, units: units[k]!, key: h.key }))
}
