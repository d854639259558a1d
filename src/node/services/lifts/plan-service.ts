// The clearing plan of one node (docs/lifts.md §10): it takes part in plan epochs over /mychips/plan/1.0.0
// with its tally partners, runs the ε-relaxation node logic (core/lift/relax.ts) on its own tallies, and
// afterwards bounds the circular lifts through it by the planned units (claims), so that the lifts of
// many originators together stay within the plan instead of greedily taking lading the plan routes elsewhere.
//
// An epoch: a node that wants to clear starts one (a random id) and sends `join` to every partner; a node
// joins the first epoch it hears of (when none is in force) and passes the join on; the answers and joins
// tell both ends of a tally that the other takes part and its view of the free lading both ways (the plan
// uses the smaller). After the join time every member builds its arcs (free lading, giver's clutch ≤ 0, the
// partner a member) and pushes until the plan time ends; then the plan is frozen and bounds circular
// lifts for planLiftMs. Partners that never joined (offline, or not planning) are simply not in it.
import { toBase64url } from '../../../core/codec/base64url'
import { linkNonce } from '../../../core/lift/ids'
import { edgeLading } from '../../../core/lift/lading'
import { RelaxNode } from '../../../core/lift/relax'
import { otherSide } from '../../../core/tally/types'
import type { Network, PeerLink } from '../../net/network'
import type { Clock, Logger, Random, TimerHandle, Timers } from '../../ports'
import { sendPlan, servePlan, unservePlan, type PlanAnswer, type PlanMessage } from '../../protocols/plan'
import type { ClearingPlan, LedgerTally, LiftConfig, LiftLedger } from './contracts'
import { UnknownLinkError } from './errors'

export interface PlanServiceDeps {
  network: Network
  ledger: LiftLedger
  clock: Clock
  timers: Timers
  random: Random
  logger: Logger
  config: Pick<LiftConfig, 'planMs' | 'planJoinMs' | 'planLiftMs' | 'planHoldMs'>
  addrsOf?: (peerId: string) => readonly string[]
}

export const DEFAULT_PLAN_JOIN_MS = 2_000
export const DEFAULT_PLAN_LIFT_MS = 60_000
/** How long a loop reservation holds planned units after the session's last one, ms (until its lift claims them). */
export const DEFAULT_PLAN_HOLD_MS = 20_000

/** Plan messages of this node since it started (the simulator sums them). */
export interface PlanCounters {
  sent: number
  received: number
  pushes: number
  refused: number
  epochs: number
}

interface Epoch {
  id: string
  startAt: number
  until: number
  /** linkNonce(tally, epoch) → tally id, and back. */
  tallyOfLink: Map<string, string>
  linkOfTally: Map<string, string>
  /** Partners known to be in the epoch, per tally: their view of the free lading (give: they give to me). */
  members: Map<string, { give: number, take: number }>
  node?: RelaxNode
  /** The plan time is over: no more pushes, and the plan bounds lifts. */
  frozen: boolean
  settled: Promise<void>
  resolve: () => void
  timers: TimerHandle[]
}

export class PlanService implements ClearingPlan {
  readonly counters: PlanCounters = { sent: 0, received: 0, pushes: 0, refused: 0, epochs: 0 }
  #epoch: Epoch | undefined
  #running = false
  /** Claimed planned units: lift → tally → units. */
  readonly #claims = new Map<string, Map<string, number>>()
  readonly #claimed = new Map<string, number>()
  /** Planned units held for walks: session → tally → units (released after planHoldMs), and per tally. */
  readonly #holds = new Map<string, { tallies: Map<string, number>, timer: TimerHandle | undefined }>()
  readonly #held = new Map<string, number>()

  constructor (private readonly d: PlanServiceDeps) {}

  get #planMs (): number { return this.d.config.planMs ?? 0 }
  get #joinMs (): number { return this.d.config.planJoinMs ?? DEFAULT_PLAN_JOIN_MS }
  get #liftMs (): number { return this.d.config.planLiftMs ?? DEFAULT_PLAN_LIFT_MS }

  start (): void {
    if (this.#running) return
    this.#running = true
    servePlan(this.d.network, async (m, from) => await this.#serve(m, from))
  }

  stop (): void {
    if (!this.#running) return
    this.#running = false
    unservePlan(this.d.network)
    const e = this.#epoch
    if (e !== undefined) {
      for (const t of e.timers) this.d.timers.clearTimeout(t)
      e.resolve()
    }
  }

  /** The epoch under way or in force, if any (an epoch's plan bounds lifts until until + planLiftMs). */
  #current (now = this.d.clock.now()): Epoch | undefined {
    const e = this.#epoch
    return e !== undefined && now < e.until + this.#liftMs ? e : undefined
  }

  async settle (): Promise<void> {
    if (!this.#running || this.#planMs <= 0) return
    const now = this.d.clock.now()
    const running = this.#current(now)
    // A plan whose pushes are over but still in force is used as it is; a fresh one is started only after.
    if (running === undefined) this.#spread(this.#begin(toBase64url(this.d.random.bytes(32)), now + this.#joinMs, now + this.#joinMs + this.#planMs), undefined)
    // Until the epoch this node is in settles (it may give way to an earlier one meanwhile).
    for (;;) {
      const e = this.#epoch
      if (e === undefined || !this.#running) return
      await e.settled
      if (this.#epoch === e) return
    }
  }

  inForce (): boolean {
    const e = this.#current()
    return e !== undefined && e.frozen && e.node !== undefined
  }

  left (tally: string): number | undefined {
    if (!this.inForce()) return undefined
    return Math.max(0, this.#epoch!.node!.plannedOut(tally) - (this.#claimed.get(tally) ?? 0) - (this.#held.get(tally) ?? 0))
  }

  unclaimed (tally: string): number | undefined {
    if (!this.inForce()) return undefined
    return Math.max(0, this.#epoch!.node!.plannedOut(tally) - (this.#claimed.get(tally) ?? 0))
  }

  hold (session: string, tally: string, units: number): void {
    const left = this.left(tally)
    if (left === undefined || units <= 0) return
    const take = Math.min(units, left)
    let h = this.#holds.get(session)
    if (h === undefined) {
      h = { tallies: new Map(), timer: undefined }
      this.#holds.set(session, h)
    }
    h.tallies.set(tally, (h.tallies.get(tally) ?? 0) + take)
    this.#held.set(tally, (this.#held.get(tally) ?? 0) + take)
    if (h.timer !== undefined) this.d.timers.clearTimeout(h.timer)
    h.timer = this.d.timers.setTimeout(() => { this.#unhold(session) }, this.d.config.planHoldMs ?? DEFAULT_PLAN_HOLD_MS)
  }

  unhold (session: string, tally: string): void {
    const h = this.#holds.get(session)
    const units = h?.tallies.get(tally)
    if (h === undefined || units === undefined) return
    h.tallies.delete(tally)
    this.#held.set(tally, Math.max(0, (this.#held.get(tally) ?? 0) - units))
  }

  #unhold (session: string): void {
    const h = this.#holds.get(session)
    if (h === undefined) return
    this.#holds.delete(session)
    if (h.timer !== undefined) this.d.timers.clearTimeout(h.timer)
    for (const [tally, units] of h.tallies) this.#held.set(tally, Math.max(0, (this.#held.get(tally) ?? 0) - units))
  }

  /** Planned units on a tally where my partner gives to me; undefined when no plan is in force. */
  incoming (tally: string): number | undefined {
    if (!this.inForce()) return undefined
    const node = this.#epoch!.node!
    const i = node.arcOf(tally)
    const a = i === undefined ? undefined : node.arcs[i]
    return a !== undefined && !a.out ? a.x : 0
  }

  claim (lift: string, tally: string, units: number, session?: string): boolean {
    const left = this.left(tally)
    if (left === undefined) return true
    const mine = this.#claims.get(lift)
    if (mine?.has(tally) === true) return true
    // The session's own hold first, then what nobody holds.
    const h = session === undefined ? undefined : this.#holds.get(session)
    const held = Math.min(units, h?.tallies.get(tally) ?? 0)
    if (units - held > left) return false
    // The session's loop has come through here: the rest of its hold on this tally goes back.
    const all = h?.tallies.get(tally)
    if (h !== undefined && all !== undefined) {
      h.tallies.delete(tally)
      this.#held.set(tally, Math.max(0, (this.#held.get(tally) ?? 0) - all))
    }
    const m = mine ?? new Map<string, number>()
    m.set(tally, units)
    this.#claims.set(lift, m)
    this.#claimed.set(tally, (this.#claimed.get(tally) ?? 0) + units)
    return true
  }

  release (lift: string): void {
    const mine = this.#claims.get(lift)
    if (mine === undefined) return
    this.#claims.delete(lift)
    for (const [tally, units] of mine) this.#claimed.set(tally, Math.max(0, (this.#claimed.get(tally) ?? 0) - units))
  }

  // ---- epochs ----

  #begin (id: string, startAt: number, until: number): Epoch {
    const old = this.#epoch
    if (old !== undefined) { for (const t of old.timers) this.d.timers.clearTimeout(t); old.resolve() }
    this.#claims.clear()
    this.#claimed.clear()
    for (const session of [...this.#holds.keys()]) this.#unhold(session)
    let resolve!: () => void
    const settled = new Promise<void>(r => { resolve = r })
    const e: Epoch = { id, startAt, until, tallyOfLink: new Map(), linkOfTally: new Map(), members: new Map(), frozen: false, settled, resolve, timers: [] }
    for (const t of this.d.ledger.tallies()) {
      const link = linkNonce(t.id, id)
      e.tallyOfLink.set(link, t.id)
      e.linkOfTally.set(t.id, link)
    }
    const now = this.d.clock.now()
    e.timers.push(this.d.timers.setTimeout(() => { this.#startPushing(e) }, Math.max(0, startAt - now)))
    e.timers.push(this.d.timers.setTimeout(() => { this.#freeze(e) }, Math.max(0, until - now)))
    this.#epoch = e
    this.counters.epochs++
    this.d.logger.log('debug', 'plan.epoch', { startInMs: startAt - now, planMs: until - startAt })
    return e
  }

  /** My free lading on a tally both ways (0 where the giver charges a fee: circular lifts never take those edges). */
  #views (t: LedgerTally): { give: number, take: number } {
    const mine = edgeLading(t.state, t.side)
    const theirs = edgeLading(t.state, otherSide(t.side))
    return { give: mine.clutch > 0 ? 0 : mine.free, take: theirs.clutch > 0 ? 0 : theirs.free }
  }

  /** Sends join to every partner except the one it came from (their answers make them members). */
  #spread (e: Epoch, via: string | undefined): void {
    const now = this.d.clock.now()
    for (const t of this.d.ledger.tallies()) {
      if (t.id === via || t.partner.peers.length === 0) continue
      const views = this.#views(t)
      const message: PlanMessage = {
        v: 1, t: 'join', epoch: e.id, link: e.linkOfTally.get(t.id) ?? linkNonce(t.id, e.id),
        startInMs: Math.max(0, e.startAt - now), planMs: e.until - e.startAt, give: views.give, take: views.take
      }
      void this.#send(t, message).then(answer => {
        if (answer?.ok === true && this.#epoch === e) this.#member(e, t.id, { give: answer.give ?? 0, take: answer.take ?? 0 })
      })
    }
  }

  #member (e: Epoch, tally: string, views: { give: number, take: number }): void {
    const had = e.members.get(tally)
    e.members.set(tally, had === undefined ? views : { give: Math.min(had.give, views.give), take: Math.min(had.take, views.take) })
  }

  /** Builds the arcs (members only, the smaller view of both ends) and starts pushing. */
  #startPushing (e: Epoch): void {
    if (e.node !== undefined || this.#epoch !== e || !this.#running) return
    const arcs: Array<{ tally: string, out: boolean, cap: number }> = []
    for (const t of this.d.ledger.tallies()) {
      const theirs = e.members.get(t.id)
      if (theirs === undefined) continue
      const mine = this.#views(t)
      // Their "take" is what I give them; their "give" is what I take.
      const give = Math.min(mine.give, theirs.take)
      const take = Math.min(mine.take, theirs.give)
      // A tally is one edge in a plan (the generator and real trading variables leave at most one way free).
      if (give > 0 && give >= take) arcs.push({ tally: t.id, out: true, cap: give })
      else if (take > 0) arcs.push({ tally: t.id, out: false, cap: take })
    }
    e.node = new RelaxNode(arcs)
    this.#wake(e)
  }

  #freeze (e: Epoch): void {
    if (this.#epoch !== e) return
    if (e.node === undefined) this.#startPushing(e)
    e.frozen = true
    const node = e.node
    this.d.logger.log('debug', 'plan.frozen', { surplus: node?.surplus ?? 0, price: node?.price ?? 0, arcs: node?.arcs.length ?? 0 })
    e.resolve()
  }

  /** One relaxation step: pushes out, price notes to the partners that get no push. */
  #wake (e: Epoch): void {
    const node = e.node
    if (node === undefined || e.frozen || !this.#running) return
    const step = node.step()
    const pushed = new Set<string>()
    for (const p of step.pushes) {
      pushed.add(p.tally)
      this.counters.pushes++
      const t = this.d.ledger.tally(p.tally)
      const link = e.linkOfTally.get(p.tally)
      if (t === undefined || link === undefined) { node.answered(p.arc, false, node.arcs[p.arc]!.partnerPrice); continue }
      void this.#send(t, { v: 1, t: 'push', epoch: e.id, link, delta: p.delta, price: p.price }).then(answer => {
        if (this.#epoch !== e) return
        if (answer === undefined) {
          // Unreachable: the partner's planned units are unknown; keep mine (refused) and stop planning on it.
          node.answered(p.arc, false, node.arcs[p.arc]!.partnerPrice)
          return
        }
        if (!answer.ok) this.counters.refused++
        node.answered(p.arc, answer.ok, answer.price)
        this.#wake(e)
      })
    }
    if (step.raisedTo === undefined) return
    for (const a of node.arcs) {
      if (pushed.has(a.tally)) continue
      const t = this.d.ledger.tally(a.tally)
      const link = e.linkOfTally.get(a.tally)
      if (t === undefined || link === undefined) continue
      void this.#send(t, { v: 1, t: 'price', epoch: e.id, link, price: step.raisedTo }).then(answer => {
        if (answer !== undefined && this.#epoch === e) {
          const i = node.arcOf(a.tally)
          if (i !== undefined) { node.heard(i, answer.price); this.#wake(e) }
        }
      })
    }
  }

  async #send (t: LedgerTally, message: PlanMessage): Promise<PlanAnswer | undefined> {
    for (const peer of t.partner.peers) {
      if (peer === this.d.network.peerId) continue
      this.counters.sent++
      try {
        const addrs = this.d.addrsOf?.(peer)
        return await sendPlan(this.d.network, peer, message, addrs !== undefined && addrs.length > 0 ? { addrs } : {})
      } catch (err) {
        this.d.logger.log('debug', 'plan.send-failed', { t: message.t, code: (err as { code?: unknown }).code ?? 'INTERNAL' })
      }
    }
    return undefined
  }

  // ---- a partner's message ----

  async #serve (m: PlanMessage, from: PeerLink): Promise<PlanAnswer> {
    this.counters.received++
    const now = this.d.clock.now()
    let e = this.#epoch
    if (m.t === 'join' && m.epoch !== e?.id && this.#adopts(m.epoch, now)) {
      // The first epoch heard of while none is in force, or one that wins over mine before mine started
      // pushing (several nodes may start one at once): join it and pass it on.
      e = this.#begin(m.epoch, now + m.startInMs, now + m.startInMs + m.planMs)
      const t = this.#tallyOf(e, m.link, from.peerId)
      this.#member(e, t.id, { give: m.give, take: m.take })
      this.#spread(e, t.id)
      return { v: 1, ok: true, price: 0, ...this.#views(t) }
    }
    if (e === undefined || e.id !== m.epoch) return { v: 1, ok: false, price: e?.node?.price ?? 0 }
    const t = this.#tallyOf(e, m.link, from.peerId)
    if (m.t === 'join') {
      this.#member(e, t.id, { give: m.give, take: m.take })
      return { v: 1, ok: true, price: e.node?.price ?? 0, ...this.#views(t) }
    }
    // A push or price before my own start (clocks and paths differ a little): start now.
    if (e.node === undefined && !e.frozen && e.members.has(t.id)) this.#startPushing(e)
    const node = e.node
    const arc = node?.arcOf(t.id)
    if (node === undefined || arc === undefined) return { v: 1, ok: false, price: node?.price ?? 0 }
    if (m.t === 'price') {
      node.heard(arc, m.price)
      this.#wake(e)
      return { v: 1, ok: true, price: node.price }
    }
    // Pushes stop with the plan time: a late one is refused, so both ends keep the same planned units.
    const ok = !e.frozen && node.receive(arc, m.delta, m.price)
    if (ok) this.#wake(e)
    return { v: 1, ok, price: node.price }
  }

  /** Whether a join of another epoch replaces what this node has. */
  #adopts (id: string, now: number): boolean {
    const e = this.#current(now)
    if (e === undefined) return true
    if (e.node !== undefined || e.frozen) return false
    // The smallest id wins: every member of a losing epoch switches as the winner's joins reach it, well
    // within the join time (start times cannot decide: each hop makes an epoch look later than it is).
    return id < e.id
  }

  /** The tally a message came over: one this node shares with the sender, named by the epoch's link. */
  #tallyOf (e: Epoch, link: string, peerId: string): LedgerTally {
    const id = e.tallyOfLink.get(link)
    const t = id === undefined ? undefined : this.d.ledger.tally(id)
    if (t === undefined || !t.partner.peers.includes(peerId)) throw new UnknownLinkError()
    return t
  }
}
