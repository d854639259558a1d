// The central reference for lifts (test and bench code only; nodes never see a whole network): from a
// scenario's tallies it computes every edge's lading with the node's own rules (core/lift/lading.ts
// edgeLading on the tally state the scenario describes), the exact maximum debt circular lifts can clear
// (a maximum circulation within free lading, ./flow.ts), and whether a linear route exists.
import { edgeLading } from '../../src/core/lift/lading'
import { clutchFee } from '../../src/core/lift/fees'
import type { PartyState, TallyState } from '../../src/core/tally/state'
import type { Side, TradingVars } from '../../src/core/tally/types'
import { maxCirculation } from './flow'
import { seededRandom } from '../../src/node/net/sim/random'

/** The tally fields the reference reads (a scenario tally, parsed or not). */
export interface ReferenceTally {
  id?: string
  foil: string
  stock: string
  /** From the foil's side; negative: the foil owes the stock. */
  balance?: number
  /** Per side, the most that side may owe on this tally. */
  limit?: { foil?: number, stock?: number }
  trading?: Record<string, Partial<TradingVars>>
}

export interface ReferenceInput {
  users: readonly string[]
  tallies: readonly ReferenceTally[]
}

/** One direction of one tally: the giver gives, the receiver's balance rises. */
export interface LadingEdge {
  /** Tally id (the scenario's, or t<index+1> as the simulator names unnamed ones). */
  tally: string
  giver: string
  receiver: string
  /** Free lading (no fee: the receiver wants it, the giver's credit allows it). */
  free: number
  /** Up to the receiver's max(target, bound). */
  max: number
  /** The giver's clutch, ppm. */
  clutch: number
  reward: number
}

export interface LadingNetwork {
  users: string[]
  /** Edges with free lading > 0 only. */
  edges: LadingEdge[]
  /**
   * Tallies whose both directions have free lading (both holders' targets above their balances). A lift
   * route never uses one tally both ways at once, but a circulation could, so the reference keeps only
   * the direction with more free lading on these (the generator never makes such a tally).
   */
  bothWays: string[]
}

export class ReferenceError extends Error {
  readonly code = 'BAD_REFERENCE_INPUT'
}

const ZERO_VARS: TradingVars = { target: 0, bound: 0, reward: 0, clutch: 0 }

/** The certified state of an open tally as the scenario describes it, with nothing pending. */
export function tallyStateOf (t: ReferenceTally, id: string): TallyState {
  const vars = (holder: string): TradingVars => ({ ...ZERO_VARS, ...(t.trading?.[holder] ?? {}) })
  // terms.limit of a side is the most its partner may owe it: the stock grants limit.foil.
  const party = (side: Side, holder: string, grants: number): PartyState => ({
    userId: holder, terms: { limit: grants, call: 0 }, vars: vars(holder), chain: { index: 0, next: '' }, members: []
  })
  return {
    tally: id,
    doc: '',
    status: 'open',
    // TallyState.balance is what the foil owes the stock; the scenario's balance is the foil's own view.
    balance: -(t.balance ?? 0),
    stock: party('stock', t.stock, t.limit?.foil ?? 0),
    foil: party('foil', t.foil, t.limit?.stock ?? 0),
    pending: {},
    chits: {},
    actions: 0
  }
}

/** Lading of every tally edge (edges with free lading only). */
export function ladingNetwork (input: ReferenceInput): LadingNetwork {
  const known = new Set(input.users)
  const edges: LadingEdge[] = []
  const bothWays: string[] = []
  input.tallies.forEach((t, i) => {
    if (!known.has(t.foil) || !known.has(t.stock)) throw new ReferenceError(`tally ${i}: unknown user`)
    if (t.foil === t.stock) throw new ReferenceError(`tally ${i}: a tally joins two different users`)
    const id = t.id ?? `t${i + 1}`
    const state = tallyStateOf(t, id)
    const holder = { foil: t.foil, stock: t.stock }
    const dir = (giver: Side): LadingEdge => {
      const l = edgeLading(state, giver)
      return { tally: id, giver: holder[giver], receiver: holder[giver === 'foil' ? 'stock' : 'foil'], free: l.free, max: l.max, clutch: l.clutch, reward: l.reward }
    }
    const a = dir('foil')
    const b = dir('stock')
    if (a.free > 0 && b.free > 0) {
      bothWays.push(id)
      edges.push(a.free >= b.free ? a : b)
    } else if (a.free > 0) edges.push(a)
    else if (b.free > 0) edges.push(b)
  })
  return { users: [...input.users], edges, bothWays }
}

export interface ClearableDebt {
  /** Σ over edges of the circulation's flow: the debt (units of |balance|, summed over tallies) lifts can clear. */
  debt: number
  /** Units per edge of one optimal circulation (edges with flow only). */
  flows: Array<{ edge: LadingEdge, units: number }>
  /** Edges circular lifts may use (free lading > 0 and the giver's clutch ≤ 0). */
  usable: number
}

/**
 * The exact maximum debt circular lifts can clear in one go: a maximum circulation within free lading on
 * the edges whose giver's clutch is ≤ 0 (docs/lifts.md §3: a positive clutch stops automatic clearing).
 * Each unit on an edge lowers that tally's |balance| by one (all targets 0) — the simulator's debtCleared.
 */
export function clearableDebt (net: LadingNetwork): ClearableDebt {
  const index = new Map(net.users.map((u, i) => [u, i]))
  const usable = net.edges.filter(e => e.clutch <= 0 && e.free > 0)
  const result = maxCirculation(net.users.length, usable.map(e => ({ from: index.get(e.giver)!, to: index.get(e.receiver)!, cap: e.free })))
  const flows = usable.map((edge, i) => ({ edge, units: result.flow[i]! })).filter(f => f.units > 0)
  return { debt: result.value, flows, usable: usable.length }
}

export interface RouteOptions {
  /**
   * true (default): leg units grow toward the payer by each intermediary's clutch fee (core/lift/fees.ts
   * legUnits) and every leg needs free ≥ its own units; false: every leg needs free ≥ `units`.
   */
  fees?: boolean
  /** With fees: the most the route may cost the payer beyond `units` (as pay's maxFee); default no limit. */
  maxFee?: number
}

/**
 * Whether a linear route from `from` to `to` exists: a simple path of at most maxDepth legs whose every
 * leg has free lading ≥ the units it carries (the payee receives `units`).
 */
export function routeExists (net: LadingNetwork, from: string, to: string, units: number, maxDepth: number, options: RouteOptions = {}): boolean {
  return findRoute(net, from, to, units, maxDepth, options) !== undefined
}

/** One such route (legs from the payer), or undefined. With fees, the one found first by a backward search. */
export function findRoute (net: LadingNetwork, from: string, to: string, units: number, maxDepth: number, options: RouteOptions = {}): LadingEdge[] | undefined {
  if (from === to || units < 1 || maxDepth < 1) return undefined
  if (options.fees === false || net.edges.every(e => e.clutch === 0)) return shortestRoute(net, from, to, units, maxDepth)
  const into = new Map<string, LadingEdge[]>()
  for (const e of net.edges) {
    const list = into.get(e.receiver)
    if (list === undefined) into.set(e.receiver, [e]); else list.push(e)
  }
  // Backward from the payee: `need` is what the leg into `node` must carry. An intermediary keeps its
  // clutch fee on what it gives (floor 1 unit, as legUnits), so its incoming leg carries that much more.
  const maxFee = options.maxFee ?? Infinity
  const onPath = new Set<string>([to])
  const path: LadingEdge[] = []
  const search = (node: string, need: number, depth: number): boolean => {
    for (const e of into.get(node) ?? []) {
      if (e.free < need || onPath.has(e.giver)) continue
      if (e.giver === from) {
        // The payer's own clutch is not charged: its leg carries `need`, and the route costs need − units.
        if (need - units <= maxFee) { path.push(e); return true }
        continue
      }
      path.push(e)
      if (depth > 1) {
        onPath.add(e.giver)
        const upstream = Math.max(1, need + clutchFee(need, e.clutch))
        if (search(e.giver, upstream, depth - 1)) return true
        onPath.delete(e.giver)
      }
      path.pop()
    }
    return false
  }
  return search(to, units, maxDepth) ? path.reverse() : undefined
}

/** Breadth-first: fewest legs, every leg free ≥ units. */
function shortestRoute (net: LadingNetwork, from: string, to: string, units: number, maxDepth: number): LadingEdge[] | undefined {
  const outOf = new Map<string, LadingEdge[]>()
  for (const e of net.edges) {
    if (e.free < units) continue
    const list = outOf.get(e.giver)
    if (list === undefined) outOf.set(e.giver, [e]); else list.push(e)
  }
  const via = new Map<string, LadingEdge | null>([[from, null]])
  let frontier = [from]
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: string[] = []
    for (const u of frontier) {
      for (const e of outOf.get(u) ?? []) {
        if (via.has(e.receiver)) continue
        via.set(e.receiver, e)
        if (e.receiver === to) {
          const route: LadingEdge[] = []
          for (let x: LadingEdge | null | undefined = e; x != null; x = via.get(x.giver)) route.push(x)
          return route.reverse()
        }
        next.push(e.receiver)
      }
    }
    frontier = next
  }
  return undefined
}

export interface GreedyOptions {
  /** Longest cycle considered, legs (as the nodes' circular discovery depth). */
  maxDepth: number
  /** 'shortest': the cycle with fewest legs through the originator; 'widest': the largest bottleneck. */
  choose: 'shortest' | 'widest'
  /** Seed of the originators' order (a fresh shuffle each round). */
  seed: number
}

export interface GreedyClearing {
  /** Debt cleared: Σ over lifts of units × legs. */
  debt: number
  lifts: number
  /** Full rounds over all users (the last one found nothing). */
  rounds: number
  /** Units lifted per edge (edges with some only). */
  flows: Array<{ edge: LadingEdge, units: number }>
}

/**
 * What greedy circular lifting can reach with a whole view of the network: in rounds, every user in a
 * seeded random order lifts the bottleneck of one cycle through itself (at most `maxDepth` legs, every
 * edge with free lading left), until a whole round finds none. Lifts never undo one another (value only
 * flows toward a debtor), so greedy choices can block cycles of the optimum: this is the ceiling the
 * distributed lifts approach, printed next to the exact maximum (clearableDebt) by the bench.
 */
export function greedyClearing (net: LadingNetwork, options: GreedyOptions): GreedyClearing {
  const index = new Map(net.users.map((u, i) => [u, i]))
  const edges = net.edges.filter(e => e.clutch <= 0 && e.free > 0)
    .map(e => ({ edge: e, from: index.get(e.giver)!, to: index.get(e.receiver)!, left: e.free }))
  const out: number[][] = net.users.map(() => [])
  edges.forEach((e, i) => out[e.from]!.push(i))
  // Breadth-first: the shortest cycle through o whose every edge keeps ≥ least (edge indices, in order).
  const cycle = (o: number, least: number): number[] | undefined => {
    const via = new Map<number, number>()
    let frontier = [o]
    for (let depth = 0; depth < options.maxDepth && frontier.length > 0; depth++) {
      const next: number[] = []
      for (const u of frontier) {
        for (const i of out[u]!) {
          const e = edges[i]!
          if (e.left < least) continue
          if (e.to === o) {
            const path = [i]
            for (let x = u; x !== o; x = edges[path[path.length - 1]!]!.from) path.push(via.get(x)!)
            return path.reverse()
          }
          if (via.has(e.to)) continue
          via.set(e.to, i)
          next.push(e.to)
        }
      }
      frontier = next
    }
    return undefined
  }
  const bottleneck = (path: number[]): number => Math.min(...path.map(i => edges[i]!.left))
  const rnd = seededRandom(options.seed)
  let debt = 0
  let lifts = 0
  let rounds = 0
  for (let found = true; found;) {
    found = false
    rounds++
    const order = net.users.map((_, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd.float() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!]
    }
    for (const o of order) {
      let path = cycle(o, 1)
      if (path === undefined) continue
      // Widest: raise the least bottleneck wanted until no cycle is left (each step strictly wider).
      while (options.choose === 'widest') {
        const wider = cycle(o, bottleneck(path) + 1)
        if (wider === undefined) break
        path = wider
      }
      const units = bottleneck(path)
      for (const i of path) edges[i]!.left -= units
      debt += units * path.length
      lifts++
      found = true
    }
  }
  const flows = edges.filter(e => e.left < e.edge.free).map(e => ({ edge: e.edge, units: e.edge.free - e.left }))
  return { debt, lifts, rounds, flows }
}
