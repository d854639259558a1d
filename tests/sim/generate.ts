// Random networks for the simulator (test and bench code only), in its scenario format (docs/simulator.md,
// section "Random networks", documents every distribution). Seeded: the same options give the same network.
//
// Shape: users sit in clusters (neighbourhoods, firms) of `clusterSize`; most tallies join two users of one
// cluster, the rest are long links between random users, which gives both short local cycles and long
// ones through several clusters — the circular debt lifts exist to clear.
import { seededRandom } from '../../src/node/net/sim/random'
import type { Scenario, ScenarioAction } from './scenario'

export interface GenerateOptions {
  seed: number
  users: number
  /** Tallies (default 3 × users, i.e. mean degree 6). */
  tallies?: number
  /** Users per cluster (default 10). */
  clusterSize?: number
  /** Share of tallies inside one cluster (default 0.7); the rest join random users. */
  local?: number
  /** Each side's limit is log-uniform in [min, max] units (default [1 000, 100 000]). */
  limit?: [number, number]
  /** Share of tallies with a zero balance (default 0.1). */
  zeroBalance?: number
  /** Share of (tally, holder) pairs with nonzero trading variables (default 0.2). */
  trading?: number
  /** Name prefix of users (default 'u'). */
  prefix?: string
}

export type GeneratedTally = Scenario['tallies'][number] & { id: string }

export interface GeneratedNetwork {
  /** The options with every default filled in (print them with the figures). */
  params: Required<GenerateOptions>
  users: string[]
  tallies: GeneratedTally[]
}

export class GenerateError extends Error {
  readonly code = 'BAD_GENERATE_OPTIONS'
}

export function generatorParams (o: GenerateOptions): Required<GenerateOptions> {
  const p: Required<GenerateOptions> = {
    seed: o.seed,
    users: o.users,
    tallies: o.tallies ?? 3 * o.users,
    clusterSize: o.clusterSize ?? 10,
    local: o.local ?? 0.7,
    limit: o.limit ?? [1_000, 100_000],
    zeroBalance: o.zeroBalance ?? 0.1,
    trading: o.trading ?? 0.2,
    prefix: o.prefix ?? 'u'
  }
  if (!Number.isSafeInteger(p.users) || p.users < 2) throw new GenerateError('at least 2 users')
  const pairs = p.users * (p.users - 1) / 2
  if (!Number.isSafeInteger(p.tallies) || p.tallies < 0 || p.tallies > pairs) throw new GenerateError(`0 to ${pairs} tallies for ${p.users} users`)
  if (!Number.isSafeInteger(p.clusterSize) || p.clusterSize < 2) throw new GenerateError('clusters of at least 2 users')
  for (const [k, v] of [['local', p.local], ['zeroBalance', p.zeroBalance], ['trading', p.trading]] as const) {
    if (!(v >= 0 && v <= 1)) throw new GenerateError(`${k} is a share in [0, 1]`)
  }
  if (!(p.limit[0] >= 1 && p.limit[0] <= p.limit[1] && Number.isSafeInteger(p.limit[1]))) throw new GenerateError('limit is [min, max] with 1 ≤ min ≤ max')
  return p
}

/** A random network of tallies (no actions: the caller adds those). */
export function generateNetwork (options: GenerateOptions): GeneratedNetwork {
  const p = generatorParams(options)
  const rnd = seededRandom(p.seed)
  const f = (): number => rnd.float()
  const int = (n: number): number => Math.floor(f() * n)
  const width = String(p.users - 1).length
  const users = Array.from({ length: p.users }, (_, i) => `${p.prefix}${String(i).padStart(width, '0')}`)
  const clusters = Math.max(1, Math.round(p.users / p.clusterSize))
  // Users are dealt to clusters in order: cluster c holds users [c·size, (c+1)·size).
  const clusterOf = (i: number): number => Math.min(clusters - 1, Math.floor(i * clusters / p.users))
  const members: number[][] = Array.from({ length: clusters }, () => [])
  for (let i = 0; i < p.users; i++) members[clusterOf(i)]!.push(i)

  const seen = new Set<string>()
  const tallies: GeneratedTally[] = []
  const logUniform = (): number => Math.floor(Math.exp(Math.log(p.limit[0]) + f() * (Math.log(p.limit[1]) - Math.log(p.limit[0]))))
  const pick = (a: number): number | undefined => {
    // The other end: in a's cluster with probability `local`, else anyone; redrawn (both ways) on a repeat.
    const own = members[clusterOf(a)]!
    for (let tries = 0; tries < 100; tries++) {
      const b = f() < p.local && own.length > 1 ? own[int(own.length)]! : int(p.users)
      if (b !== a && !seen.has(a < b ? `${a}:${b}` : `${b}:${a}`)) return b
    }
    return undefined
  }
  for (let k = 0; tallies.length < p.tallies; k++) {
    // One end in turn, so every user starts about the same number of tallies (mean degree 2 × tallies / users).
    const a = k % p.users
    const b = pick(a)
    if (b === undefined) {
      if (k > 10 * p.tallies + 1000) throw new GenerateError('could not place the tallies (too dense for the cluster size?)')
      continue
    }
    seen.add(a < b ? `${a}:${b}` : `${b}:${a}`)
    const [foil, stock] = f() < 0.5 ? [users[a]!, users[b]!] : [users[b]!, users[a]!]
    const limit = { foil: logUniform(), stock: logUniform() }
    // Which side owes, then how much of its limit: uniform, so some tallies are near their limit.
    let balance = 0
    if (f() >= p.zeroBalance) {
      const foilOwes = f() < 0.5
      const owed = Math.floor(f() * ((foilOwes ? limit.foil : limit.stock) + 1))
      balance = foilOwes ? -owed : owed
    }
    const tally: GeneratedTally = { id: `t${tallies.length + 1}`, foil, stock, balance, limit, trading: {} }
    for (const holder of [foil, stock]) {
      if (f() >= p.trading) continue
      // The holder's own balance (positive: it is owed).
      const own = holder === foil ? balance : -balance
      // A target only where the holder owes (or, at zero, for the foil alone), so that at most one
      // direction of the tally has free lading.
      const mayTarget = own < 0 || (own === 0 && holder === foil)
      tally.trading[holder] = tradingVars(f, mayTarget, holder === foil ? limit.stock : limit.foil)
    }
    tallies.push(tally)
  }
  return { params: p, users, tallies }
}

/**
 * Trading variables of one holder whose own balance is `own`: one of four kinds, equally likely —
 * a fee for giving (clutch 1–5 000 ppm: its edges out stop automatic clearing), a paid drop (clutch
 * −1–−2 000 ppm, reward ≥ −clutch), a target (only when allowed, see above), or only a reward (0–20 000 ppm). Ranges in docs/simulator.md.
 */
function tradingVars (f: () => number, mayTarget: boolean, partnerLimit: number): { target: number, bound: number, reward: number, clutch: number } {
  const kind = Math.floor(f() * 4)
  if (kind === 0) return { target: 0, bound: 0, reward: 0, clutch: 1 + Math.floor(f() * 5_000) }
  if (kind === 1) {
    const clutch = -(1 + Math.floor(f() * 2_000))
    return { target: 0, bound: 0, reward: -clutch + Math.floor(f() * 5_000), clutch }
  }
  if (kind === 2 && mayTarget) {
    // Wants to be owed up to `target`: at most what the partner may owe it.
    const target = Math.floor(f() * (partnerLimit + 1) / 4)
    return { target, bound: target + Math.floor(f() * (target + 1)), reward: 0, clutch: 0 }
  }
  return { target: 0, bound: 0, reward: Math.floor(f() * 20_001), clutch: 0 }
}

/**
 * Actions for everyone to look for circular lifts once, at staggered times: user i at
 * start + i × spacing (+ a seeded jitter below spacing), so discoveries overlap as they would live.
 */
export function staggeredClears (users: readonly string[], start: number, spacing: number, seed: number): ScenarioAction[] {
  const rnd = seededRandom(seed)
  return users.map((u, i) => ({ at: start + i * spacing + Math.floor(rnd.float() * spacing), clear: u }))
}

/** A whole scenario for the simulator from a generated network. */
export function scenarioOf (net: GeneratedNetwork, rest: Partial<Omit<Scenario, 'users' | 'tallies'>> = {}): Scenario {
  return {
    seed: net.params.seed,
    users: net.users,
    tallies: net.tallies,
    network: rest.network ?? { latencyMs: [50, 50], loss: 0 },
    actions: rest.actions ?? [],
    lie: rest.lie ?? [],
    lifts: rest.lifts ?? {},
    until: rest.until ?? 60_000,
    ...(rest.referees !== undefined ? { referees: rest.referees } : {})
  }
}
