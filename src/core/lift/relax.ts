// The clearing plan's node logic (docs/lifts.md §10): distributed ε-relaxation (Bertsekas) for the maximum
// circulation within free lading, run by every node over its own tallies only.
//
// Lifts only lower debts, so lifting cycles one at a time is a greedy choice that cannot be undone; with a
// whole view of the network greedy lifting reaches 66–76 % of the maximum (docs/lifts.md §9). The plan is
// tentative flow that can be undone: each node holds a price, every tally edge it gives or receives on is an
// arc of cost −COST per unit, and the planned units on the arcs move by pushes between partners until no
// node has surplus. Prices keep ε-complementary slackness (ε = EPS): an arc with room has
// p(giver) − p(receiver) ≤ −COST + EPS and an arc with planned units has it ≥ −COST − EPS, so the plan ends
// within n·EPS/COST of the optimum per unit of cost (COST = 2, EPS = 1 reached 99.8 % of the exact maximum on
// the bench's 1,000-user network in a central model; a finer ε costs many more rounds).
//
// Asynchronous: a node pushes with the prices its partners last told it. Prices only rise, so a partner's
// real price is at least the one known; a push that would break slackness with the receiver's current price
// is refused by the receiver (with that price), the sender's surplus comes back, and it tries again. Both
// ends of an arc change its planned units only by deltas they agree on (a push is applied by the sender
// when accepted, by the receiver when it accepts), so both hold the same planned units once quiet.
//
// Pure: no clock, no I/O; the plan service (src/node/services/lifts/plan-service.ts) carries the messages.

/** Cost of one unit planned on one arc, scaled (−COST); see EPS. */
export const PLAN_COST = 2
/** ε of the slackness conditions, in the same scale. */
export const PLAN_EPS = 1

/** One tally edge of this node: it gives on it (out) or its partner gives to it (in). */
export interface PlanArc {
  tally: string
  out: boolean
  /** Free lading of the edge when the plan started (the giver's clutch ≤ 0): the most the plan may route. */
  cap: number
  /** Planned units, as agreed with the partner. */
  x: number
  /** My push on this arc awaiting the partner's answer: its change of x (0: none). */
  inflight: number
  /** The partner's price, as last heard (0 until heard: every price starts at 0). */
  partnerPrice: number
}

/** A push this node sends: move `units` of its surplus to the partner over `arc` (x changes by `delta`). */
export interface PlanPush {
  arc: number
  tally: string
  delta: number
  units: number
  /** My price when I pushed (the receiver checks slackness with it). */
  price: number
}

export interface PlanStep {
  pushes: PlanPush[]
  /** Set when my price rose: every partner not receiving a push should hear it. */
  raisedTo?: number
}

export class RelaxNode {
  price = 0
  readonly arcs: PlanArc[]
  readonly #byTally = new Map<string, number>()

  /**
   * At price 0 everywhere every arc of negative cost must be full (slackness), so the plan starts with every
   * arc at its capacity: the node's surplus is what it would receive minus what it would give.
   */
  constructor (arcs: ReadonlyArray<{ tally: string, out: boolean, cap: number }>) {
    this.arcs = arcs.map(a => ({ tally: a.tally, out: a.out, cap: a.cap, x: a.cap, inflight: 0, partnerPrice: 0 }))
    this.arcs.forEach((a, i) => { this.#byTally.set(a.tally, i) })
  }

  arcOf (tally: string): number | undefined { return this.#byTally.get(tally) }

  /** Units received minus units given, less what is in flight to partners. */
  get surplus (): number {
    let g = 0
    for (const a of this.arcs) {
      g += a.out ? -a.x : a.x
      g -= Math.abs(a.inflight)
    }
    return g
  }

  /** Room to push on an arc: more on an out-arc, less on an in-arc (nothing while a push is in flight). */
  #room (a: PlanArc): number {
    if (a.inflight !== 0) return 0
    return a.out ? a.cap - a.x : a.x
  }

  /** Whether the arc can take a push at these prices (ε+-unblocked out-arc, ε−-unblocked in-arc). */
  #admissible (a: PlanArc, price: number): boolean {
    return a.out ? price >= a.partnerPrice - PLAN_COST + PLAN_EPS : price >= a.partnerPrice + PLAN_COST + PLAN_EPS
  }

  /**
   * The price at which the next arc opens (the lowest over arcs with room), undefined when none has room. An
   * arc with a push in flight counts with its room before the push: raising past it would break slackness
   * on it whichever way the partner answers.
   */
  #nextLevel (): number | undefined {
    let m: number | undefined
    for (const a of this.arcs) {
      if ((a.out ? a.cap - a.x : a.x) <= 0) continue
      const level = a.out ? a.partnerPrice - PLAN_COST + PLAN_EPS : a.partnerPrice + PLAN_COST + PLAN_EPS
      if (m === undefined || level < m) m = level
    }
    return m
  }

  /** Pushes what surplus the admissible arcs take; raises the price when none does (once per step). */
  step (): PlanStep {
    const pushes: PlanPush[] = []
    let raisedTo: number | undefined
    let left = this.surplus
    const push = (): void => {
      for (let i = 0; i < this.arcs.length && left > 0; i++) {
        const a = this.arcs[i]!
        const room = this.#room(a)
        if (room <= 0 || !this.#admissible(a, this.price)) continue
        const units = Math.min(left, room)
        a.inflight = a.out ? units : -units
        left -= units
        pushes.push({ arc: i, tally: a.tally, delta: a.inflight, units, price: this.price })
      }
    }
    if (left <= 0) return { pushes }
    push()
    if (left > 0) {
      const level = this.#nextLevel()
      if (level !== undefined && level > this.price) {
        this.price = level
        raisedTo = level
        push()
      }
    }
    return raisedTo === undefined ? { pushes } : { pushes, raisedTo }
  }

  /** The partner's answer to my push: applied when accepted, surplus back when refused. */
  answered (arc: number, accepted: boolean, partnerPrice: number): void {
    const a = this.arcs[arc]
    if (a === undefined) return
    if (accepted) a.x += a.inflight
    a.inflight = 0
    this.heard(arc, partnerPrice)
  }

  /** A partner's price (prices only rise: an older, lower one is ignored). */
  heard (arc: number, partnerPrice: number): void {
    const a = this.arcs[arc]
    if (a !== undefined && partnerPrice > a.partnerPrice) a.partnerPrice = partnerPrice
  }

  /**
   * A partner's push over `arc`: x changes by `delta` (its sign seen from the arc: + when the giver plans more).
   * Accepted when it keeps the arc within [0, cap] and slackness holds with my current price.
   */
  receive (arc: number, delta: number, partnerPrice: number): boolean {
    const a = this.arcs[arc]
    if (a === undefined) return false
    this.heard(arc, partnerPrice)
    const x = a.x + delta
    if (x < 0 || x > a.cap) return false
    // Slackness on the arc giver → receiver for the direction x moves: more planned needs
    // p(giver) − p(receiver) ≥ −COST − EPS, less planned needs it ≤ −COST + EPS. The sender checked a stricter
    // form with my price as it knew it; my price may have risen since. (Only these: a refusal teaches the
    // sender my price, after which it no longer pushes, so refusals cannot repeat forever.)
    const diff = a.out ? this.price - partnerPrice : partnerPrice - this.price
    if (delta > 0 && diff < -PLAN_COST - PLAN_EPS) return false
    if (delta < 0 && diff > -PLAN_COST + PLAN_EPS) return false
    a.x = x
    return true
  }

  /** Units this node plans to give on a tally (0 on an in-arc or an unknown tally). */
  plannedOut (tally: string): number {
    const i = this.#byTally.get(tally)
    const a = i === undefined ? undefined : this.arcs[i]
    return a?.out === true ? a.x : 0
  }
}
