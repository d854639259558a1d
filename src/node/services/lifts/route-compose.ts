// Composing a node's routes from its partners' answers (docs/lifts.md §4): each answer's plans get the hop
// to that partner prepended, routes that loop are dropped, and the best few are kept. Pure: the same
// answers give the same plans, in the same order.
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
  /** Least free lading on every hop. */
  units: number
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
      if (tail.some(h => h.free < o.units)) continue
      const plan = { hops: [hop, ...tail] }
      if (!loopFree(plan, o)) continue
      candidates.push(plan)
    }
  }
  return bestPlans(candidates, o.maxPlans)
}

function loopFree (plan: RoutePlan, o: ComposeOptions): boolean {
  const last = plan.hops[plan.hops.length - 1]!
  if (o.circularOrigin && last.key === o.ownKey) {
    const body = plan.hops.slice(0, -1)
    return !hasLoop({ hops: body }, [o.ownKey]) && !body.some(h => h.link === last.link)
  }
  return !hasLoop(plan, [o.ownKey])
}
