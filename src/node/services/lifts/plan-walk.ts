// Lifting a frozen clearing plan (docs/lifts.md §10, /mychips/plan-walk/1.0.0): walks that follow planned
// units and cut off every loop they close as a circular lift.
//
// A frozen plan is (nearly) a circulation: a node with planned units coming in has planned units going out,
// so a walk that always leaves over the widest planned edge never needs to search, and it keeps closing
// loops: when it reaches a node already on its route, that node lifts the loop (it is the originator of a
// circular lift on exactly that cycle, with the walk's session keys and links) and walks on with the route
// as it was before the loop. Every loop is a cycle of the plan, so the lifts together decompose the plan
// instead of competing greedily for lading; the engine's plan claims keep concurrent lifts within it.
// A walk costs one message per hop, whatever the network's size; routes longer than MAX_HOPS slide (the
// oldest hop is dropped, its receiver becomes the route's origin).
import { toBase64url } from '../../../core/codec/base64url'
import { linkNonce } from '../../../core/lift/ids'
import { edgeLading } from '../../../core/lift/lading'
import { MAX_HOPS } from '../../../core/lift/schema'
import type { RouteHop } from '../../../core/lift/types'
import type { Network, PeerLink } from '../../net/network'
import type { Logger, Random, Timers } from '../../ports'
import { sendPlanWalk, servePlanWalk, unservePlanWalk, type PlanReserve, type PlanWalk, type PlanWalkEnd, type PlanWalkMessage } from '../../protocols/plan'
import type { ClearingPlan, Discovery, LedgerTally, LiftKeys, LiftLedger } from './contracts'

/** Hops one walk may take in all (loops cut off included). */
export const WALK_TTL = 2 * MAX_HOPS
/** A walk that finds every planned edge here held by other walks waits this long for one to free up, ms… */
export const WALK_PARK_MS = 400
/** …this many times before it ends. */
export const WALK_PARK_TRIES = 10
/** A tally a walk left over less than this ago (ms)… */
const RECENT_MS = 3_000
/** …weighs this many times less in the next walk's choice. */
const RECENT_PENALTY = 8
/** Walk sessions a node remembers (where each came from and went). */
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
  /** Per walk session: the partner and tally it came from (none at its start) and the tally it went on over. */
  readonly #passes = new Map<string, { from?: { peer: string, tally: string }, out?: string }>()
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
        else if (message.t === 'end') this.#onEnd(message, from)
        else this.#onReserve(message, from)
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
    const key = this.d.keys.session(session).key
    this.#remember(session, {})
    const sent = this.#forward({ session, origin: key, hops: [], ttl: WALK_TTL }, undefined) === 'sent'
    if (sent) this.counters.started++
    else this.#passes.delete(session)
    return sent
  }

  #onWalk (walk: PlanWalk, from: PeerLink): void {
    if (!this.#running) return
    const via = this.#tallyOf(walk.session, walk.next.link, from.peerId)
    if (via === undefined) return
    const mine = this.d.keys.session(walk.session).key
    const arriving: RouteHop = { ...walk.next, key: mine }
    if (walk.origin === mine) {
      // Back at the start: the whole route is a loop, and the walk is done.
      this.#lift(walk.session, [...walk.hops, arriving])
      this.#passes.delete(walk.session)
      return
    }
    let hops: RouteHop[]
    const seen = walk.hops.findIndex(h => h.key === mine)
    const pass = this.#passes.get(walk.session)
    if (seen >= 0) {
      // Here before: lift the loop; the walk goes on with the route as it was when it first left here (its
      // way back is still the first visit's).
      this.#lift(walk.session, [...walk.hops.slice(seen + 1), arriving])
      hops = walk.hops.slice(0, seen + 1)
      if (pass === undefined) this.#remember(walk.session, { from: { peer: from.peerId, tally: via.id } })
      else pass.out = undefined
    } else {
      hops = [...walk.hops, arriving]
      this.#remember(walk.session, { from: { peer: from.peerId, tally: via.id } })
    }
    this.#goOn({ session: walk.session, origin: walk.origin, hops, ttl: walk.ttl - 1 }, via.id, 0)
  }

  /** Forwards the walk, waiting a little while every planned edge here is held by others; else ends it. */
  #goOn (w: { session: string, origin: string, hops: RouteHop[], ttl: number }, via: string, tries: number): void {
    if (!this.#running) return
    const outcome = w.ttl < 0 ? 'dead' : this.#forward(w, via)
    if (outcome === 'sent') return
    if (outcome === 'held' && tries < WALK_PARK_TRIES) {
      this.counters.parked++
      this.d.timers.setTimeout(() => { this.#goOn(w, via, tries + 1) }, WALK_PARK_MS)
      return
    }
    this.counters.deadEnds++
    this.d.logger.log('debug', 'plan.walk-dead-end', { hops: w.hops.length, ttl: w.ttl, outcome })
    this.#end(w.session)
  }

  /** The walk ends short of a loop: release what was held for it here, and tell the node it came from. */
  #end (session: string): void {
    const pass = this.#passes.get(session)
    this.#passes.delete(session)
    if (pass === undefined) return
    if (pass.out !== undefined) this.d.plan.unhold(session, pass.out)
    const back = pass.from
    if (back === undefined) return
    const t = this.d.ledger.tally(back.tally)
    if (t === undefined) return
    this.#sendTo(back.peer, { v: 1, t: 'end', session, link: this.#linkOf(session, back.tally) })
  }

  #onEnd (end: PlanWalkEnd, from: PeerLink): void {
    const pass = this.#passes.get(end.session)
    if (pass?.out === undefined) return
    // Only from the partner the walk went on to, over that tally.
    const t = this.d.ledger.tally(pass.out)
    if (t === undefined || !t.partner.peers.includes(from.peerId) || this.#linkOf(end.session, pass.out) !== end.link) return
    this.#end(end.session)
  }

  #remember (session: string, pass: { from?: { peer: string, tally: string } }): void {
    if (this.#passes.size >= WALK_SESSIONS && !this.#passes.has(session)) this.#passes.delete(this.#passes.keys().next().value!)
    this.#passes.set(session, pass)
  }

  /**
   * Sends the walk on over a planned edge with units free (not back over `via`), chosen at random by units:
   * 'sent'; 'held' when planned units are left here but held for other loops; 'dead' when none are left.
   */
  #forward (w: { session: string, origin: string, hops: RouteHop[], ttl: number }, via: string | undefined): 'sent' | 'held' | 'dead' {
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
    let { origin, hops } = w
    if (hops.length >= MAX_HOPS) {
      // Slide: the oldest hop goes, its receiver starts the route now.
      origin = hops[0]!.key
      hops = hops.slice(1)
    }
    const walk: PlanWalk = { v: 1, t: 'walk', session: w.session, origin, hops, next: { link: this.#linkOf(w.session, best.t.id), free: best.left, clutch: best.clutch }, ttl: w.ttl }
    const pass = this.#passes.get(w.session)
    if (pass !== undefined) pass.out = best.t.id
    this.counters.forwarded++
    this.#walked.set(best.t.id, true)
    const chosen = best.t.id
    this.d.timers.setTimeout(() => { this.#walked.delete(chosen) }, RECENT_MS)
    this.#sendTo(peer, walk)
    return 'sent'
  }

  /** A loop closed here: reserve its units around it (#onReserve), then lift it as this node's circular lift. */
  #lift (session: string, hops: RouteHop[]): void {
    if (hops.length < 2 || hops.length > MAX_HOPS) return
    const first = this.#tallyOf(session, hops[0]!.link, undefined)
    if (first === undefined) return
    const units = Math.min(...hops.map(h => h.free), this.#left(first.id, edgeLading(first.state, first.side).free))
    if (units < Math.max(1, this.d.minUnits)) return
    this.counters.loops++
    this.d.logger.log('debug', 'plan.walk-loop', { legs: hops.length, units })
    this.d.plan.hold(session, first.id, units)
    this.#send(first, { v: 1, t: 'reserve', session, hops, at: 0, units })
  }

  /** A reservation coming round a loop: hold my leg's units and pass it on; back at its originator, lift. */
  #onReserve (r: PlanReserve, from: PeerLink): void {
    if (!this.#running) return
    const hop = r.hops[r.at]
    if (hop === undefined) return
    const via = this.#tallyOf(r.session, hop.link, from.peerId)
    const mine = this.d.keys.session(r.session).key
    if (via === undefined || hop.key !== mine) return
    const n = r.hops.length
    if (r.release !== undefined) {
      // Giving a reservation back: my leg's hold goes, and the wave goes on until the node that fell short.
      if (r.at === r.release) return
      const next = (r.at + 1) % n
      const out = this.#tallyOf(r.session, r.hops[next]!.link, undefined)
      if (out === undefined) return
      this.d.plan.unhold(r.session, out.id)
      this.#send(out, { ...r, at: next })
      return
    }
    if (r.at === n - 1) {
      // Round: every leg holds `units` for this session; the lift's claims take them.
      if (r.units < Math.max(1, this.d.minUnits)) return
      this.d.lift({ session: r.session, key: mine, plans: [{ hops: r.hops }], messages: 0 }, r.hops, r.units)
      return
    }
    const out = this.#tallyOf(r.session, r.hops[r.at + 1]!.link, undefined)
    if (out === undefined) return
    const units = Math.min(r.units, this.#left(out.id, edgeLading(out.state, out.side).free))
    if (units < Math.max(1, this.d.minUnits)) {
      // Another loop took them first: give back what the legs before mine hold (round through the originator).
      this.d.logger.log('debug', 'plan.reserve-short', { at: r.at, legs: n })
      this.#send(out, { ...r, at: r.at + 1, units: 0, release: r.at })
      return
    }
    this.d.plan.hold(r.session, out.id, units)
    this.#send(out, { ...r, at: r.at + 1, units })
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
