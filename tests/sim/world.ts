// The simulated world of one scenario: a wallet node per user (the real node runtime, src/node/wallet-node.ts,
// on a SimNetwork endpoint, virtual time, seeded randomness and real Ed25519), tallies opened through the
// real tally flow, and the scenario's actions applied at their virtual times.
//
// Setup (before virtual t = 0 of the scenario), one of two ways that leave the same records in every store:
// - 'negotiated': every tally is negotiated over the simulated network (the stock invites, the foil redeems and
//   accepts), its starting balance is set with one real payment chit (the foil pays the stock |balance| when it
//   is negative, else the stock pays the foil), then each holder's trading variables are set with a real
//   settings chit. All tallies are opened concurrently, then the world waits until both sides of every tally
//   hold the same certified state.
// - 'direct' (the default above NEGOTIATED_UP_TO tallies): the same documents, chits and certified diary entries made by the same core functions
//   and keys, in bulk, straight into each party's store before the nodes start (tests/sim/setup-direct.ts).
// Either way the setup draws from random streams of its own and the run, from t = 0, from each user's stream (after
// its identity) and the network's, and every node starts on its store at t = 0 (no open links, no warm caches):
// what happens after t = 0 does not depend on how the setup went.
import { nobleProvider } from '../../src/core/crypto/noble'
import { webCryptoProvider } from '../../src/core/crypto/webcrypto'
import { nativeEd25519Provider } from './native-crypto'
import type { SignatureProvider } from '../../src/core/crypto/provider'
import { ChipsError } from '../../src/core/errors'
import type { Identity, LiftApi, LiftView, TallyView, WalletNode } from '../../src/node/api'
import { simIdentity } from './identity'
import { silentLogger } from '../../src/node/ports'
import type { Logger, Random } from '../../src/node/ports'
import { MemoryDatabase, openMemoryStore } from '../../src/node/store/memory'
import { SimNetwork } from '../../src/node/net/sim/network'
import type { SimNode } from '../../src/node/net/sim/network'
import { seededRandom } from '../../src/node/net/sim/random'
import { VirtualTime } from '../../src/node/net/sim/time'
import { startWalletNode } from '../../src/node/wallet-node'
import type { WalletNodeOptions } from '../../src/node/wallet-node'
import { deterministicCrypto } from './deterministic-crypto'
import { directSetup } from './setup-direct'
import { selfSignedProvider } from './setup-signed'
import type { DirectParty } from './setup-direct'
import { rememberSharedKey } from '../../src/node/services/tallies/party'
import type { MemoryStore } from '../../src/node/store/memory'
import type { DeterministicCrypto } from './deterministic-crypto'
import { SimDriver } from './driver'
import type { ParsedScenario, ScenarioAction, ScenarioTally } from './scenario'
import { RouteOracle } from './oracle'
import type { RefereeRef } from '../../src/core/lift/types'
import { DEFAULT_LIFT_CONFIG } from '../../src/node/services/lifts/contracts'
import { liftKeys } from '../../src/node/services/lifts/keys'
import { routeServiceFor } from '../../src/node/services/lifts/route-service'
import { nodeMemberIdentity } from '../../src/node/services/tallies/member'

const INVITE_BASE = 'https://sim.invalid/'
/** Session keys each simulated node remembers (LiftOptions.sessionCache). */
const SIM_SESSION_CACHE = 64
/** Virtual time the setup may take before the world refuses to start. */
const SETUP_BUDGET_MS = 30 * 60_000
/** The setup's own random streams are the run's mixed with this (the run keeps the seed's streams). */
const SETUP_STREAM = 0x736574
/** The network's stream (latency and loss draws). */
const NET_STREAM = 0x6e6574

export type SetupMode = 'negotiated' | 'direct'
/** The default setup: negotiated up to this many tallies (scenario files and tests keep exercising the real flow), direct above. */
export const NEGOTIATED_UP_TO = 100

export class SimSetupError extends ChipsError {
  constructor (message: string) { super('SIM_SETUP_FAILED', message) }
}

export interface WorldOptions {
  /**
   * Real Ed25519 from 'native' (default: Node's OpenSSL, synchronous, tests/sim/native-crypto.ts),
   * 'webcrypto' (the same OpenSSL through WebCrypto's thread pool) or 'noble' (pure JS). Same signatures
   * and verdicts, so the same report.
   */
  crypto?: 'native' | 'webcrypto' | 'noble'
  /**
   * How tallies are opened before t = 0 (docs/simulator.md "Setup"): 'negotiated' runs the tally flow over the
   * simulated network, 'direct' builds the same records in bulk into the stores before the nodes start. The
   * same stored state and the same report (but `totals.setupMessages`: 0 when direct). Default: SIM_SETUP from
   * the environment, else negotiated up to NEGOTIATED_UP_TO tallies and direct above.
   */
  setup?: SetupMode
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void
}

export interface SimUser {
  name: string
  index: number
  identity: Identity
  db: MemoryDatabase
  net: SimNode
  /** The node's randomness: the user's setup stream, then from t = 0 its run stream. */
  random: SwitchableRandom
  crypto: SignatureProvider
  /** The running node, or undefined while crashed. */
  node: WalletNode | undefined
  /** The last node that ran (reports read a crashed user's store through it). */
  last: WalletNode
  crashes: number
}

export interface SimTally {
  spec: ScenarioTally
  /** The tally id both nodes use. */
  id: string
  foil: SimUser
  stock: SimUser
}

/** What an action did (the report lists them). */
export interface ActionRecord {
  index: number
  at: number
  kind: 'clear' | 'pay' | 'invoice' | 'audit' | 'crash' | 'restart' | 'partition' | 'heal'
  /** Direct payments: the tally and outcome; lifts: their ids; failures: the error. */
  lifts: string[]
  tally?: string
  status?: string
  error?: { code: string, message: string }
}

export class SimWorld {
  readonly time = new VirtualTime()
  readonly net: SimNetwork
  readonly crypto: DeterministicCrypto
  readonly driver: SimDriver
  readonly users = new Map<string, SimUser>()
  readonly tallies: SimTally[] = []
  readonly actions: ActionRecord[] = []
  /** Virtual time at which the scenario's t = 0 fell (after setup). */
  start = 0
  setupMessages = 0
  readonly #log: (line: string) => void
  readonly setupMode: SetupMode
  /** Each user's stream after its identity: its node's randomness from t = 0. */
  readonly #runStreams = new Map<string, Random>()
  /** A backend instance per node: WebCrypto keeps a small cache of imported private keys per instance. */
  readonly #backend: () => SignatureProvider
  readonly #oracle = new RouteOracle(userId => [...this.users.values()].some(u => u.identity.userId === userId && u.node !== undefined))
  /** The scenario's referees, as lift records name them (undefined: each originator's own referee). */
  #referees: RefereeRef[] | undefined
  /** Lying referee → peer ids it lies to. */
  readonly #liesTo = new Map<string, Set<string>>()
  /** Work started by actions that is not finished yet. */
  readonly #busy = new Set<Promise<unknown>>()

  constructor (readonly scenario: ParsedScenario, options: WorldOptions = {}) {
    const native = options.crypto === undefined || options.crypto === 'native' ? nativeEd25519Provider() : undefined
    this.#backend = native !== undefined ? () => native : options.crypto === 'noble' ? () => nobleProvider : () => webCryptoProvider(globalThis.crypto.subtle)
    this.crypto = deterministicCrypto(this.#backend())
    this.driver = new SimDriver(this.time, this.crypto)
    const [minMs, maxMs] = scenario.network.latencyMs
    this.net = new SimNetwork({
      timers: this.time.timers,
      random: seededRandom(mix(mix(scenario.seed, NET_STREAM), SETUP_STREAM)),
      latency: { minMs, maxMs },
      // Setup runs without loss (negotiation has no retry of its own); the scenario's loss starts at t = 0.
      loss: 0
    })
    this.#log = options.log ?? (() => {})
    const mode = options.setup ?? process.env.SIM_SETUP ?? (scenario.tallies.length <= NEGOTIATED_UP_TO ? 'negotiated' : 'direct')
    if (mode !== 'direct' && mode !== 'negotiated') throw new SimSetupError(`unknown setup ${mode} (direct or negotiated)`)
    this.setupMode = mode
  }

  // ---- setup ----

  async build (): Promise<void> {
    const { scenario } = this
    const direct = this.setupMode === 'direct'
    for (const [index, name] of scenario.users.entries()) {
      const stream = seededRandom(mix(scenario.seed, index + 1))
      const random = new SwitchableRandom(stream)
      const db = new MemoryDatabase()
      const store = await openMemoryStore(db)
      // Identities are made one at a time outside virtual time (key generation and one signature), with the
      // run's backend (every backend gives the same keys and signatures).
      const identity = await simIdentity({ store, crypto: this.#backend(), random, now: this.time.now }, name)
      await store.close()
      const net = this.net.node(identity.peerId)
      // The user's own stream gave its identity and goes on from t = 0; the setup draws from a stream of its own.
      random.use(seededRandom(mix(mix(scenario.seed, index + 1), SETUP_STREAM)))
      this.#runStreams.set(name, stream)
      const user: SimUser = { name, index, identity, db, net, random, crypto: this.crypto.wrap(this.#backend()), node: undefined, last: undefined as unknown as WalletNode, crashes: 0 }
      this.users.set(name, user)
    }
    this.#log(`sim: ${this.users.size} identities`)
    if (scenario.referees !== undefined) {
      this.#referees = scenario.referees.map(name => {
        const u = this.user(name)
        return { key: liftKeys(nodeMemberIdentity(u.identity.peerKey).secret).referee.key, peer: u.identity.peerId }
      })
    }
    for (const lie of scenario.lie) {
      const set = this.#liesTo.get(lie.referee) ?? new Set<string>()
      for (const name of lie.to) set.add(this.user(name).identity.peerId)
      this.#liesTo.set(lie.referee, set)
    }
    if (direct) {
      await this.#buildTallies()
      await this.#bootAll()
    } else {
      await this.#bootAll()
      await this.#openTallies()
      // The run starts from nodes started on their stores either way (no open links, no warm caches), so that it
      // goes the same whichever setup made the stores.
      const stopped = await this.driver.runFor(Promise.all([...this.users.values()].map(async u => { await u.node?.stop() })), this.time.now + SETUP_BUDGET_MS)
      if (stopped === undefined) throw new SimSetupError('the nodes did not stop after the setup')
      await this.#bootAll()
    }
    this.setupMessages = this.net.counters.delivered
    this.start = this.time.now
    this.net.options.loss = scenario.network.loss
    // From t = 0 the run's streams: the run does not depend on how the setup drew.
    this.net.options.random = seededRandom(mix(scenario.seed, NET_STREAM))
    for (const u of this.users.values()) u.random.use(this.#runStreams.get(u.name)!)
  }

  async #bootAll (): Promise<void> {
    const started = await this.driver.runFor(Promise.all([...this.users.values()].map(async u => { await this.boot(u) })), this.time.now + SETUP_BUDGET_MS)
    if (started === undefined) throw new SimSetupError('the nodes did not start')
    this.#log(`sim: ${this.users.size} nodes running`)
  }

  /** The direct setup (setup-direct.ts): every tally into its parties' stores, before the nodes start. */
  async #buildTallies (): Promise<void> {
    const parties = new Map<string, DirectParty>()
    const stores = new Map<string, MemoryStore>()
    for (const [name, u] of this.users) {
      // Its own store session, as the negotiated setup's first node session writes them.
      const store = await openMemoryStore(u.db)
      stores.set(name, store)
      parties.set(name, { name, identity: u.identity, random: u.random, addrs: u.net.addrs(), store })
    }
    // Outside virtual time, like the identities: nothing is in flight, so any backend gives the same records.
    // Every signature the setup checks was made by it moments before (setup-signed.ts: the same verdicts).
    const built = await directSetup(parties, this.scenario.tallies, { crypto: selfSignedProvider(this.#backend()), now: this.time.now, inviteBase: INVITE_BASE })
    for (const store of stores.values()) await store.close()
    for (const t of built) {
      const foil = this.user(t.spec.foil)
      const stock = this.user(t.spec.stock)
      this.tallies.push({ spec: t.spec, id: t.id, foil, stock })
      // The memo key each node would have computed while negotiating (an X25519 agreement costs ~1 ms in JS).
      rememberSharedKey(stock.identity, t.negotiation.stock.doc, 'stock', t.sharedKey)
      rememberSharedKey(foil.identity, t.negotiation.foil.doc, 'foil', t.sharedKey)
    }
    this.#log(`sim: ${this.tallies.length} tallies built into the stores`)
  }

  /** SIM_DEBUG=1: the nodes' lift, referee and warning logs on stderr, with virtual time. */
  #logger (name: string): Logger {
    if (process.env.SIM_DEBUG === undefined) return silentLogger
    return {
      log: (level, event, fields) => {
        if (event.startsWith('lift') || event.startsWith('referee') || event.startsWith('route') || event.startsWith('plan') || level === 'warn' || level === 'error') {
          process.stderr.write(`${this.now()} ${name} ${level} ${event} ${JSON.stringify(fields ?? {})}\n`)
        }
      }
    }
  }

  /** Starts (or restarts after a crash) the user's node on its own database. */
  async boot (user: SimUser): Promise<WalletNode> {
    const store = await openMemoryStore(user.db)
    const { scenario } = this
    const options: WalletNodeOptions = {
      identity: user.identity, store, crypto: user.crypto, clock: this.time.clock, timers: this.time.timers,
      random: user.random, logger: this.#logger(user.name),
      network: { kind: 'given', network: user.net },
      tallies: { retry: { initialMs: 1000, maxMs: 8000 } },
      recovery: false,
      lifts: {
        config: { ...definedOnly(scenario.lifts), ...(this.#referees !== undefined ? { referees: this.#referees } : {}) },
        // 'nodes': the route service of src/node/services/lifts (named here until wallet-node makes it its default).
        // Session keys are a pure function of the session (a smaller cache only recomputes them): a real node's
        // 2,048 sessions times 1,000 simulated nodes would hold hundreds of MB.
        sessionCache: SIM_SESSION_CACHE,
        route: scenario.discovery === 'oracle' ? deps => this.#oracle.service(deps, scenario.lifts.maxDepth ?? DEFAULT_LIFT_CONFIG.maxDepth) : deps => routeServiceFor(deps),
        ...(this.#liesTo.has(user.name) ? { refereeBehaviour: { equivocate: (peer: string) => this.#liesTo.get(user.name)!.has(peer) } } : {})
      }
    }
    const node = await startWalletNode(options)
    user.node = node
    user.last = node
    return node
  }

  async #openTallies (): Promise<void> {
    const { scenario } = this
    const open = async (spec: ScenarioTally): Promise<void> => {
      const foil = this.user(spec.foil)
      const stock = this.user(spec.stock)
      const inv = await api(stock).invite(INVITE_BASE, { kind: 'extend', myLimit: spec.limit.foil, partnerLimit: spec.limit.stock, memo: spec.id })
      const offer = await api(foil).redeem(inv.link)
      await api(foil).accept(offer.id)
      const tally: SimTally = { spec, id: offer.id, foil, stock }
      this.tallies.push(tally)
      // The diary opens on both sides once the open message arrived; a chit before that only queues.
      await this.#opened(stock, tally.id, spec.id)
      if (spec.balance < 0) await api(foil).pay(tally.id, -spec.balance, 'opening balance')
      else if (spec.balance > 0) await api(stock).pay(tally.id, spec.balance, 'opening balance')
      for (const [holder, vars] of Object.entries(spec.trading)) {
        await api(this.user(holder)).setTradingVars(tally.id, { target: vars.target, bound: vars.bound, reward: vars.reward, clutch: vars.clutch })
      }
    }
    const all = Promise.all(scenario.tallies.map(open))
    const done = await this.driver.runFor(all, this.time.now + SETUP_BUDGET_MS)
    if (done === undefined) throw new SimSetupError('the tallies did not open within the setup budget')
    // Keep scenario order for the report (they finished in any order).
    const order = new Map(scenario.tallies.map((t, i) => [t.id, i]))
    this.tallies.sort((a, b) => (order.get(a.spec.id) ?? 0) - (order.get(b.spec.id) ?? 0))
    // Views cost an X25519 agreement each (memo keys): re-check only the tallies not settled yet.
    let unsettled = [...this.tallies]
    const settled = await this.driver.runFor(this.#until(async () => {
      const still: SimTally[] = []
      for (const t of unsettled) if (!(await this.#settledAsSpecified(t))) still.push(t)
      unsettled = still
      return still.length === 0
    }, 'both sides of every tally to agree'), this.time.now + SETUP_BUDGET_MS)
    if (settled === undefined) throw new SimSetupError('the tallies did not settle within the setup budget')
    // The last acknowledgements may still be on their way: the setup ends once nothing is in flight, so that no
    // setup message is delivered (nor any reply to one sent) after t = 0, as with the direct setup.
    const quiet = await this.driver.runFor(this.#quiet(), this.time.now + SETUP_BUDGET_MS)
    if (quiet === undefined) throw new SimSetupError('setup messages were still in flight at the end of the setup budget')
    this.#log(`sim: ${this.tallies.length} tallies open and settled`)
  }

  /** Resolves once every message sent on the network was delivered, lost or blocked (checked every virtual ms). */
  async #quiet (): Promise<void> {
    const c = this.net.counters
    while (c.sent > c.delivered + c.lost + c.blocked) await new Promise<void>(resolve => { this.time.timers.setTimeout(resolve, 1) })
  }

  async #settledAsSpecified (t: SimTally): Promise<boolean> {
    const [f, s] = await Promise.all([api(t.foil).get(t.id), api(t.stock).get(t.id)])
    const vars = (v: TallyView['myVars']): string => JSON.stringify(v ?? { target: 0, bound: 0, reward: 0, clutch: 0 })
    const want = (holder: string): string => {
      const x = t.spec.trading[holder]
      return JSON.stringify(x === undefined ? { target: 0, bound: 0, reward: 0, clutch: 0 } : { target: x.target, bound: x.bound, reward: x.reward, clutch: x.clutch })
    }
    return f.balance === t.spec.balance && s.balance === -t.spec.balance && f.queued === 0 && s.queued === 0 &&
      f.seq === s.seq && vars(f.myVars) === want(t.spec.foil) && vars(s.myVars) === want(t.spec.stock) &&
      vars(f.partnerVars) === want(t.spec.stock) && vars(s.partnerVars) === want(t.spec.foil)
  }

  /** Resolves once the user's node shows the tally open (on its change events; checked once first). */
  async #opened (user: SimUser, tally: string, name: string): Promise<void> {
    const tallies = api(user)
    await new Promise<void>((resolve, reject) => {
      let done = false
      const finish = (err?: Error): void => {
        if (done) return
        done = true
        off()
        this.time.timers.clearTimeout(timer)
        if (err === undefined) resolve(); else reject(err)
      }
      const off = tallies.onChange(view => { if (view.id === tally && view.status === 'open') finish() })
      const timer = this.time.timers.setTimeout(() => { finish(new SimSetupError(`gave up waiting for tally ${name} to open`)) }, SETUP_BUDGET_MS)
      tallies.get(tally).then(view => { if (view.status === 'open') finish() }, (err: unknown) => { finish(err instanceof Error ? err : new Error(String(err))) })
    })
  }

  /** Polls `test` every virtual second (settled in between) until it holds. */
  async #until (test: () => Promise<boolean>, what: string): Promise<void> {
    for (let i = 0; i < 3600; i++) {
      if (await test()) return
      await new Promise<void>(resolve => { this.time.timers.setTimeout(resolve, 1000) })
    }
    throw new SimSetupError(`gave up waiting for ${what}`)
  }

  user (name: string): SimUser {
    const u = this.users.get(name)
    if (u === undefined) throw new SimSetupError(`unknown user ${name}`)
    return u
  }

  // ---- actions ----

  /** Schedules every action at its virtual time, then runs until the scenario's `until`. */
  async run (): Promise<void> {
    this.scenario.actions.forEach((action, index) => {
      if (action.at > this.scenario.until) return
      this.time.timers.setTimeout(() => { this.#apply(action, index) }, action.at)
    })
    await this.driver.runUntil(this.start + this.scenario.until)
  }

  /** Virtual ms since the scenario's t = 0. */
  now (): number { return this.time.now - this.start }

  #track (work: Promise<unknown>): void {
    const p = work.catch(() => undefined).finally(() => { this.#busy.delete(p) })
    this.#busy.add(p)
  }

  #apply (action: ScenarioAction, index: number): void {
    const at = this.now()
    if ('clear' in action) {
      const rec: ActionRecord = { index, at, kind: 'clear', lifts: [] }
      this.actions.push(rec)
      const who = action.clear === 'all' ? this.scenario.users : [action.clear]
      // 'all': each user in turn looks for one circular lift (one after the other, so they do not race).
      this.#track((async () => {
        for (const name of who) {
          const node = this.user(name).node
          if (node?.lifts === undefined) continue
          try {
            const lift = await node.lifts.clear()
            if (lift !== undefined) rec.lifts.push(lift.id)
          } catch (err) {
            rec.error = errorOf(err)
          }
        }
      })())
    } else if ('pay' in action) {
      const { from, to, units } = action.pay
      const rec: ActionRecord = { index, at, kind: 'pay', lifts: [] }
      this.actions.push(rec)
      const payer = this.user(from)
      const shared = this.tallies.find(t => (t.foil.name === from && t.stock.name === to) || (t.stock.name === from && t.foil.name === to))
      this.#track((async () => {
        const node = payer.node
        if (node === undefined) { rec.error = { code: 'NODE_DOWN', message: `${from} is crashed` }; return }
        try {
          if (shared !== undefined) {
            rec.tally = shared.spec.id
            const chit = await node.tallies!.pay(shared.id, units, `action ${index}`)
            rec.status = chit.status
          } else {
            if (node.lifts === undefined) throw new ChipsError('NO_LIFTS', 'this node has no lift service')
            const lift = await node.lifts.pay({ to: this.user(to).identity.userId, units })
            rec.lifts.push(lift.id)
            rec.status = lift.status
          }
        } catch (err) {
          rec.error = errorOf(err)
        }
      })())
    } else if ('invoice' in action) {
      // An invoice left unpaid: it must never count as lift capacity (research scenario 31).
      const { from, to, units } = action.invoice
      const rec: ActionRecord = { index, at, kind: 'invoice', lifts: [] }
      this.actions.push(rec)
      const shared = this.tallies.find(t => (t.foil.name === from && t.stock.name === to) || (t.stock.name === from && t.foil.name === to))!
      rec.tally = shared.spec.id
      this.#track((async () => {
        try {
          const node = this.user(from).node
          if (node?.tallies === undefined) throw new ChipsError('NODE_DOWN', `${from} is crashed`)
          rec.status = (await node.tallies.invoice(shared.id, units, `action ${index}`)).status
        } catch (err) {
          rec.error = errorOf(err)
        }
      })())
    } else if ('audit' in action) {
      // The user's node asks the referees of every lift it knows for their decision (the UI's "check again"):
      // a referee that told others something else is caught as a fraud proof (research scenario 36).
      const rec: ActionRecord = { index, at, kind: 'audit', lifts: [] }
      this.actions.push(rec)
      const lifts = this.user(action.audit).node?.lifts
      this.#track((async () => {
        if (lifts === undefined || !hasRefresh(lifts)) { rec.error = { code: 'NO_LIFTS', message: `${action.audit} cannot audit lifts` }; return }
        for (const l of await lifts.list()) {
          try {
            await lifts.refresh(l.id)
            rec.lifts.push(l.id)
          } catch (err) {
            rec.error = errorOf(err)
          }
        }
      })())
    } else if ('crash' in action) {
      const user = this.user(action.crash)
      const rec: ActionRecord = { index, at, kind: 'crash', lifts: [] }
      this.actions.push(rec)
      const node = user.node
      if (node === undefined) { rec.status = 'already-down'; return }
      user.node = undefined
      user.crashes++
      this.#track(node.stop())
      if (action.for !== undefined) {
        this.time.timers.setTimeout(() => {
          const again: ActionRecord = { index, at: this.now(), kind: 'restart', lifts: [] }
          this.actions.push(again)
          this.#track(this.boot(user).catch((err: unknown) => { again.error = errorOf(err) }))
        }, action.for)
      }
    } else {
      const groups = action.partition.map(g => g.map(name => this.user(name).identity.peerId))
      this.actions.push({ index, at, kind: 'partition', lifts: [] })
      this.net.partition(groups)
      if (action.for !== undefined) {
        this.time.timers.setTimeout(() => {
          this.actions.push({ index, at: this.now(), kind: 'heal', lifts: [] })
          this.net.heal()
        }, action.for)
      }
    }
  }

  /** Actions whose work had not finished at the end of the run. */
  get unfinished (): number { return this.#busy.size }

  // ---- reading the outcome (each user from its own node and store) ----

  async read<T> (work: Promise<T>): Promise<T> {
    const done = await this.driver.runFor(work, this.time.now)
    if (done === undefined) throw new SimSetupError('a read did not finish without time passing')
    return done.value
  }

  async liftsOf (user: SimUser): Promise<LiftView[]> {
    const lifts = user.last.lifts
    if (lifts === undefined) return []
    return await lifts.list()
  }

  async stop (): Promise<void> {
    await this.read(Promise.all([...this.users.values()].map(async u => { await u.node?.stop() })))
  }
}

/** A Random whose stream can be replaced (at t = 0) while the node keeps the same object. */
export class SwitchableRandom implements Random {
  constructor (private inner: Random) {}
  bytes (length: number): Uint8Array { return this.inner.bytes(length) }
  use (inner: Random): void { this.inner = inner }
}

function api (user: SimUser): NonNullable<WalletNode['tallies']> {
  const t = user.node?.tallies
  if (t === undefined) throw new SimSetupError(`${user.name} has no running tally service`)
  return t
}

export function errorOf (err: unknown): { code: string, message: string } {
  if (err instanceof ChipsError) return { code: err.code, message: err.message }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) }
}

function hasRefresh (lifts: LiftApi): lifts is LiftApi & { refresh: (id: string) => Promise<LiftView> } {
  return typeof (lifts as { refresh?: unknown }).refresh === 'function'
}

function definedOnly<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** A 32-bit seed for one stream of the run (users, network) from the scenario seed. */
export function mix (seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}
