// The simulator's input (docs/simulator.md): a scenario of users, tallies with their starting balances,
// limits and trading variables, network conditions and timed actions. Parsed here with valibot; every
// refusal is a ScenarioError (code BAD_SCENARIO) naming the field, so a bad file never starts a run.
import * as v from 'valibot'
import { ChipsError } from '../../src/core/errors'
import { MAX_HOPS } from '../../src/core/lift/schema'

export class ScenarioError extends ChipsError {
  constructor (message: string) { super('BAD_SCENARIO', message) }
}

const MAX_UNITS = 1_000_000_000_000
const Units = v.pipe(v.number(), v.safeInteger(), v.minValue(-MAX_UNITS), v.maxValue(MAX_UNITS))
const NonNegative = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_UNITS))
const Ms = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(365 * 24 * 3600_000))
const Ppm = v.pipe(v.number(), v.safeInteger(), v.minValue(-1_000_000), v.maxValue(1_000_000))
const UserName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,40}$/, 'a user name is 1–40 letters, digits, _ . or -'))

const TradingSchema = v.strictObject({
  target: v.optional(NonNegative, 0),
  bound: v.optional(NonNegative, 0),
  /** Parts per million (10 000 = 1 %). */
  reward: v.optional(Ppm, 0),
  clutch: v.optional(Ppm, 0)
})

const TallySchema = v.strictObject({
  id: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,40}$/))),
  foil: UserName,
  stock: UserName,
  balance: v.optional(Units, 0),
  limit: v.optional(v.strictObject({ foil: v.optional(NonNegative, 0), stock: v.optional(NonNegative, 0) }), { foil: 0, stock: 0 }),
  trading: v.optional(v.record(UserName, TradingSchema), {})
})

const NetworkSchema = v.strictObject({
  latencyMs: v.optional(v.pipe(v.tuple([Ms, Ms]), v.check(([a, b]) => a <= b, 'latencyMs is [min, max] with min ≤ max')), [20, 80]),
  loss: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(0.9)), 0)
})

const At = { at: Ms }
const ActionSchema = v.union([
  v.strictObject({ ...At, clear: UserName }),
  v.strictObject({ ...At, pay: v.strictObject({ from: UserName, to: UserName, units: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_UNITS)) }) }),
  v.strictObject({ ...At, invoice: v.strictObject({ from: UserName, to: UserName, units: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_UNITS)) }) }),
  v.strictObject({ ...At, audit: UserName }),
  v.strictObject({ ...At, crash: UserName, for: v.optional(Ms) }),
  v.strictObject({ ...At, partition: v.array(v.array(UserName)), for: v.optional(Ms) })
])

/** A lying referee (research scenario 36): it answers requests from the `to` users' nodes with the opposite decision. */
const LieSchema = v.strictObject({ referee: UserName, to: v.array(UserName) })

const LiftOptionsSchema = v.strictObject({
  lifeMs: v.optional(Ms),
  perHopMs: v.optional(Ms),
  maxDepth: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_HOPS))),
  minUnits: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
  graceMs: v.optional(Ms),
  certifyWaitMs: v.optional(Ms),
  clearDepth: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_HOPS))),
  /** The clearing plan (docs/lifts.md §10): its push time (0: none), join time, lift window and hold time. */
  planMs: v.optional(Ms),
  planJoinMs: v.optional(Ms),
  planLiftMs: v.optional(Ms),
  planHoldMs: v.optional(Ms)
})

export const ScenarioSchema = v.strictObject({
  seed: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(2 ** 32 - 1)), 1),
  users: v.pipe(v.array(UserName), v.minLength(1), v.maxLength(5000)),
  tallies: v.optional(v.array(TallySchema), []),
  network: v.optional(NetworkSchema, { latencyMs: [20, 80], loss: 0 }),
  actions: v.optional(v.array(ActionSchema), []),
  /** Users whose nodes referee every lift (odd count); default: each lift's originator's own node. */
  referees: v.optional(v.array(UserName)),
  /** Test-only referee misbehaviour: equivocating referees. */
  lie: v.optional(v.array(LieSchema), []),
  lifts: v.optional(LiftOptionsSchema, {}),
  /** 'nodes': each node's own route service (distributed discovery); 'oracle': a central route oracle (tests/sim/oracle.ts). */
  discovery: v.optional(v.picklist(['nodes', 'oracle'])),
  /** Virtual ms the run lasts; actions after it are never fired. */
  until: v.optional(Ms, 60_000)
})

export type Scenario = v.InferOutput<typeof ScenarioSchema>
export type ScenarioTally = Scenario['tallies'][number] & { id: string }
export type ScenarioAction = Scenario['actions'][number]
export type TradingInput = v.InferOutput<typeof TradingSchema>

/** A parsed scenario with every tally named. */
export interface ParsedScenario extends Omit<Scenario, 'tallies'> { tallies: ScenarioTally[] }

/** Parses and checks a scenario (from JSON.parse); throws ScenarioError with the first problem. */
export function parseScenario (input: unknown): ParsedScenario {
  const parsed = v.safeParse(ScenarioSchema, input)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = v.getDotPath(issue) ?? '(root)'
    throw new ScenarioError(`${path}: ${issue.message}`)
  }
  const s = parsed.output
  const users = new Set<string>()
  for (const u of s.users) {
    if (users.has(u)) throw new ScenarioError(`users: ${u} is listed twice`)
    users.add(u)
  }
  const known = (u: string, where: string): void => { if (!users.has(u)) throw new ScenarioError(`${where}: unknown user ${u}`) }
  const ids = new Set<string>()
  const tallies = s.tallies.map((t, i): ScenarioTally => {
    const where = `tallies.${i}`
    known(t.foil, `${where}.foil`); known(t.stock, `${where}.stock`)
    if (t.foil === t.stock) throw new ScenarioError(`${where}: a tally joins two different users`)
    const id = t.id ?? `t${i + 1}`
    if (ids.has(id)) throw new ScenarioError(`${where}.id: ${id} is used twice`)
    ids.add(id)
    if (t.balance < -t.limit.foil) throw new ScenarioError(`${where}.balance: the foil would owe ${-t.balance}, past limit.foil ${t.limit.foil}`)
    if (t.balance > t.limit.stock) throw new ScenarioError(`${where}.balance: the stock would owe ${t.balance}, past limit.stock ${t.limit.stock}`)
    for (const [holder, vars] of Object.entries(t.trading)) {
      if (holder !== t.foil && holder !== t.stock) throw new ScenarioError(`${where}.trading: ${holder} is not a party of this tally`)
      if (vars.target > vars.bound) throw new ScenarioError(`${where}.trading.${holder}: target must not exceed bound`)
      if (vars.reward + vars.clutch < 0) throw new ScenarioError(`${where}.trading.${holder}: reward + clutch must not be negative`)
    }
    return { ...t, id }
  })
  // Generated ids must not collide with given ones.
  if (ids.size !== tallies.length) throw new ScenarioError('tallies: duplicate ids')
  s.actions.forEach((a, i) => {
    const where = `actions.${i}`
    if ('clear' in a && a.clear !== 'all') known(a.clear, `${where}.clear`)
    if ('pay' in a) {
      known(a.pay.from, `${where}.pay.from`); known(a.pay.to, `${where}.pay.to`)
      if (a.pay.from === a.pay.to) throw new ScenarioError(`${where}.pay: a user cannot pay itself`)
    }
    if ('invoice' in a) {
      known(a.invoice.from, `${where}.invoice.from`); known(a.invoice.to, `${where}.invoice.to`)
      if (!s.tallies.some(t => (t.foil === a.invoice.from && t.stock === a.invoice.to) || (t.stock === a.invoice.from && t.foil === a.invoice.to))) {
        throw new ScenarioError(`${where}.invoice: ${a.invoice.from} and ${a.invoice.to} share no tally`)
      }
    }
    if ('audit' in a) known(a.audit, `${where}.audit`)
    if ('crash' in a) known(a.crash, `${where}.crash`)
    if ('partition' in a) {
      const seen = new Set<string>()
      a.partition.forEach((g, j) => g.forEach(u => {
        known(u, `${where}.partition.${j}`)
        if (seen.has(u)) throw new ScenarioError(`${where}.partition: ${u} is in two groups`)
        seen.add(u)
      }))
    }
  })
  if (s.referees !== undefined) {
    if (s.referees.length % 2 === 0 || s.referees.length > 15) throw new ScenarioError('referees: an odd number of users, 1 to 15')
    for (const u of s.referees) known(u, 'referees')
    if (new Set(s.referees).size !== s.referees.length) throw new ScenarioError('referees: a user is listed twice')
  }
  s.lie.forEach((l, i) => {
    known(l.referee, `lie.${i}.referee`)
    for (const u of l.to) known(u, `lie.${i}.to`)
  })
  return { ...s, tallies }
}

/** Reads the JSON text of a scenario file. */
export function parseScenarioText (text: string): ParsedScenario {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw new ScenarioError(`not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  return parseScenario(raw)
}
