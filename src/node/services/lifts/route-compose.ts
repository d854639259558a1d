// Composing a node's routes from its partners' answers (docs/lifts.md §4): each answer's plans get the hop
// to that partner prepended, routes that loop are dropped, and the best few are kept. Pure: the same
// answers give the same plans, in the same order.
import { legUnits } from '../../../core/lift/fees'
import { bestPlans, hasLoop } from '../../../core/lift/plan'
import type { RouteAnswer, RouteHop, RoutePlan } from '../../../core/lift/types'

/** One partner's answer, with the edge from this node to that partner. */
export interface ChildAnswer {
  /** linkNonce of the tally this node gives to the partner on. */
  link: string
  /** This node's free lading and clutch on that edge. */
  free: number
  clutch: number
  answer: RouteAnswer
}

export interface ComposeOptions {
  /**
   * Circular: the least free lading on every hop. Linear: what the payee receives; each hop then needs free
   * lading for its own leg's units, which grow toward the payer by each intermediary's clutch fee (or shrink
   * by a rebate, clutch < 0): docs/lifts.md §3.
   */
  units: number
  /** A linear session (fee-aware hop check); default circular. */
  linear?: boolean
  /** Longest plan this node may answer with (its query's depth − 1). */
  maxHops: number
  /** This node's session key: a plan naming it passes this node twice. */
  ownKey: string
  /** This node started a circular discovery: its own key may (only) end a plan. */
  circularOrigin: boolean
  maxPlans: number
}

export function composePlans (children: readonly ChildAnswer[], o: ComposeOptions): RoutePlan[] {
  const candidates: RoutePlan[] = []
  for (const child of children) {
    const hop: RouteHop = { link: child.link, key: child.answer.key, free: child.free, clutch: child.clutch }
    // A target ends the route here, whatever else it sent.
    const tails = child.answer.target === true ? [[]] : child.answer.plans.map(p => p.hops)
    for (const tail of tails) {
      // Only a target may end a route: an empty plan from anyone else is not a route.
      if (tail.length === 0 && child.answer.target !== true) continue
      if (tail.length + 1 > o.maxHops) continue
      const plan = { hops: [hop, ...tail] }
      if (!carries(plan, o)) continue
      if (!loopFree(plan, o)) continue
      candidates.push(plan)
    }
  }
  return bestPlans(candidates, o.maxPlans)
}

/**
 * Every hop has the free lading its leg needs. Linear plans are checked at their own leg units, so that a
 * plan the payer could not use (a fee on the way makes a leg too big) never takes one of the maxPlans places,
 * and one whose rebates make a leg smaller than the payment is kept.
 */
function carries (plan: RoutePlan, o: ComposeOptions): boolean {
  if (o.linear !== true) return plan.hops.every(h => h.free >= o.units)
  const units = legUnits(o.units, plan.hops.map(h => h.clutch))
  return plan.hops.every((h, k) => h.free >= units[k]!)
}

function loopFree (plan: RoutePlan, o: ComposeOptions): boolean {
  const last = plan.hops[plan.hops.length - 1]!
  if (o.circularOrigin && last.key === o.ownKey) {
    const body = plan.hops.slice(0, -1)
    return !hasLoop({ hops: body }, [o.ownKey]) && !body.some(h => h.link === last.link)
  }
  return !hasLoop(plan, [o.ownKey])
}
