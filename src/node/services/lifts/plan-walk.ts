// Lifting a frozen clearing plan (docs/lifts.md §10, /mychips/plan-walk/1.0.0): walks that follow planned
// units and cut off every loop they close as a circular lift.
//
// A frozen plan is (nearly) a circulation: a node with planned units coming in has planned units going out,
// so a walk that leaves over planned edges never needs to search, and it keeps closing loops: when it
// reaches a node already on its route, that node lifts the loop (it is the originator of a circular lift on
// exactly that cycle, with the walk's session keys and links) and walks on with the route as it was before
// the loop. Every loop is a cycle of the plan, so the lifts together decompose the plan instead of competing
// greedily for lading; the engine's plan claims keep concurrent lifts within it.
// A walk costs one small message per hop, whatever the network's size: the route lives in the nodes on it
// (each remembers its visits: where the walk came from and went on), the message names only the visits and
// the units planned on the edges between them, and a node works out its session key and hop only when a
// loop it is on is reserved. Routes longer than MAX_HOPS slide (the oldest node drops off the route).
import { toBase64url } from '../../../core/codec/base64url'
import { linkNonce } from '../../../core/lift/ids'
import { edgeLading } from '../../../core/lift/lading'
import { MAX_HOPS } from '../../../core/lift/schema'
import type { RouteHop } from '../../../core/lift/types'
import type { Network, PeerLink } from '../../net/network'
import type { Logger, Random, Timers } from '../../ports'
import { MAX_WALK_STEPS, sendPlanWalk, servePlanWalk, unservePlanWalk, type PlanRelease, type PlanReserve, type PlanWalk, type PlanWalkMessage } from '../../protocols/plan'
import type { ClearingPlan, Discovery, LedgerTally, LiftKeys, LiftLedger } from './contracts'

/** Hops one walk may take in all (loops cut off included). */
export const WALK_TTL = Math.min(2 * MAX_HOPS, MAX_WALK_STEPS)
/** A walk that finds every planned edge here held by other walks waits this long for one to free up, ms… */
export const WALK_PARK_MS = 400
/**
 * …this many times before it ends (at 1,000 users, 3 instead of 10 tries: 10 % fewer messages, no less
 * cleared — a walk parked longer mostly waits for units that other loops then take).
 */
export const WALK_PARK_TRIES = 3
/** A tally a walk left over less than this ago (ms)… */
const RECENT_MS = 3_000
/** …weighs this many times less in the next walk's choice. */
const RECENT_PENALTY = 8
/** Walk sessions a node remembers its visits of (where each came from and went on). */
const WALK_SESSIONS = 256

export interface PlanWalkDeps {
  network: Network
  ledger: LiftLedger
  keys: LiftKeys
  plan: ClearingPlan
  random: Random
  timers: Timers
  logger: Logger
  minUnits: number
  /** Lifts one loop as a circular lift originated by this node (the lift service's engine). */
  lift: (discovery: Discovery, hops: RouteHop[], units: number) => void
  addrsOf?: (peerId: string) => readonly string[]
}

/** Walk messages of this node (the simulator sums them). */
export interface WalkCounters {
  started: number
  forwarded: number
  loops: number
  deadEnds: number
  parked: number
}

export class PlanWalker {
  readonly counters: WalkCounters = { started: 0, forwarded: 0, loops: 0, deadEnds: 0, parked: 0 }
  /** Tallies a walk left over in the last RECENT_MS. */
  readonly #walked = new Map<string, true>()
  /** Per walk session, my visits by number: the partner and tally the walk came from (none at its start), the tally it went on over. */
  readonly #visits = new Map<string, Map<number, Visit>>()
  #running = false
  /** Link nonces of my tallies per walk session (a sha256 each), the last few sessions. */
  readonly #links = new Map<string, Map<string, string>>()

  constructor (private readonly d: PlanWalkDeps) {}

  start (): void {
    if (this.#running) return
    this.#running = true
    servePlanWalk(this.d.network, (message, from) => {
      try {
        if (message.t === 'walk') this.#onWalk(message, from)
        else if (message.t === 'reserve') this.#onReserve(message, from)
        else this.#onRelease(message, from)
      } catch (err) {
        this.d.logger.log('debug', 'plan.walk-dropped', { error: err instanceof Error ? err.message : String(err) })
      }
    })
  }

  stop (): void {
    if (!this.#running) return
    this.#running = false
    unservePlanWalk(this.d.network)
  }

  /** Starts one walk from this node over one of its planned edges (#forward); false when it has none free. */
  walk (): boolean {
    if (!this.#running) return false
    const session = toBase64url(this.d.random.bytes(32))
    this.#visit(session, 0, {})
    const sent = this.#forward({ session, route: [], me: 0 }, undefined) === 'sent'
    if (sent) this.counters.started++
    else this.#visits.delete(session)
    return sent
  }

  #onWalk (walk: PlanWalk, from: PeerLink): void {
    if (!this.#running) return
    const via = this.#arrivedOver(walk.session, walk.link, from.peerId)
    if (via === undefined) return
    const visits = this.#visits.get(walk.session)
    // One of my visits still on the route: the walk came round to me.
    const seen = visits === undefined ? -1 : findLastIndex(walk.route, e => visits.has(e[0]))
    if (seen >= 0) {
      const [me] = walk.route[seen]!
      const loop = walk.route.slice(seen)
      // The loop's nodes after me in order, then me; the units planned on each of its legs when walked.
      this.#lift(walk.session, [...loop.slice(1).map(e => e[0]), me], Math.min(...loop.map(e => e[1])), visits!.get(me)!)
      // Back at its start: the whole route was a loop, and the walk is done.
      if (me === 0) return
      // The walk goes on from my first visit, with the route as it was then.
      this.#goOn({ session: walk.session, route: walk.route.slice(0, seen), me, step: walk.step }, via.id, 0)
      return
    }
    this.#visit(walk.session, walk.step, { from: { peer: from.peerId, tally: via.id } })
    this.#goOn({ session: walk.session, route: walk.route, me: walk.step, step: walk.step }, via.id, 0)
  }

  /** Forwards the walk, waiting a little while every planned edge here is held by others; else ends it. */
  #goOn (w: Walking & { step: number }, via: string | undefined, tries: number): void {
    if (!this.#running) return
    const outcome = w.step >= WALK_TTL ? 'dead' : this.#forward(w, via, w.step + 1)
    if (outcome === 'sent') return
    if (outcome === 'held' && tries < WALK_PARK_TRIES) {
      this.counters.parked++
      this.d.timers.setTimeout(() => { this.#goOn(w, via, tries + 1) }, WALK_PARK_MS)
      return
    }
    this.counters.deadEnds++
    this.d.logger.log('debug', 'plan.walk-dead-end', { route: w.route.length, step: w.step, outcome })
  }

  #visit (session: string, step: number, visit: Visit): void {
    let visits = this.#visits.get(session)
    if (visits === undefined) {
      if (this.#visits.size >= WALK_SESSIONS) this.#visits.delete(this.#visits.keys().next().value!)
      visits = new Map()
      this.#visits.set(session, visits)
    }
    visits.set(step, visit)
  }

  /**
   * Sends the walk on over a planned edge with units free (not back over `via`), chosen at random by units:
   * 'sent'; 'held' when planned units are left here but held for other loops; 'dead' when none are left.
   */
  #forward (w: Walking, via: string | undefined, step = 1): 'sent' | 'held' | 'dead' {
    const options: Array<{ t: LedgerTally, left: number, clutch: number, weight: number }> = []
    let total = 0
    let held = false
    for (const t of this.d.ledger.tallies()) {
      if (t.id === via || t.partner.peers.length === 0) continue
      const lading = edgeLading(t.state, t.side)
      const left = this.#left(t.id, lading.free)
      if (left < this.d.minUnits) {
        if ((this.d.plan.unclaimed(t.id) ?? 0) >= this.d.minUnits) held = true
        continue
      }
      const free = Math.min(left, lading.free)
      if (free < this.d.minUnits || lading.clutch > 0) continue
      // An edge another walk took a moment ago likely ends in that walk's loop: weigh it less.
      const weight = this.#walked.has(t.id) ? Math.ceil(free / RECENT_PENALTY) : free
      options.push({ t, left: free, clutch: lading.clutch, weight })
      total += weight
    }
    // One planned unit chosen at random: walks spread over the plan as its units do (the widest edge for all
    // of them would send every walk round the same loops).
    let pick = total > 0 ? this.#uniform(total) : 0
    let best: { t: LedgerTally, left: number, clutch: number } | undefined
    for (const o of options) {
      best = o
      if (pick < o.weight) break
      pick -= o.weight
    }
    if (best === undefined) return held ? 'held' : 'dead'
    const peer = best.t.partner.peers.find(p => p !== this.d.network.peerId)
    if (peer === undefined) return 'dead'
    // Routes longer than MAX_HOPS slide: the oldest node drops off.
    const route: Array<[number, number]> = [...w.route.slice(w.route.length >= MAX_HOPS ? w.route.length - MAX_HOPS + 1 : 0), [w.me, best.left]]
    const visit = this.#visits.get(w.session)?.get(w.me)
    if (visit !== undefined) visit.out = best.t.id
    this.counters.forwarded++
    this.#walked.set(best.t.id, true)
    const chosen = best.t.id
    this.d.timers.setTimeout(() => { this.#walked.delete(chosen) }, RECENT_MS)
    this.#sendTo(peer, { v: 1, t: 'walk', session: w.session, link: this.#linkOf(w.session, chosen), step, route, clutch: best.clutch })
    return 'sent'
  }

  /**
   * A loop closed at my visit `visit`: hold its units on my leg and send `reserve` round it (#onReserve); the
   * lift follows when the reservation is back. `steps`: the loop's visits in order, mine last.
   */
  #lift (session: string, steps: number[], walked: number, visit: Visit): void {
    if (steps.length < 2 || steps.length > MAX_HOPS || visit.out === undefined) return
    const first = this.d.ledger.tally(visit.out)
    if (first === undefined) return
    const lading = edgeLading(first.state, first.side)
    const units = Math.min(walked, this.#left(first.id, lading.free))
    if (units < Math.max(1, this.d.minUnits)) return
    this.counters.loops++
    this.d.logger.log('debug', 'plan.walk-loop', { legs: steps.length, units })
    this.d.plan.hold(session, first.id, units)
    this.#send(first, { v: 1, t: 'reserve', session, steps, hops: [], next: { link: this.#linkOf(session, first.id), free: units, clutch: lading.clutch }, units })
  }

  /** A reservation coming round a loop: complete my hop, hold my leg's units and pass it on; back at its originator, lift. */
  #onReserve (r: PlanReserve, from: PeerLink): void {
    if (!this.#running) return
    const at = r.hops.length
    const n = r.steps.length
    const via = this.#tallyOf(r.session, r.next.link, from.peerId)
    const visit = this.#visits.get(r.session)?.get(r.steps[at]!)
    if (via === undefined || visit === undefined) return
    const mine = this.d.keys.session(r.session).key
    const hops: RouteHop[] = [...r.hops, { ...r.next, key: mine }]
    if (at === n - 1) {
      // Round: every leg holds `units` for this session; the lift's claims take them.
      if (r.units < Math.max(1, this.d.minUnits)) return
      this.d.lift({ session: r.session, key: mine, plans: [{ hops }], messages: 0 }, hops, r.units)
      return
    }
    // The loop's legs are the walk's: I received it over the tally the walk came from at that visit.
    if (visit.from?.tally !== via.id || visit.out === undefined) return
    const out = this.d.ledger.tally(visit.out)
    if (out === undefined) return
    const lading = edgeLading(out.state, out.side)
    const units = Math.min(r.units, this.#left(out.id, lading.free))
    if (units < Math.max(1, this.d.minUnits)) {
      // Another loop took them first: the legs before mine give back what they hold, backward to the originator.
      this.d.logger.log('debug', 'plan.reserve-short', { at, legs: n })
      this.#sendTo(from.peerId, { v: 1, t: 'release', session: r.session, link: r.next.link, steps: r.steps.slice(0, at) })
      return
    }
    this.d.plan.hold(r.session, out.id, units)
    this.#send(out, { ...r, hops, next: { link: this.#linkOf(r.session, out.id), free: units, clutch: lading.clutch }, units })
  }

  /** A reservation given back: my leg's hold goes, and the release goes on backward until the loop's originator. */
  #onRelease (r: PlanRelease, from: PeerLink): void {
    const out = this.#tallyOf(r.session, r.link, from.peerId)
    if (out === undefined) return
    this.d.plan.unhold(r.session, out.id)
    const last = r.steps.at(-1)
    if (last === undefined) return
    const visit = this.#visits.get(r.session)?.get(last)
    if (visit?.from === undefined || visit.out !== out.id) return
    this.#sendTo(visit.from.peer, { v: 1, t: 'release', session: r.session, link: this.#linkOf(r.session, visit.from.tally), steps: r.steps.slice(0, -1) })
  }

  /**
   * What a walk or a reservation may take on a tally where I give: the plan's units left while a plan is in
   * force here; without one (this node lost it in a crash, or it was away while the others planned) the free
   * lading, so that walks still pass through it and the claims of the others keep their own legs in the plan.
   */
  #left (tally: string, free: number): number {
    return this.d.plan.left(tally) ?? free
  }

  /** Uniform integer in [0, n) from the node's random bytes (n < 2^48). */
  #uniform (n: number): number {
    const b = this.d.random.bytes(6)
    let x = 0
    for (const byte of b) x = x * 256 + byte
    return Math.floor(x / 2 ** 48 * n)
  }

  #send (t: LedgerTally, message: PlanReserve): void {
    const peer = t.partner.peers.find(p => p !== this.d.network.peerId)
    if (peer !== undefined) this.#sendTo(peer, message)
  }

  /** Fire and forget: a lost walk message only ends a walk or a reservation early (holds time out). */
  #sendTo (peer: string, message: PlanWalkMessage): void {
    const addrs = this.d.addrsOf?.(peer)
    sendPlanWalk(this.d.network, peer, message, addrs !== undefined && addrs.length > 0 ? { addrs } : {}).catch((err: unknown) => {
      this.d.logger.log('debug', 'plan.walk-failed', { t: message.t, code: (err as { code?: unknown }).code ?? 'INTERNAL' })
    })
  }

  /**
   * The tally a walk arrived over: the only one I share with its sender (no hash to compute: a walk moves
   * nothing, and a reservation checks the link nonce before anything is held), else the one `link` names.
   */
  #arrivedOver (session: string, link: string, peerId: string): LedgerTally | undefined {
    let only: LedgerTally | undefined
    for (const t of this.d.ledger.tallies()) {
      if (!t.partner.peers.includes(peerId)) continue
      if (only !== undefined) return this.#tallyOf(session, link, peerId)
      only = t
    }
    return only
  }

  /** My tally named by `link` in the session (shared with `peerId` when given). */
  #tallyOf (session: string, link: string, peerId: string | undefined): LedgerTally | undefined {
    for (const t of this.d.ledger.tallies()) {
      if ((peerId === undefined || t.partner.peers.includes(peerId)) && this.#linkOf(session, t.id) === link) return t
    }
    return undefined
  }

  #linkOf (session: string, tally: string): string {
    let m = this.#links.get(session)
    if (m === undefined) {
      if (this.#links.size >= 64) this.#links.delete(this.#links.keys().next().value!)
      m = new Map()
      this.#links.set(session, m)
    }
    let link = m.get(tally)
    if (link === undefined) { link = linkNonce(tally, session); m.set(tally, link) }
    return link
  }
}

/** One visit of a walk at this node. */
interface Visit {
  from?: { peer: string, tally: string }
  out?: string
}

/** A walk at this node: the route before me (visit, planned units out) and my visit's number. */
interface Walking {
  session: string
  route: Array<[number, number]>
  me: number
}

function findLastIndex<T> (a: readonly T[], ok: (x: T) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (ok(a[i]!)) return i
  return -1
}
