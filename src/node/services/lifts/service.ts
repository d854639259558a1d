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
import { DEFAULT_LIFT_CONFIG, type LiftConfig, type LiftServiceDeps, type RouteService } from './contracts'
import { LiftEngine, type ChosenPlan } from './engine'
import { LiftNotFoundError, LiftsStoppedError } from './errors'
import type { RefereeRef } from '../../../core/lift/types'
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
  #auto: AutoClearSetting = { on: false }
  #autoTimer: TimerHandle | undefined
  /** Discoveries running, and those waiting for a slot. */
  #finding = 0
  readonly #findQueue: Array<() => void> = []
  #offReferee: (() => void) | undefined
  #stopped = false

  constructor (private readonly deps: LiftServiceOptions) {
    this.config = { ...DEFAULT_LIFT_CONFIG, ...deps.config }
    this.#records = new LiftRecords(deps.store, lift => { this.#emit(lift) })
    if (deps.referee !== false) {
      this.referee = new RefereeService({
        network: deps.network, store: deps.store, crypto: deps.crypto, clock: deps.clock, logger: deps.logger, keys: deps.keys,
        ...(deps.refereeBehaviour !== undefined ? { behaviour: deps.refereeBehaviour } : {})
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
    this.deps.route.start()
    this.#scheduleAutoClear()
  }

  stop (): void {
    this.#stopped = true
    this.deps.network.unhandle(LIFT_PROTOCOL)
    this.referee?.stop()
    this.#offReferee?.()
    this.deps.route.stop()
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
    this.#view(lift).then(view => { this.#events.emit('change', view) }, () => undefined)
  }
}
