// The lift service of a wallet node: the LiftApi facade (api.ts) over the route service (discovery), the
// engine (execution, decisions, recovery), the referee service, and auto-clearing. Serves
// /mychips/lift/1.0.0; the referee serves /mychips/referee/1.0.0.
import type { AutoClearView, LiftApi, LiftQuote, LiftView, PayAnyoneRequest } from '../../api'
import { isChipsError, MalformedError, type ChipsError } from '../../../core/errors'
import { toBase64url } from '../../../core/codec/base64url'
import { UnitsSchema } from '../../../core/tally/schema'
import { UserIdSchema } from '../../../core/keys/user'
import * as v from 'valibot'
import { Emitter } from '../../net/emitter'
import type { TimerHandle } from '../../ports'
import { LIFT_PROTOCOL, serveLift } from '../../protocols/lift'
import { FeeTooHighError, NoRouteError } from '../../../core/lift/errors'
import { linearOptions, pickCircular } from '../../../core/lift/plan'
import { DEFAULT_LIFT_CONFIG, type ClearingPlan, type Discovery, type LiftConfig, type LiftServiceDeps, type RouteService } from './contracts'
import { PlanWalker } from './plan-walk'
import { LiftEngine, type ChosenPlan } from './engine'
import { LiftNotFoundError, LiftsStoppedError, OverPlanError } from './errors'
import type { RefereeRef, RoutePlan } from '../../../core/lift/types'
import { AUTO_KEY, LiftRecords, type AutoClearSetting, type LiftLocal } from './records'
import { RefereeService, type RefereeBehaviour } from './referee-service'
import { liftView } from './views'

export interface LiftServiceOptions extends LiftServiceDeps {
  route: RouteService
  /** The partner's name on one of my tallies (for the views). */
  partnerName?: (tally: string) => Promise<string | undefined>
  /** Where to dial a peer when no connection is open. */
  addrsOf?: (peerId: string) => readonly string[]
  /** Serve this node's referee (default true). */
  referee?: boolean
  /** Test-only referee misbehaviour (research scenario 36). */
  refereeBehaviour?: RefereeBehaviour
}

/** Discoveries this node runs at once; more wait their turn (each fans out to every partner). */
export const MAX_DISCOVERIES = 16

/** Most lifts one clear() makes, retries included. */
export const CLEAR_MAX_LIFTS = 16
/** Time one clear() keeps discovering, ms (a lift started before it ends still runs to its decision). */
export const CLEAR_BUDGET_MS = 30_000
/** Lifts in a row that did not end good before clear() gives up (each retried with a fresh discovery). */
export const CLEAR_RETRIES = 3
/** Mean backoff before the first retry, ms (doubling after each further miss; randomized ±50 %). */
export const CLEAR_BACKOFF_MS = 500

/** With a clearing plan: each node's first walk starts at a random moment within this, ms. */
export const WALK_SPREAD_MS = 10_000
/** Mean pause between one node's walks, ms (a walk of WALK_TTL hops at ~50 ms a hop takes ~6 s). */
export const WALK_PAUSE_MS = 3_000
/** Walks in a row that claimed nothing of this node's plan before it stops walking. */
export const WALK_MISSES = 4

/** Default share of the units a payment accepts as route fee when the payer names no maximum: 1 %. */
const DEFAULT_FEE_SHARE = 0.01

const PayRequestSchema = v.strictObject({
  to: UserIdSchema,
  units: UnitsSchema,
  maxFee: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0)))
})
const QuoteRequestSchema = v.strictObject({ to: UserIdSchema, units: UnitsSchema })

function parse<T> (schema: v.GenericSchema<unknown, T>, input: unknown, what: string): T {
  const r = v.safeParse(schema, input)
  if (!r.success) throw new MalformedError(`${what}: ${v.summarize(r.issues)}`)
  return r.output
}

export class LiftService implements LiftApi {
  readonly config: LiftConfig
  readonly referee?: RefereeService
  readonly #records: LiftRecords
  readonly #engine: LiftEngine
  readonly #events = new Emitter<{ change: LiftView }>()
  /** In-process listeners on lift records (no view built: views cost a tally read each). */
  readonly #recordChanges = new Set<(lift: LiftLocal) => void>()
  #auto: AutoClearSetting = { on: false }
  #autoTimer: TimerHandle | undefined
  /** Discoveries running, and those waiting for a slot. */
  #finding = 0
  readonly #findQueue: Array<() => void> = []
  #offReferee: (() => void) | undefined
  readonly #walker: PlanWalker | undefined
  #stopped = false

  constructor (private readonly deps: LiftServiceOptions) {
    this.config = { ...DEFAULT_LIFT_CONFIG, ...deps.config }
    this.#records = new LiftRecords(deps.store, lift => {
      // A lift that will never move value gives back the planned units it claimed.
      if (lift.status === 'void' || lift.status === 'failed') deps.plan?.release(lift.id)
      for (const l of this.#recordChanges) l(lift)
      this.#emit(lift)
    })
    if (deps.referee !== false) {
      this.referee = new RefereeService({
        network: deps.network, store: deps.store, crypto: deps.crypto, clock: deps.clock, logger: deps.logger, keys: deps.keys,
        ...(deps.refereeBehaviour !== undefined ? { behaviour: deps.refereeBehaviour } : {})
      })
    }
    if (deps.plan !== undefined) {
      this.#walker = new PlanWalker({
        network: deps.network, ledger: deps.ledger, keys: deps.keys, plan: deps.plan, random: deps.random, timers: deps.timers, logger: deps.logger,
        minUnits: this.config.minUnits, lift: (discovery, hops, units) => { this.#liftLoop(discovery, hops, units) },
        ...(deps.addrsOf !== undefined ? { addrsOf: deps.addrsOf } : {})
      })
    }
    const { referee: _serve, refereeBehaviour: _behaviour, ...engineDeps } = deps
    this.#engine = new LiftEngine({
      ...engineDeps, config: this.config, records: this.#records,
      ...(this.referee !== undefined ? { referee: this.referee } : {}),
      ...(deps.addrsOf !== undefined ? { addrsOf: deps.addrsOf } : {})
    })
  }

  async start (): Promise<void> {
    await this.#records.load()
    const referee = this.referee
    if (referee !== undefined) this.#offReferee = referee.onDecided((lift, decision) => { this.#engine.learnOwn(lift, decision) })
    this.#auto = (await this.deps.store.read(async tx => await tx.get<AutoClearSetting>('lifts', AUTO_KEY))) ?? { on: false }
    this.referee?.start()
    serveLift(this.deps.network, async (message, from) => { await this.#engine.handle(message, from) })
    this.#engine.start()
    this.deps.plan?.start()
    this.#walker?.start()
    this.deps.route.start()
    this.#scheduleAutoClear()
  }

  stop (): void {
    this.#stopped = true
    this.deps.network.unhandle(LIFT_PROTOCOL)
    this.referee?.stop()
    this.#offReferee?.()
    this.deps.route.stop()
    this.deps.plan?.stop()
    this.#walker?.stop()
    this.#engine.stop()
    if (this.#autoTimer !== undefined) this.deps.timers.clearTimeout(this.#autoTimer)
  }

  /** The tallies as the lift services see them (for the simulator and tests). */
  get ledger (): LiftServiceDeps['ledger'] { return this.deps.ledger }

  /** This node's referee, as a lift record names it (for other nodes' `referees` config). */
  refereeRef (): RefereeRef {
    const addrs = (this.deps.network.addrs?.() ?? []).filter(a => a.length <= 256).slice(0, 8)
    return { key: this.deps.keys.referee.key, peer: this.deps.network.peerId, ...(addrs.length > 0 ? { addrs } : {}) }
  }

  // ---- LiftApi ----

  async quote (request: { to: string, units: number }): Promise<LiftQuote> {
    const { to, units } = parse(QuoteRequestSchema, request, 'quote request')
    const { chosen } = await this.findLinear(to, units)
    return { to, units, fee: chosen.fee, legs: chosen.plan.hops.length }
  }

  async pay (request: PayAnyoneRequest): Promise<LiftView> {
    const { to, units, maxFee } = parse(PayRequestSchema, request, 'payment request')
    let found: Awaited<ReturnType<LiftService['findLinear']>>
    try {
      found = await this.findLinear(to, units)
      const limit = maxFee ?? Math.floor(units * DEFAULT_FEE_SHARE)
      if (found.chosen.fee > limit) throw new FeeTooHighError(found.chosen.fee, limit)
    } catch (err) {
      // The user is told (the call rejects) and the attempt stays in the list as failed.
      if (isChipsError(err)) await this.#failed('linear', units, to, err)
      throw err
    }
    const started = await this.#engine.originate('linear', found.discovery, found.chosen, to)
    return await this.#settled(started)
  }

  /**
   * Discovers, lifts the best circular plan and waits for its decision; with config.clearLifts > 1 it then
   * discovers again (drains this node's cycles), up to clearLifts good lifts, CLEAR_MAX_LIFTS lifts in all,
   * within CLEAR_BUDGET_MS. A lift that did not end good (usually lost to a
   * concurrent lift that took the same free lading first: OVER_BOUND / OVER_LIMIT at a hop, the chit refused;
   * see #lostRace) is retried with a fresh discovery after a random backoff, at most CLEAR_RETRIES times in a row.
   * Resolves with the first good lift, else the last one tried; undefined when there was nothing to clear.
   */
  async clear (): Promise<LiftView | undefined> {
    this.#assertRunning()
    const plan = this.deps.plan
    if (plan !== undefined && (this.config.planMs ?? 0) > 0) return await this.#clearPlanned(plan)
    const until = this.deps.clock.now() + CLEAR_BUDGET_MS
    let good: LiftView | undefined
    let last: LiftView | undefined
    let misses = 0
    let goods = 0
    for (let made = 0; made < CLEAR_MAX_LIFTS && !this.#stopped && this.deps.clock.now() < until; made++) {
      const discovery = await this.#find({ kind: 'circular', units: this.config.minUnits, maxDepth: this.config.clearDepth ?? this.config.maxDepth })
      if (this.#stopped) break
      const pick = pickCircular(discovery.plans, this.config.minUnits)
      if (pick === undefined) break
      const started = await this.#engine.originate('circular', discovery, { plan: pick.plan, units: pick.plan.hops.map(() => pick.units), fee: 0 })
      last = await this.#settled(started)
      if (last.status === 'good') {
        good ??= last
        misses = 0
        if (++goods >= Math.max(1, this.config.clearLifts ?? 1)) break
        continue
      }
      if (!this.#lostRace(started.id) || ++misses > CLEAR_RETRIES) break
      await this.#sleep(this.#backoff(misses))
    }
    return good ?? last
  }

  /**
   * clear() with a clearing plan (docs/lifts.md §10): start or join a plan epoch, wait until it settled, then
   * walk the plan (plan-walk.ts) from this node's planned edges, once at a random moment of the first
   * WALK_SPREAD_MS and again every WALK_PAUSE_MS or so while the plan is in force and this node's unclaimed
   * planned units keep shrinking; the loops the walks close are lifted by the nodes that close them.
   * Resolves with the first good lift this node originated meanwhile, else the last one decided.
   */
  async #clearPlanned (plan: ClearingPlan): Promise<LiftView | undefined> {
    await plan.settle()
    const walker = this.#walker
    if (walker === undefined) return undefined
    let good: LiftLocal | undefined
    let last: LiftLocal | undefined
    const listener = (lift: LiftLocal): void => {
      if (lift.role !== 'originator' || lift.kind !== 'circular' || (lift.status !== 'good' && lift.status !== 'void')) return
      last = lift
      if (lift.status === 'good') good ??= lift
    }
    this.#recordChanges.add(listener)
    const off = (): void => { this.#recordChanges.delete(listener) }
    try {
      await this.#sleep(this.#jitter(WALK_SPREAD_MS))
      let left = this.#plannedLeft(plan)
      let misses = 0
      while (!this.#stopped && plan.inForce() && left >= this.config.minUnits) {
        // No walk when every planned edge of mine is held by other walks: their loops may take it.
        walker.walk()
        await this.#sleep(WALK_PAUSE_MS + this.#jitter(WALK_PAUSE_MS))
        const now = this.#plannedLeft(plan)
        // Nothing of mine claimed since the last walk: its loops went elsewhere or died; a few more, then stop.
        if (now >= left && ++misses >= WALK_MISSES) break
        if (now < left) misses = 0
        left = now
      }
    } finally { off() }
    const result = good ?? last
    return result === undefined ? undefined : await this.#view(result)
  }

  /** Unclaimed planned units where this node gives (held for walks or not). */
  #plannedLeft (plan: ClearingPlan): number {
    return this.deps.ledger.tallies().reduce((sum, t) => sum + (plan.unclaimed(t.id) ?? 0), 0)
  }

  /** Uniform in [0, ms). */
  #jitter (ms: number): number {
    const b = this.deps.random.bytes(2)
    return Math.floor(ms * (((b[0]! << 8) | b[1]!) / 65_536))
  }

  /** Lifts a loop a plan walk closed here (plan-walk.ts): this node originates it; the decision comes later. */
  #liftLoop (discovery: Discovery, hops: RoutePlan['hops'], units: number): void {
    if (this.#stopped) return
    this.#engine.originate('circular', discovery, { plan: { hops }, units: hops.map(() => units), fee: 0 }).catch((err: unknown) => {
      if (!(err instanceof OverPlanError)) this.deps.logger.log('info', 'lift.loop-failed', { error: err instanceof Error ? err.message : String(err) })
    })
  }

  /**
   * Whether a circular lift that did not end good looks lost to contention, worth a fresh discovery: its own
   * first chit was refused by the tally rules (failed), or it voided before every leg promised (a hop's chit
   * refused, OVER_BOUND / OVER_LIMIT, or a hop away). Not when every leg promised and the referees still
   * voided (nothing a new route changes), nor while still pending (its chits hold the lading).
   */
  #lostRace (id: string): boolean {
    const lift = this.#records.get(id)
    if (lift?.status === 'failed') return true
    return lift?.status === 'void' && lift.promises.length < lift.routeLegs
  }

  /** A random wait before retry `attempt` (1-based): uniform in [½, 1½) × CLEAR_BACKOFF_MS × 2^(attempt−1), so that racing originators spread out. */
  #backoff (attempt: number): number {
    const b = this.deps.random.bytes(2)
    const u = ((b[0]! << 8) | b[1]!) / 65_536
    return Math.round(CLEAR_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + u))
  }

  async #sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => { this.deps.timers.setTimeout(resolve, ms) })
  }

  async list (): Promise<LiftView[]> {
    const lifts = this.#records.all().sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
    return await Promise.all(lifts.map(async l => await this.#view(l)))
  }

  async get (id: string): Promise<LiftView> {
    const l = this.#records.get(id)
    if (l === undefined) throw new LiftNotFoundError(id)
    return await this.#view(l)
  }

  async autoClear (): Promise<AutoClearView> {
    return this.#autoView()
  }

  async setAutoClear (on: boolean): Promise<AutoClearView> {
    if (typeof on !== 'boolean') throw new MalformedError('auto-clearing is on or off')
    const next: AutoClearSetting = { ...this.#auto, on }
    await this.deps.store.write(async tx => { await tx.put('lifts', AUTO_KEY, next) })
    this.#auto = next
    this.#scheduleAutoClear()
    return this.#autoView()
  }

  onChange (listener: (lift: LiftView) => void): () => void {
    return this.#events.on('change', listener)
  }

  /** Asks the referees of one lift for its decision now (e.g. "check again" in the UI). */
  async refresh (id: string): Promise<LiftView> {
    if (this.#records.get(id) === undefined) throw new LiftNotFoundError(id)
    await this.#engine.refresh(id)
    return await this.get(id)
  }

  /** Queries the referees for overdue pending lifts now (recovery normally runs on a timer). */
  async recover (): Promise<void> {
    await this.#engine.recover()
  }

  // ---- internals ----

  /** Discovers routes to `to` and picks the cheapest that carries `units` (NO_ROUTE when none). */
  async findLinear (to: string, units: number): Promise<{ discovery: Awaited<ReturnType<RouteService['find']>>, chosen: ChosenPlan }> {
    this.#assertRunning()
    if (to === this.deps.identity.userId) throw new NoRouteError('a payment to oneself has no route')
    // Discovery is best effort within a time budget (a slow hop's answer comes too late): one more try
    // with a fresh session before telling the user there is no route.
    for (let attempt = 0; ; attempt++) {
      const discovery = await this.#find({ kind: 'linear', to, units })
      const chosen = linearOptions(discovery.plans, units)[0]
      if (chosen !== undefined) return { discovery, chosen }
      if (attempt >= 1) throw new NoRouteError(`no route carries ${units} units to this user`)
    }
  }

  /** One discovery, at most MAX_DISCOVERIES at once (a burst of payments would otherwise flood the partners). */
  async #find (request: Parameters<RouteService['find']>[0]): Promise<Awaited<ReturnType<RouteService['find']>>> {
    if (this.#finding >= MAX_DISCOVERIES) await new Promise<void>(resolve => { this.#findQueue.push(resolve) })
    else this.#finding++
    try {
      return await this.deps.route.find(request)
    } finally {
      const next = this.#findQueue.shift()
      if (next !== undefined) next()
      else this.#finding--
    }
  }

  /** Records a payment that found no acceptable route (no lift was made). */
  async #failed (kind: 'linear', units: number, to: string, error: ChipsError): Promise<void> {
    const now = this.deps.clock.now()
    const id = toBase64url(this.deps.random.bytes(16))
    await this.#records.update(id, () => ({
      id, kind, role: 'originator', legs: [], status: 'failed', units, fee: 0, routeLegs: 0, to, promises: [], decisions: [],
      createdAt: now, expires: now, decidedAt: now, error: { code: error.code, message: error.message }, queries: 0
    }))
  }

  /** The lift's view once decided, or as it stands when the lift's life is over. */
  async #settled (started: LiftLocal): Promise<LiftView> {
    const wait = Math.max(0, started.expires + this.config.graceMs - this.deps.clock.now())
    const lift = (await this.#engine.waitDecided(started.id, wait)) ?? started
    return await this.#view(lift)
  }

  #assertRunning (): void {
    if (this.#stopped) throw new LiftsStoppedError()
  }

  #autoView (): AutoClearView {
    return { on: this.#auto.on, intervalMs: this.config.autoClearMs, ...(this.#auto.lastRun !== undefined ? { lastRun: this.#auto.lastRun } : {}) }
  }

  #scheduleAutoClear (): void {
    if (this.#autoTimer !== undefined) this.deps.timers.clearTimeout(this.#autoTimer)
    this.#autoTimer = undefined
    if (!this.#auto.on || this.#stopped) return
    // ±25 % jitter so that the nodes of one cycle do not all start at once (research scenario 33).
    const jitter = 0.75 + 0.5 * (this.deps.random.bytes(1)[0]! / 255)
    this.#autoTimer = this.deps.timers.setTimeout(() => {
      this.#autoTimer = undefined
      void this.#runAutoClear()
    }, Math.round(this.config.autoClearMs * jitter))
  }

  async #runAutoClear (): Promise<void> {
    try {
      await this.clear()
    } catch (err) {
      this.deps.logger.log('info', 'lift.auto-clear-failed', { error: err instanceof Error ? err.message : String(err) })
    }
    if (this.#stopped) return
    const next: AutoClearSetting = { ...this.#auto, lastRun: this.deps.clock.now() }
    try {
      await this.deps.store.write(async tx => { await tx.put('lifts', AUTO_KEY, next) })
      this.#auto = next
    } catch { /* the next run records it */ }
    this.#scheduleAutoClear()
  }

  async #view (lift: LiftLocal): Promise<LiftView> {
    return await liftView(lift, this.deps.partnerName)
  }

  #emit (lift: LiftLocal): void {
    if (!this.#events.listening('change')) return
    this.#view(lift).then(view => { this.#events.emit('change', view) }, () => undefined)
  }
}
