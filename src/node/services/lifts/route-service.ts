// Route discovery (docs/lifts.md §4, /mychips/route/1.0.0): this node's own discoveries (find) and its
// answers to its partners' queries. A query spreads from the originator over every tally edge that can
// give the units asked, breadth-first in time (each hop takes perHopMs off its children's budget, and
// depth 1 off their depth), and the answers flow back composed into routes. Nodes see only link nonces,
// per-session keys and a target token: never the route's identities.
//
// Deterministic for a given Random, Clock and Timers: no Math.random, no Date, and plans are composed in
// tally order and ranked by a total order (core/lift/plan comparePlans), never by arrival order.
import * as v from 'valibot'
import { toBase64url } from '../../../core/codec/base64url'
import { MalformedError } from '../../../core/errors'
import { UserIdSchema } from '../../../core/keys/user'
import { clutchFee } from '../../../core/lift/fees'
import { linkNonce, targetToken } from '../../../core/lift/ids'
import { edgeLading } from '../../../core/lift/lading'
import { MAX_BUDGET_MS, MAX_HOPS, MAX_PLANS } from '../../../core/lift/schema'
import type { RouteAnswer, RoutePlan, RouteQuery, RouteTarget } from '../../../core/lift/types'
import { UnitsSchema } from '../../../core/tally/schema'
import type { Network, PeerLink } from '../../net/network'
import type { Clock, Logger, Random, Timers } from '../../ports'
import { askRoute, sendRouteMark, serveRoute, serveRouteMark, unserveRoute, unserveRouteMark, type RouteMark } from '../../protocols/route'
import { otherSide } from '../../../core/tally/types'
import { DEFAULT_LIFT_CONFIG, type Discovery, type LedgerTally, type LiftConfig, type LiftKeys, type LiftLedger, type LiftServiceDeps, type RouteRequest, type RouteService } from './contracts'
import { composePlans, type ChildAnswer } from './route-compose'
import { RouteBusyError, RouteLinkUnknownError, RouteStoppedError } from './route-errors'
import { CIRCULAR_MARK_RADIUS, RouteMarks } from './route-marks'
import { DEFAULT_SESSION_LIMITS, RouteSessions, type SessionEntry, type SessionLimits } from './route-sessions'

export interface RouteServiceDeps {
  network: Network
  ledger: LiftLedger
  keys: LiftKeys
  clock: Clock
  timers: Timers
  random: Random
  logger: Logger
  /** This node's user id (the circular target; a linear query naming it ends here). */
  userId: string
  /** Missing fields take DEFAULT_LIFT_CONFIG's. */
  config?: Partial<LiftConfig>
  /** Bounds of the session table (tests lower them). */
  limits?: Partial<RouteLimits>
  /** Where to dial a partner's peer when no connection is open. */
  addrsOf?: (peerId: string) => readonly string[]
}

export interface RouteLimits extends SessionLimits {
  /** The longest a node works on someone else's query, whatever budget the query grants, ms. */
  maxRelayBudgetMs: number
  /** Shallower queries of a session explored on their own while its first exploration runs. */
  reexplore: number
  /**
   * The same for circular sessions: their explorations ask only partners that can close the cycle in time
   * (marks), so one costs a few messages, and a longer path through a busy node is often the wider cycle.
   */
  reexploreCircular: number
  /** Explorations one partner's queries may keep running on this node at once (so one cannot starve the rest). */
  maxRunningPerPeer: number
}

export const DEFAULT_ROUTE_LIMITS: RouteLimits = { ...DEFAULT_SESSION_LIMITS, maxRelayBudgetMs: 60_000, reexplore: 2, reexploreCircular: 8, maxRunningPerPeer: 64 }

/** Route messages of this node since it started (the simulator and benches sum them). */
export interface RouteCounters {
  /** Queries this node sent (its own discoveries and forwarded ones). */
  queriesSent: number
  /** Answers it received to them. */
  answersReceived: number
  /** Queries it answered (including refusals). */
  queriesServed: number
  /** Queries it refused with a named error. */
  refused: number
  /** Circular discovery marks it sent (its own and passed on) and received. */
  marksSent: number
  marksServed: number
}

export interface RouteServiceHandle extends RouteService {
  readonly counters: Readonly<RouteCounters>
}

const RouteRequestSchema = v.strictObject({
  kind: v.picklist(['circular', 'linear']),
  to: v.optional(UserIdSchema),
  units: UnitsSchema,
  maxDepth: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_HOPS))),
  budgetMs: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_BUDGET_MS)))
})

/** One exploration: a query this node answers, or its own discovery (then depth = route limit + 1). */
interface Exploration {
  session: string
  target: RouteTarget
  units: number
  /** The depth of the query as this node received it: its plans have at most depth − 1 hops. */
  depth: number
  budgetMs: number
  /** The tally the query came over (never forwarded back over it). */
  via?: string
  key: string
  circularOrigin: boolean
  /** Messages this exploration sent and received. */
  tally: { messages: number }
}

/**
 * The largest rebate per intermediary a linear discovery explores for, ppm (1 %): an edge short of the
 * payee's units is still asked when rebates of this size by the intermediaries after it would make it enough.
 */
export const LINEAR_REBATE_PPM = 10_000

/** The least units a linear leg followed by `intermediaries` intermediaries can carry when each pays LINEAR_REBATE_PPM. */
export function leastLegUnits (units: number, intermediaries: number): number {
  let least = units
  for (let i = 0; i < intermediaries; i++) least = Math.max(1, least + clutchFee(least, -LINEAR_REBATE_PPM))
  return least
}

/** Sessions whose link nonces a node remembers. */
const LINK_SESSIONS = 512

export function createRouteService (deps: RouteServiceDeps): RouteServiceHandle {
  return new RouteDiscovery(deps)
}

export class RouteDiscovery implements RouteServiceHandle {
  readonly counters: RouteCounters = { queriesSent: 0, answersReceived: 0, queriesServed: 0, refused: 0, marksSent: 0, marksServed: 0 }
  readonly #config: LiftConfig
  readonly #limits: RouteLimits
  readonly #sessions: RouteSessions
  readonly #marks: RouteMarks
  /** Fan-outs under way: aborted when the service stops. */
  readonly #fanouts = new Set<AbortController>()
  /** Explorations running for each partner's queries. */
  readonly #perPeer = new Map<string, number>()
  #running = false
  /**
   * Link nonces and target tokens by session (a sha256 each): every query of a session names its link and
   * its target, every exploration lists the links of its edges, so each is hashed once per session, not once per query.
   * Bounded, least recently used first; a session lives as long as its discovery's budget.
   */
  readonly #links = new Map<string, Map<string, string>>()

  constructor (private readonly deps: RouteServiceDeps) {
    this.#config = { ...DEFAULT_LIFT_CONFIG, ...deps.config }
    this.#limits = { ...DEFAULT_ROUTE_LIMITS, ...deps.limits }
    this.#sessions = new RouteSessions(this.#limits)
    this.#marks = new RouteMarks({ maxSessions: this.#limits.maxSessions, keepMs: this.#limits.keepMs })
  }

  /** Time kept at the end of a budget to compose and send the answer. */
  get #margin (): number { return Math.floor(this.#config.perHopMs / 4) }

  start (): void {
    if (this.#running) return
    this.#running = true
    serveRoute(this.deps.network, async (query, from) => await this.#serve(query, from))
    serveRouteMark(this.deps.network, async (mark, from) => { await this.#serveMark(mark, from) })
  }

  stop (): void {
    if (!this.#running) return
    this.#running = false
    unserveRoute(this.deps.network)
    unserveRouteMark(this.deps.network)
    for (const c of [...this.#fanouts]) c.abort(new RouteStoppedError())
  }

  async find (request: RouteRequest): Promise<Discovery> {
    if (!this.#running) throw new RouteStoppedError()
    const r = v.safeParse(RouteRequestSchema, request)
    if (!r.success) throw new MalformedError(`route request: ${v.summarize(r.issues)}`)
    const { kind, to, units } = r.output
    if (kind === 'linear' && to === undefined) throw new MalformedError('a linear route needs the payee\'s user id')
    if (kind === 'linear' && to === this.deps.userId) throw new MalformedError('a linear route goes to another user')
    const depth = Math.min(r.output.maxDepth ?? this.#config.maxDepth, MAX_HOPS)
    const budgetMs = r.output.budgetMs ?? depth * this.#config.perHopMs
    const { clock } = this.deps
    const started = clock.now()
    const session = toBase64url(this.deps.random.bytes(32))
    const key = this.deps.keys.session(session).key
    const target: RouteTarget = { kind, token: targetToken(session, kind === 'circular' ? this.deps.userId : to!) }
    const markMs = kind === 'circular' ? (CIRCULAR_MARK_RADIUS + 1) * this.#config.perHopMs : 0
    const entry = this.#sessions.begin(session, true, Number.POSITIVE_INFINITY, started + markMs + budgetMs, started)
    const tally = { messages: 0 }
    let plans: RoutePlan[] = []
    try {
      if (kind === 'circular') {
        // Mark first (every node within the radius learns its partners' distances), then search.
        this.#marks.origin(session, started)
        await this.#markFrom({ session, units, dist: 0, budgetMs: markMs, tally })
      }
      if (this.#running) plans = await this.#explore({ session, target, units, depth: depth + 1, budgetMs, key, circularOrigin: kind === 'circular', tally })
    } finally {
      this.#sessions.finish(entry, undefined, clock.now())
    }
    this.deps.logger.log('debug', 'route.find', {
      kind, units, depth, plans: plans.length, best: plans[0]?.hops.length, messages: tally.messages, ms: clock.now() - started
    })
    return { session, key, plans, messages: tally.messages }
  }

  // ---- a partner's query ----

  async #serve (query: RouteQuery, from: PeerLink): Promise<RouteAnswer> {
    this.counters.queriesServed++
    try {
      return await this.#answer(query, from)
    } catch (err) {
      this.counters.refused++
      throw err
    }
  }

  async #answer (query: RouteQuery, from: PeerLink): Promise<RouteAnswer> {
    if (!this.#running) throw new RouteStoppedError()
    const via = this.#tallyOf(query.session, query.link, from.peerId)
    const { session } = query
    const key = this.deps.keys.session(session).key
    const log = (outcome: string, plans: number): void => {
      this.deps.logger.log('debug', 'route.query', { outcome, depth: query.depth, units: query.units, plans })
    }
    if (this.#tokenOf(session, this.deps.userId) === query.target.token) {
      log('target', 1)
      return { v: 1, key, target: true, plans: [{ hops: [] }] }
    }
    const now = this.deps.clock.now()
    const known = this.#sessions.get(session, now)
    const budgetMs = Math.min(query.budgetMs, this.#limits.maxRelayBudgetMs)
    // Depth only shrinks along a path, so a query as deep as the exploration under way cannot be one of its
    // own queries coming back: it came by another path of the same length and gets the same answer (waited
    // for, within its own budget). A shallower one is a loop or a longer path: the first `reexplore` of them
    // are explored on their own, the rest get no plans at once. A finished session's answer is served again.
    // A deeper one came by a shorter path and may reach further: it is explored again and replaces the entry.
    if (known !== undefined && (known.own || query.depth <= known.depth)) {
      let answer = known.answer
      if (answer === undefined && !known.own && query.depth === known.depth) {
        answer = await this.#within(known.settled, now + budgetMs - this.#margin)
      } else if (answer === undefined && !known.own && query.depth > 1 && known.extra < (query.target.kind === 'circular' ? this.#limits.reexploreCircular : this.#limits.reexplore)) {
        // A longer path may be the wider one; bounded, so loops cost little.
        const release = this.#claim(from.peerId)
        known.extra++
        let plans: RoutePlan[]
        try {
          plans = await this.#explore({
            session, target: query.target, units: query.units, depth: query.depth, budgetMs, via: via.id, key,
            circularOrigin: false, tally: { messages: 0 }
          })
        } finally { release() }
        log('re-explored', plans.length)
        return { v: 1, key, plans }
      }
      const plans = (answer?.plans ?? []).filter(p => p.hops.length <= query.depth - 1)
      log(answer !== undefined ? 'cached' : 'loop', plans.length)
      return { v: 1, key, plans }
    }
    if (query.depth <= 1) {
      log('leaf', 0)
      return { v: 1, key, plans: [] }
    }
    const release = this.#claim(from.peerId)
    let entry: SessionEntry
    try {
      entry = this.#sessions.begin(session, false, query.depth, now + budgetMs, now)
    } catch (err) { release(); throw err }
    let answer: RouteAnswer | undefined
    try {
      const plans = await this.#explore({
        session, target: query.target, units: query.units, depth: query.depth, budgetMs, via: via.id, key,
        circularOrigin: false, tally: { messages: 0 }
      })
      answer = { v: 1, key, plans }
    } finally {
      release()
      this.#sessions.finish(entry, answer, this.deps.clock.now())
    }
    log('explored', answer.plans.length)
    return answer
  }

  /** Counts an exploration for the partner's queries (ROUTE_BUSY past its share); returns its release. */
  #claim (peerId: string): () => void {
    const n = this.#perPeer.get(peerId) ?? 0
    if (n >= this.#limits.maxRunningPerPeer) throw new RouteBusyError(this.#limits.maxRunningPerPeer)
    this.#perPeer.set(peerId, n + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.#perPeer.get(peerId) ?? 1) - 1
      if (left <= 0) this.#perPeer.delete(peerId)
      else this.#perPeer.set(peerId, left)
    }
  }

  /** The tally a query or mark came over: one this node shares with the sender, named by its link. */
  #tallyOf (session: string, link: string, peerId: string): LedgerTally {
    for (const t of this.deps.ledger.tallies()) {
      if (t.partner.peers.includes(peerId) && this.#linkOf(t.id, session) === link) return t
    }
    throw new RouteLinkUnknownError()
  }

  // ---- marks of circular discoveries (protocols/route.ts /mychips/route-mark/1.0.0) ----

  /**
   * A partner `mark.dist` legs from a circular originator marked the tally on which this node can give to it.
   * Recorded only when this node can give it the session's units without a fee (the only edges a circular
   * route takes); when this node's own distance improves and is within the radius, it marks the partners
   * that can give to it in turn, and answers once they answered (or its budget ran out).
   */
  async #serveMark (mark: RouteMark, from: PeerLink): Promise<void> {
    if (!this.#running) throw new RouteStoppedError()
    this.counters.marksServed++
    const t = this.#tallyOf(mark.session, mark.link, from.peerId)
    const lading = edgeLading(t.state, t.side)
    if (lading.free < mark.units || lading.clutch > 0) return
    const now = this.deps.clock.now()
    if (!this.#marks.mark(mark.session, t.id, mark.dist, now) || mark.dist + 1 > CIRCULAR_MARK_RADIUS) return
    const release = this.#claim(from.peerId)
    try {
      await this.#markFrom({ session: mark.session, units: mark.units, dist: mark.dist + 1, budgetMs: Math.min(mark.budgetMs, this.#limits.maxRelayBudgetMs), via: t.id, tally: { messages: 0 } })
    } finally { release() }
  }

  /** Marks every partner that can give to this node (free ≥ units, its clutch ≤ 0) with this node's distance; waits for their answers within the budget. */
  async #markFrom (m: { session: string, units: number, dist: number, budgetMs: number, via?: string, tally: { messages: number } }): Promise<void> {
    const now = this.deps.clock.now()
    const deadline = now + m.budgetMs - this.#margin
    if (deadline <= now) return
    const tasks: Array<(signal: AbortSignal) => Promise<undefined>> = []
    for (const t of this.deps.ledger.tallies()) {
      if (t.id === m.via || t.partner.peers.length === 0) continue
      const theirs = edgeLading(t.state, otherSide(t.side))
      if (theirs.free < m.units || theirs.clutch > 0) continue
      const mark: RouteMark = { v: 1, session: m.session, units: m.units, dist: m.dist, budgetMs: Math.max(0, m.budgetMs - this.#config.perHopMs), link: this.#linkOf(t.id, m.session) }
      tasks.push(async signal => {
        for (const peer of t.partner.peers) {
          if (signal.aborted || peer === this.deps.network.peerId) continue
          this.counters.marksSent++
          m.tally.messages++
          try {
            const addrs = this.deps.addrsOf?.(peer)
            await sendRouteMark(this.deps.network, peer, mark, { signal, ...(addrs !== undefined && addrs.length > 0 ? { addrs } : {}) })
            m.tally.messages++
            return undefined
          } catch (err) {
            if (signal.aborted) return undefined
            this.deps.logger.log('debug', 'route.mark-failed', { code: (err as { code?: unknown }).code ?? 'INTERNAL' })
          }
        }
        return undefined
      })
    }
    await this.#fanout(tasks, deadline)
  }

  /** linkNonce(tally, session), remembered per session. */
  #linkOf (tally: string, session: string): string {
    return this.#perSession(session, `l:${tally}`, () => linkNonce(tally, session))
  }

  /** targetToken(session, userId), remembered per session (this node's own, and its partners' on a last hop). */
  #tokenOf (session: string, userId: string): string {
    return this.#perSession(session, `t:${userId}`, () => targetToken(session, userId))
  }

  #perSession (session: string, name: string, compute: () => string): string {
    let links = this.#links.get(session)
    if (links === undefined) {
      if (this.#links.size >= LINK_SESSIONS) this.#links.delete(this.#links.keys().next().value!)
      links = new Map()
    } else {
      this.#links.delete(session)
    }
    this.#links.set(session, links)
    let value = links.get(name)
    if (value === undefined) {
      value = compute()
      links.set(name, value)
    }
    return value
  }

  // ---- exploring: fan out over every edge that can give, compose the answers ----

  async #explore (x: Exploration): Promise<RoutePlan[]> {
    const { clock } = this.deps
    const now = clock.now()
    const deadline = now + x.budgetMs - this.#margin
    const childDepth = x.depth - 1
    const childBudget = x.budgetMs - this.#config.perHopMs
    if (childDepth < 1 || childBudget < 0 || deadline <= now) return []
    const edges = this.#edges(x)
    const answers = await this.#fanout(edges.map(e => async (signal: AbortSignal) => await this.#ask(e.tally, {
      v: 1, session: x.session, target: x.target, units: x.units, depth: childDepth, budgetMs: childBudget, link: e.link
    }, signal, x)), deadline)
    const children: ChildAnswer[] = []
    edges.forEach((e, i) => {
      const answer = answers[i]
      if (answer !== undefined) children.push({ link: e.link, free: e.free, clutch: e.clutch, answer })
    })
    return composePlans(children, {
      units: x.units, linear: x.target.kind === 'linear', maxHops: x.depth - 1, ownKey: x.key, circularOrigin: x.circularOrigin, maxPlans: Math.min(this.#config.maxPlans, MAX_PLANS)
    })
  }

  /**
   * The tallies this node can give `units` on (free lading), except the one the query came over; in link
   * order. On the last hop (children of depth 1 can only answer as the target) only partners that are the
   * target: this node knows its partners' user ids, so it asks no one who could only say no.
   */
  #edges (x: Exploration): Array<{ tally: LedgerTally, link: string, free: number, clutch: number }> {
    const out: Array<{ tally: LedgerTally, link: string, free: number, clutch: number }> = []
    const lastHop = x.depth - 1 === 1
    // A linear leg carries the payee's units plus the fees of the intermediaries after it, or less when they
    // pay a rebate (clutch < 0), which only the answers tell: explore edges a rebate could make enough, and
    // let composePlans check every leg at its own units.
    const least = x.target.kind === 'linear' ? leastLegUnits(x.units, x.depth - 2) : x.units
    const now = this.deps.clock.now()
    for (const t of this.deps.ledger.tallies()) {
      if (t.id === x.via || t.partner.peers.length === 0) continue
      const lading = edgeLading(t.state, t.side)
      if (lading.free < least) continue
      if (lastHop && this.#tokenOf(x.session, t.partner.userId) !== x.target.token) continue
      if (x.target.kind === 'circular') {
        // A circular route takes no fee, and the partner must be able to close the cycle in the legs left
        // (x.depth − 2 after this one): its marked distance says so; unmarked means beyond the radius.
        if (lading.clutch > 0) continue
        const dist = this.#marks.partner(x.session, t.id, now) ?? CIRCULAR_MARK_RADIUS + 1
        if (dist > x.depth - 2) continue
      }
      out.push({ tally: t, link: this.#linkOf(t.id, x.session), free: lading.free, clutch: lading.clutch })
    }
    return out.sort((a, b) => (a.link < b.link ? -1 : a.link > b.link ? 1 : 0))
  }

  /** Asks the partner's member nodes in turn until one answers; no answer (refused, unreachable, late) = undefined. */
  async #ask (t: LedgerTally, query: RouteQuery, signal: AbortSignal, x: Exploration): Promise<RouteAnswer | undefined> {
    for (const peer of t.partner.peers) {
      if (signal.aborted) return undefined
      if (peer === this.deps.network.peerId) continue
      this.counters.queriesSent++
      x.tally.messages++
      try {
        const addrs = this.deps.addrsOf?.(peer)
        const answer = await askRoute(this.deps.network, peer, query, { signal, ...(addrs !== undefined && addrs.length > 0 ? { addrs } : {}) })
        this.counters.answersReceived++
        x.tally.messages++
        return answer
      } catch (err) {
        if (signal.aborted) return undefined
        this.deps.logger.log('debug', 'route.ask-failed', { code: (err as { code?: unknown }).code ?? 'INTERNAL' })
      }
    }
    return undefined
  }

  /** The promise's value if it settles before the deadline, else undefined (also when the service stops). */
  async #within<T> (promise: Promise<T>, deadline: number): Promise<T | undefined> {
    const [result] = await this.#fanout([async () => await promise], deadline)
    return result
  }

  /** Runs the tasks until all settle or the deadline passes (then aborts the rest): their results, by index. */
  async #fanout<T> (tasks: ReadonlyArray<(signal: AbortSignal) => Promise<T | undefined>>, deadline: number): Promise<Array<T | undefined>> {
    const results = new Array<T | undefined>(tasks.length).fill(undefined)
    if (tasks.length === 0 || !this.#running) return results
    const controller = new AbortController()
    this.#fanouts.add(controller)
    const { timers, clock } = this.deps
    return await new Promise(resolve => {
      let left = tasks.length
      let done = false
      const finish = (): void => {
        if (done) return
        done = true
        timers.clearTimeout(timer)
        this.#fanouts.delete(controller)
        controller.abort()
        resolve(results)
      }
      const timer = timers.setTimeout(finish, Math.max(0, deadline - clock.now()))
      controller.signal.addEventListener('abort', finish, { once: true })
      tasks.forEach((task, i) => {
        task(controller.signal).then(r => { if (!done) results[i] = r }, () => undefined).finally(() => {
          if (--left === 0) finish()
        })
      })
    })
  }
}

/**
 * The route service of a wallet node from the lift services' deps (WalletNode's `lifts.route` option):
 * this node's user id from its identity, the same ledger, keys, ports and lift config.
 */
export function routeServiceFor (deps: LiftServiceDeps, options: { addrsOf?: (peerId: string) => readonly string[], limits?: Partial<RouteLimits> } = {}): RouteServiceHandle {
  return createRouteService({
    network: deps.network, ledger: deps.ledger, keys: deps.keys, clock: deps.clock, timers: deps.timers, random: deps.random,
    logger: deps.logger, userId: deps.identity.userId,
    ...(deps.config !== undefined ? { config: deps.config } : {}),
    ...(options.addrsOf !== undefined ? { addrsOf: options.addrsOf } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {})
  })
}
