// The simulator's output (docs/simulator.md): what every node holds at `until`, read from each user's own
// node and store, plus totals and cross-checks. Built in a fixed order from seeded data only, so the same
// seed gives the same bytes (timings are never part of it).
import type { ChitView, LiftView, TallyView } from '../../src/node/api'
import { canonicalJson } from '../../src/core/codec/canonical'
import type { TallyState } from '../../src/core/tally/state'
import type { LiftLedger } from '../../src/node/services/lifts/contracts'
import type { SimTally, SimUser, SimWorld } from './world'
import { errorOf } from './world'

export interface TallyReport {
  id: string
  foil: string
  stock: string
  /** What the foil's node holds, from the foil's side (negative: the foil owes the stock). */
  balance: number | null
  /** What the stock's node holds, from the foil's side (must equal balance). */
  stockBalance: number | null
  initial: number
  /** Certified diary head on the foil's / stock's node. */
  seq: number | null
  stockSeq: number | null
  /** Lift chits on this tally still pending in the foil's certified state. */
  pendingLifts: number
}

export type LiftStatus = 'good' | 'void' | 'pending' | 'failed'

export interface LiftReport {
  id: string
  kind: 'circular' | 'linear'
  status: LiftStatus
  units: number
  legs: number
  /** Circular: units × legs when good (debt removed from the network); 0 otherwise. */
  debtCleared: number
  /** Index of the action that started it (-1 when started by no action, e.g. auto-clearing). */
  action: number
  origin: string
  to?: string
  fee: number
  /** Virtual ms from the scenario's t = 0. */
  createdAt: number
  decidedAt?: number
  fraud?: true
  error?: string
}

export interface UserReport {
  /** Sum of the user's certified balances from its own side, from its own node. */
  net: number | null
  initialNet: number
  /** Node state at `until`. */
  up: boolean
  crashes: number
}

export interface ChecksReport {
  /** Both sides of every tally hold the same balance, diary head and certified state (chit index, pending chits, variables). */
  tallyAgreement: { ok: boolean, failures: string[] }
  /** Σ users' nets (each from its own store) = 0. */
  conservation: { ok: boolean, sum: number }
  /** No balance past a credit limit on either side. */
  limits: { ok: boolean, failures: string[] }
  /** No lift raised a holder's balance past max(its starting balance, its bound) (tallies without direct payments). */
  bounds: { ok: boolean, failures: string[] }
  /** Every node that knows a lift and holds it decided holds the same outcome. */
  liftAgreement: { ok: boolean, failures: string[] }
  /** Circular lifts leave every net unchanged; only checked when the run made no payments (null otherwise). */
  harmless: { ok: boolean, failures: string[] } | null
}

export interface SimReport {
  seed: number
  until: number
  tallies: TallyReport[]
  lifts: LiftReport[]
  users: Record<string, UserReport>
  actions: Array<{ index: number, at: number, kind: string, lifts: string[], tally?: string, status?: string, error?: { code: string, message: string } }>
  totals: {
    liftsTried: number
    good: number
    void: number
    pending: number
    /** Lifts that were asked for but never made (no route, refused before any chit). */
    failed: number
    unitsCleared: number
    /** Σ over tallies of (|initial balance| − |final balance|), from the foil's nodes. */
    debtReduction: number
    /** Deliveries on the simulated network after setup (discovery included). */
    messages: number
    setupMessages: number
    lost: number
    blocked: number
    fraud: number
  }
  checks: ChecksReport
}

export async function buildReport (world: SimWorld): Promise<SimReport> {
  const { scenario } = world
  const views = new Map<string, { foil?: TallyView, stock?: TallyView, foilChits?: ChitView[], stockChits?: ChitView[] }>()
  const view = async (u: SimUser, id: string): Promise<{ view?: TallyView, chits?: ChitView[] }> => {
    const api = u.last.tallies
    if (api === undefined) return {}
    try {
      const v = await api.get(id)
      // The certified state is compared directly when the ledger has it (cheap); the chit history otherwise.
      return certifiedState(u, id) !== undefined ? { view: v } : { view: v, chits: await api.chits(id) }
    } catch {
      return {}
    }
  }
  for (const t of world.tallies) {
    const [f, s] = await world.read(Promise.all([view(t.foil, t.id), view(t.stock, t.id)]))
    views.set(t.id, { foil: f.view, stock: s.view, foilChits: f.chits, stockChits: s.chits })
  }

  const tallies: TallyReport[] = world.tallies.map(t => {
    const v = views.get(t.id)!
    return {
      id: t.spec.id,
      foil: t.foil.name,
      stock: t.stock.name,
      balance: v.foil?.balance ?? null,
      stockBalance: v.stock === undefined ? null : 0 - v.stock.balance,
      initial: t.spec.balance,
      seq: v.foil?.seq ?? null,
      stockSeq: v.stock?.seq ?? null,
      pendingLifts: pendingLiftChits(t.foil, t.id)
    }
  })

  // Lifts: the originator's view is the lift's status; every other node's view is checked against it.
  const byUser = new Map<string, LiftView[]>()
  for (const u of world.users.values()) byUser.set(u.name, await world.read(world.liftsOf(u).catch(() => [])))
  const actionOf = new Map<string, number>()
  for (const a of world.actions) if (a.kind === 'clear' || a.kind === 'pay') for (const id of a.lifts) actionOf.set(id, a.index)
  // A lift whose action has not returned yet (still pending): the latest clear or pay by its originator
  // that fired at or before the lift's creation.
  const startedBy = (origin: string, createdAt: number): number => {
    let found = -1
    for (const a of world.actions) {
      if (a.at > createdAt) break
      const action = world.scenario.actions[a.index]
      if (action === undefined) continue
      if (('clear' in action && (action.clear === 'all' || action.clear === origin)) || ('pay' in action && action.pay.from === origin)) found = a.index
    }
    return found
  }
  const lifts: LiftReport[] = []
  // A fraud proof held by any node marks the lift (the originator may not be the one that saw it).
  const fraudSeen = new Set([...byUser.values()].flat().filter(l => l.fraud === true).map(l => l.id))
  const userOf = new Map([...world.users.values()].map(u => [u.identity.userId, u.name]))
  for (const u of world.users.values()) {
    for (const l of byUser.get(u.name) ?? []) {
      if (l.role !== 'originator') continue
      const status = liftStatus(l)
      lifts.push({
        id: l.id,
        kind: l.kind,
        status,
        units: l.units,
        legs: l.legs,
        debtCleared: l.kind === 'circular' && status === 'good' ? l.units * l.legs : 0,
        action: actionOf.get(l.id) ?? startedBy(u.name, l.createdAt - world.start),
        origin: u.name,
        ...(l.to !== undefined ? { to: userOf.get(l.to) ?? l.to } : {}),
        fee: l.fee,
        createdAt: l.createdAt - world.start,
        ...(l.decidedAt !== undefined ? { decidedAt: l.decidedAt - world.start } : {}),
        ...(l.fraud === true || fraudSeen.has(l.id) ? { fraud: true as const } : {}),
        ...(l.error !== undefined ? { error: l.error.code } : {})
      })
    }
  }
  lifts.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

  // Nets: each user from its own views of its tallies.
  const users: Record<string, UserReport> = {}
  for (const u of world.users.values()) {
    let net: number | null = 0
    let initialNet = 0
    for (const t of world.tallies) {
      const v = views.get(t.id)!
      if (t.foil === u) {
        initialNet += t.spec.balance
        net = net === null || v.foil === undefined ? null : net + v.foil.balance
      } else if (t.stock === u) {
        initialNet -= t.spec.balance
        net = net === null || v.stock === undefined ? null : net + v.stock.balance
      }
    }
    users[u.name] = { net, initialNet: initialNet + 0, up: u.node !== undefined, crashes: u.crashes }
  }

  const checks = buildChecks(world, tallies, views, byUser, users)
  const made = lifts.filter(l => l.status !== 'failed')
  const c = world.net.counters
  return {
    seed: scenario.seed,
    until: scenario.until,
    tallies,
    lifts,
    users,
    actions: world.actions.map(a => ({ ...a, lifts: [...a.lifts] })),
    totals: {
      liftsTried: made.length,
      good: made.filter(l => l.status === 'good').length,
      void: made.filter(l => l.status === 'void').length,
      pending: made.filter(l => l.status === 'pending').length,
      failed: failedAttempts(world, lifts),
      unitsCleared: made.reduce((n, l) => n + l.debtCleared, 0),
      debtReduction: tallies.reduce((n, t) => n + (t.balance === null ? 0 : Math.abs(t.initial) - Math.abs(t.balance)), 0),
      messages: c.delivered - world.setupMessages,
      setupMessages: world.setupMessages,
      lost: c.lost,
      blocked: c.blocked,
      fraud: made.filter(l => l.fraud === true).length
    },
    checks
  }
}

/** Lifts asked for but never made: failed lifts, and linear payments refused before any lift existed (once per action). */
function failedAttempts (world: SimWorld, lifts: LiftReport[]): number {
  const failed = lifts.filter(l => l.status === 'failed')
  const actions = new Set(failed.map(l => l.action).filter(a => a >= 0))
  const refused = world.actions.filter(a => a.kind === 'pay' && a.tally === undefined && a.lifts.length === 0 && a.error !== undefined && !actions.has(a.index))
  return failed.length + refused.length
}

/** The tally's certified state on this user's node (through its lift service's ledger), if open there. */
function certifiedState (user: SimUser, tally: string): TallyState | undefined {
  const ledger = (user.last.lifts as { ledger?: LiftLedger } | undefined)?.ledger
  return ledger?.tally(tally)?.state
}

/** Lift chits still pending on a tally in this user's certified state. */
function pendingLiftChits (user: SimUser, tally: string): number {
  return Object.values(certifiedState(user, tally)?.pending ?? {}).filter(c => c.kind === 'lift').length
}

function liftStatus (l: LiftView): LiftStatus {
  if (l.status === 'good' || l.status === 'void' || l.status === 'failed') return l.status
  return 'pending'
}

function buildChecks (
  world: SimWorld,
  tallies: TallyReport[],
  views: Map<string, { foil?: TallyView, stock?: TallyView, foilChits?: ChitView[], stockChits?: ChitView[] }>,
  byUser: Map<string, LiftView[]>,
  users: Record<string, UserReport>
): ChecksReport {
  const agreement: string[] = []
  const limits: string[] = []
  const bounds: string[] = []
  const paidTallies = new Set(world.actions.filter(a => a.kind === 'pay' && a.tally !== undefined).map(a => a.tally))
  world.tallies.forEach((t: SimTally, i) => {
    const r = tallies[i]!
    const v = views.get(t.id)!
    if (r.balance === null || r.stockBalance === null) { agreement.push(`${r.id}: a side could not be read`); return }
    if (r.balance !== r.stockBalance) agreement.push(`${r.id}: foil holds ${r.balance}, stock holds ${r.stockBalance}`)
    if (r.seq !== r.stockSeq) agreement.push(`${r.id}: diary heads ${r.seq} and ${r.stockSeq}`)
    const [fs, ss] = [certifiedState(t.foil, t.id), certifiedState(t.stock, t.id)]
    if (fs !== undefined && ss !== undefined) {
      // The whole certified state: balance, both parties' keys and trading variables, pending chits, the chit index, actions applied.
      if (canonicalJson(fs) !== canonicalJson(ss)) agreement.push(`${r.id}: certified states differ`)
    } else {
      const certified = (chits: ChitView[] | undefined, sign: number): string =>
        JSON.stringify((chits ?? []).filter(c => c.seq !== undefined).map(c => [c.id, c.seq, sign * c.units + 0, c.status]))
      if (certified(v.foilChits, 1) !== certified(v.stockChits, -1)) agreement.push(`${r.id}: certified histories differ`)
    }
    if (r.balance < -t.spec.limit.foil) limits.push(`${r.id}: the foil owes ${-r.balance} > ${t.spec.limit.foil}`)
    if (r.balance > t.spec.limit.stock) limits.push(`${r.id}: the stock owes ${r.balance} > ${t.spec.limit.stock}`)
    if (!paidTallies.has(t.spec.id)) {
      for (const [holder, vars] of Object.entries(t.spec.trading)) {
        const mine = holder === t.foil.name ? r.balance : -r.balance
        const start = holder === t.foil.name ? t.spec.balance : -t.spec.balance
        if (mine > Math.max(start, vars.bound)) bounds.push(`${r.id}: ${holder} holds ${mine} > max(start ${start}, bound ${vars.bound})`)
      }
    }
  })
  // Lift agreement across every node that knows the lift.
  const outcomes = new Map<string, Map<string, string>>()
  for (const [name, list] of byUser) {
    for (const l of list) {
      if (l.status !== 'good' && l.status !== 'void') continue
      const m = outcomes.get(l.id) ?? new Map<string, string>()
      m.set(name, l.status)
      outcomes.set(l.id, m)
    }
  }
  const liftFailures: string[] = []
  for (const [id, m] of [...outcomes].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    if (new Set(m.values()).size > 1) liftFailures.push(`${id}: ${[...m].map(([u, s]) => `${u}=${s}`).join(' ')}`)
  }
  const nets = Object.values(users).map(u => u.net)
  const sum = nets.every(n => n !== null) ? nets.reduce<number>((a, b) => a + (b ?? 0), 0) : Number.NaN
  const paid = world.actions.some(a => a.kind === 'pay')
  const harmless = paid
    ? null
    : Object.entries(users).filter(([, u]) => u.net !== u.initialNet).map(([name, u]) => `${name}: net ${u.net} ≠ ${u.initialNet}`)
  return {
    tallyAgreement: { ok: agreement.length === 0, failures: agreement },
    conservation: { ok: sum === 0, sum: Number.isNaN(sum) ? -1 : sum + 0 },
    limits: { ok: limits.length === 0, failures: limits },
    bounds: { ok: bounds.length === 0, failures: bounds },
    liftAgreement: { ok: liftFailures.length === 0, failures: liftFailures },
    harmless: harmless === null ? null : { ok: harmless.length === 0, failures: harmless }
  }
}

/** One run: build, act, report. Timings go to `log`, never into the report. */
export async function simulate (world: SimWorld, log: (line: string) => void = () => {}): Promise<SimReport> {
  const t0 = performance.now()
  await world.build()
  const t1 = performance.now()
  log(`sim: setup ${(t1 - t0).toFixed(0)} ms wall (${world.tallies.length} tallies, ${world.setupMessages} messages)`)
  await world.run()
  const t2 = performance.now()
  log(`sim: run ${(t2 - t1).toFixed(0)} ms wall for ${world.scenario.until} virtual ms (${world.driver.steps} timer steps, ${world.crypto.issued} crypto operations)`)
  const report = await buildReport(world)
  await world.stop().catch((err: unknown) => { log(`sim: stop failed: ${errorOf(err).message}`) })
  log(`sim: report ${(performance.now() - t2).toFixed(0)} ms wall; peak rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`)
  return report
}
