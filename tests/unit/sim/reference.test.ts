// The central reference (tests/sim/{flow,reference,generate}.ts) against hand-computed cases and against
// brute force: every simple cycle enumerated and every integer combination of them searched (max circulation),
// every simple path enumerated with its leg units from core/lift/fees (routes). fast-check, fixed seeds.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { edgeLading } from '../../../src/core/lift/lading'
import { legUnits } from '../../../src/core/lift/fees'
import { FlowInputError, isCirculation, isOptimal, maxCirculation } from '../../sim/flow'
import type { FlowEdge } from '../../sim/flow'
import { clearableDebt, findRoute, greedyClearing, ladingNetwork, ReferenceError, routeExists, tallyStateOf } from '../../sim/reference'
import type { LadingEdge, LadingNetwork, ReferenceInput } from '../../sim/reference'
import { GenerateError, generateNetwork, scenarioOf, staggeredClears } from '../../sim/generate'
import { parseScenario } from '../../sim/scenario'

// ---- brute force ----

/** Every simple directed cycle, as edge indices (a multigraph: parallel edges give distinct cycles). */
function simpleCycles (nodes: number, edges: readonly FlowEdge[]): number[][] {
  const cycles: number[][] = []
  const out: number[][] = Array.from({ length: nodes }, () => [])
  edges.forEach((e, i) => { if (e.cap > 0) out[e.from]!.push(i) })
  for (let s = 0; s < nodes; s++) {
    // Cycles whose smallest node is s: walk through nodes > s only.
    const onPath = new Set<number>([s])
    const path: number[] = []
    const walk = (u: number): void => {
      for (const i of out[u]!) {
        const v = edges[i]!.to
        if (v === s) { cycles.push([...path, i]); continue }
        if (v < s || onPath.has(v)) continue
        onPath.add(v); path.push(i)
        walk(v)
        path.pop(); onPath.delete(v)
      }
    }
    walk(s)
  }
  return cycles
}

/** max Σ_c x_c·|c| over integer x ≥ 0 with Σ_{c∋e} x_c ≤ cap_e: every circulation is a sum of simple cycles. */
function bruteMaxCirculation (nodes: number, edges: readonly FlowEdge[]): number {
  const cycles = simpleCycles(nodes, edges)
  const memo = new Map<string, number>()
  const best = (i: number, rem: number[]): number => {
    if (i === cycles.length) return 0
    const key = `${i}|${rem.join(',')}`
    const hit = memo.get(key)
    if (hit !== undefined) return hit
    const c = cycles[i]!
    let most = Infinity
    for (const e of c) most = Math.min(most, rem[e]!)
    let top = 0
    for (let x = 0; x <= most; x++) {
      const next = [...rem]
      for (const e of c) next[e]! -= x
      top = Math.max(top, x * c.length + best(i + 1, next))
    }
    memo.set(key, top)
    return top
  }
  return best(0, edges.map(e => e.cap))
}

/** Every simple path of at most maxDepth legs; with fees, each leg's units from legUnits. */
function bruteRoute (net: LadingNetwork, from: string, to: string, units: number, maxDepth: number, fees: boolean, maxFee = Infinity): boolean {
  const carries = (path: LadingEdge[]): boolean => {
    const legs = fees ? legUnits(units, path.map(e => e.clutch)) : path.map(() => units)
    return path.every((e, k) => e.free >= legs[k]!) && legs[0]! - units <= maxFee
  }
  const walk = (u: string, path: LadingEdge[], seen: Set<string>): boolean => {
    if (path.length === maxDepth) return false
    for (const e of net.edges) {
      if (e.giver !== u || seen.has(e.receiver)) continue
      const next = [...path, e]
      if (e.receiver === to) { if (carries(next)) return true; continue }
      seen.add(e.receiver)
      const found = walk(e.receiver, next, seen)
      seen.delete(e.receiver)
      if (found) return true
    }
    return false
  }
  return walk(from, [], new Set([from]))
}

const smallGraph = fc.integer({ min: 2, max: 8 }).chain(nodes => fc.record({
  nodes: fc.constant(nodes),
  edges: fc.array(fc.record({ from: fc.nat(nodes - 1), to: fc.nat(nodes - 2), cap: fc.nat(5) }), { maxLength: 12 })
    // `to` from 0..n−2, shifted past `from`: never a self-loop.
    .map(es => es.map(e => ({ from: e.from, to: e.to >= e.from ? e.to + 1 : e.to, cap: e.cap })))
}))

// ---- the scenario of research scenario 22 ----

const cycle22: ReferenceInput = {
  users: ['A', 'B', 'C'],
  tallies: [
    { id: 't1', foil: 'A', stock: 'B', balance: -10000, limit: { foil: 20000, stock: 0 } },
    { id: 't2', foil: 'B', stock: 'C', balance: -7000, limit: { foil: 20000, stock: 0 } },
    { id: 't3', foil: 'C', stock: 'A', balance: -12000, limit: { foil: 20000, stock: 0 }, trading: { C: { target: 0, bound: 0, reward: 0, clutch: 0 } } }
  ]
}

describe('maxCirculation', () => {
  it('carries the bottleneck of a single cycle on every edge', () => {
    const c = maxCirculation(3, [{ from: 0, to: 1, cap: 10000 }, { from: 1, to: 2, cap: 7000 }, { from: 2, to: 0, cap: 12000 }])
    expect(c).toEqual({ value: 21000, flow: [7000, 7000, 7000] })
  })

  it('is zero without a cycle, and prefers the longer of two cycles sharing an edge', () => {
    expect(maxCirculation(4, [{ from: 0, to: 1, cap: 5 }, { from: 1, to: 2, cap: 5 }, { from: 2, to: 3, cap: 5 }]).value).toBe(0)
    // 0→1→0 (2 legs) and 0→1→2→0 (3 legs) share 0→1 with capacity 4: all of it goes the 3-leg way.
    const c = maxCirculation(3, [{ from: 0, to: 1, cap: 4 }, { from: 1, to: 0, cap: 4 }, { from: 1, to: 2, cap: 4 }, { from: 2, to: 0, cap: 4 }])
    expect(c.value).toBe(12)
    expect(c.flow).toEqual([4, 0, 4, 4])
  })

  it('uses parallel edges and zero capacities', () => {
    const c = maxCirculation(2, [{ from: 0, to: 1, cap: 3 }, { from: 0, to: 1, cap: 2 }, { from: 1, to: 0, cap: 4 }, { from: 1, to: 0, cap: 0 }])
    expect(c.value).toBe(8)
    expect(isCirculation(2, [{ from: 0, to: 1, cap: 3 }, { from: 0, to: 1, cap: 2 }, { from: 1, to: 0, cap: 4 }, { from: 1, to: 0, cap: 0 }], c.flow)).toBe(true)
  })

  it('refuses a self-loop, an unknown node and a fractional or negative capacity', () => {
    expect(() => maxCirculation(2, [{ from: 0, to: 0, cap: 1 }])).toThrow(FlowInputError)
    expect(() => maxCirculation(2, [{ from: 0, to: 2, cap: 1 }])).toThrow(FlowInputError)
    expect(() => maxCirculation(2, [{ from: 0, to: 1, cap: 1.5 }])).toThrow(FlowInputError)
    expect(() => maxCirculation(2, [{ from: 0, to: 1, cap: -1 }])).toThrow(FlowInputError)
    expect(() => maxCirculation(-1, [])).toThrow(FlowInputError)
  })

  it('the optimality certificate rejects a circulation that is not maximal, and a non-circulation', () => {
    const edges = [{ from: 0, to: 1, cap: 2 }, { from: 1, to: 2, cap: 2 }, { from: 2, to: 0, cap: 2 }]
    expect(isOptimal(3, edges, [0, 0, 0])).toBe(false)
    expect(isOptimal(3, edges, [1, 1, 1])).toBe(false)
    expect(isOptimal(3, edges, [2, 2, 2])).toBe(true)
    expect(isCirculation(3, edges, [2, 1, 2])).toBe(false)
    expect(isCirculation(3, edges, [3, 3, 3])).toBe(false)
  })

  it('equals brute force over all cycle combinations on random graphs of up to 8 nodes (500 runs, seed 22)', () => {
    fc.assert(fc.property(smallGraph, ({ nodes, edges }) => {
      const c = maxCirculation(nodes, edges)
      expect(isCirculation(nodes, edges, c.flow)).toBe(true)
      expect(isOptimal(nodes, edges, c.flow)).toBe(true)
      expect(c.value).toBe(bruteMaxCirculation(nodes, edges))
    }), { numRuns: 500, seed: 22 })
  })

  it('is a certified optimum on a 1,000-node generated network, in well under a second', () => {
    const g = generateNetwork({ seed: 5, users: 1000 })
    const net = ladingNetwork(g)
    const index = new Map(net.users.map((u, i) => [u, i]))
    const edges = net.edges.filter(e => e.clutch <= 0).map(e => ({ from: index.get(e.giver)!, to: index.get(e.receiver)!, cap: e.free }))
    const t0 = performance.now()
    const c = maxCirculation(net.users.length, edges)
    expect(performance.now() - t0).toBeLessThan(3000)
    expect(c.value).toBeGreaterThan(0)
    expect(isCirculation(net.users.length, edges, c.flow)).toBe(true)
    expect(isOptimal(net.users.length, edges, c.flow)).toBe(true)
  })
})

describe('ladingNetwork', () => {
  it('with all trading variables 0, an edge giver → receiver carries the receiver\'s debt and nothing the other way', () => {
    const net = ladingNetwork(cycle22)
    expect(net.edges.map(e => [e.tally, e.giver, e.receiver, e.free])).toEqual([
      ['t1', 'B', 'A', 10000], ['t2', 'C', 'B', 7000], ['t3', 'A', 'C', 12000]
    ])
    expect(net.bothWays).toEqual([])
  })

  it('is edgeLading of the tally state the scenario describes (limits per side, balance from the foil\'s side)', () => {
    const t = { id: 'x', foil: 'F', stock: 'S', balance: 300, limit: { foil: 50, stock: 1000 }, trading: { F: { target: 0, bound: 0, reward: 100, clutch: -50 }, S: { target: 80, bound: 200, reward: 0, clutch: 0 } } }
    const s = tallyStateOf(t, 'x')
    // The stock owes the foil 300 (the foil's side is +300); the stock may owe up to limit.stock = 1000.
    expect(s.balance).toBe(-300)
    expect(s.stock.terms.limit).toBe(50)
    expect(s.foil.terms.limit).toBe(1000)
    const net = ladingNetwork({ users: ['F', 'S'], tallies: [t] })
    // F gives to S (S owes 300, wants to be owed 80): free = 380 within F's credit 50 + 300.
    expect(net.edges).toEqual([{ tally: 'x', giver: 'F', receiver: 'S', ...edgeLading(s, 'foil') }])
    expect(net.edges[0]!.free).toBe(350)
  })

  it('keeps the larger direction of a tally both of whose holders want more, and names it', () => {
    const net = ladingNetwork({ users: ['F', 'S'], tallies: [{ id: 'b', foil: 'F', stock: 'S', balance: 0, limit: { foil: 100, stock: 100 }, trading: { F: { target: 30, bound: 30 }, S: { target: 60, bound: 60 } } }] })
    expect(net.bothWays).toEqual(['b'])
    expect(net.edges.map(e => [e.giver, e.free])).toEqual([['F', 60]])
  })

  it('names unnamed tallies as the simulator does and refuses unknown users', () => {
    expect(ladingNetwork({ users: ['A', 'B'], tallies: [{ foil: 'A', stock: 'B', balance: -5, limit: { foil: 5 } }] }).edges[0]!.tally).toBe('t1')
    expect(() => ladingNetwork({ users: ['A'], tallies: [{ foil: 'A', stock: 'B' }] })).toThrow(ReferenceError)
    expect(() => ladingNetwork({ users: ['A'], tallies: [{ foil: 'A', stock: 'A' }] })).toThrow(ReferenceError)
  })
})

describe('clearableDebt', () => {
  it('research scenario 22: the 3-cycle 10000/7000/12000 clears 7000 on each leg', () => {
    const c = clearableDebt(ladingNetwork(cycle22))
    expect(c.debt).toBe(21000)
    expect(c.flows.map(f => [f.edge.tally, f.units])).toEqual([['t1', 7000], ['t2', 7000], ['t3', 7000]])
  })

  it('research scenario 23: a positive clutch on one leg stops circular clearing; zero or negative does not', () => {
    const withClutch = (clutch: number): ReferenceInput => ({ ...cycle22, tallies: cycle22.tallies.map(t => t.id === 't2' ? { ...t, trading: { C: { target: 0, bound: 0, reward: Math.max(0, -clutch), clutch } } } : t) })
    expect(clearableDebt(ladingNetwork(withClutch(1))).debt).toBe(0)
    expect(clearableDebt(ladingNetwork(withClutch(0))).debt).toBe(21000)
    expect(clearableDebt(ladingNetwork(withClutch(-10))).debt).toBe(21000)
  })

  it('a tally at zero carries nothing when targets are 0: the cycle is broken', () => {
    const zero = { ...cycle22, tallies: cycle22.tallies.map(t => t.id === 't2' ? { ...t, balance: 0 } : t) }
    expect(clearableDebt(ladingNetwork(zero)).debt).toBe(0)
  })

  it('equals brute force on generated networks of up to 8 users (300 runs, seed 8)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 3, max: 8 }), fc.integer({ min: 0, max: 100 }), (seed, users, density) => {
      const pairs = users * (users - 1) / 2
      const g = generateNetwork({ seed, users, tallies: Math.min(pairs, Math.max(2, Math.round(pairs * density / 100))), clusterSize: 4, limit: [1, 6], trading: 0.4 })
      const net = ladingNetwork(g)
      expect(net.bothWays).toEqual([])
      const index = new Map(net.users.map((u, i) => [u, i]))
      const usable = net.edges.filter(e => e.clutch <= 0).map(e => ({ from: index.get(e.giver)!, to: index.get(e.receiver)!, cap: e.free }))
      const c = clearableDebt(net)
      expect(c.debt).toBe(bruteMaxCirculation(users, usable))
      // Each unit of circulation lowers one tally's |balance| by one and leaves every user's net unchanged.
      const net0 = new Map(g.users.map(u => [u, 0]))
      for (const { edge, units } of c.flows) {
        expect(units).toBeLessThanOrEqual(edge.free)
        net0.set(edge.giver, net0.get(edge.giver)! - units)
        net0.set(edge.receiver, net0.get(edge.receiver)! + units)
      }
      expect([...net0.values()].every(x => x === 0)).toBe(true)
    }), { numRuns: 300, seed: 8 })
  })
})

describe('greedyClearing (the ceiling of greedy circular lifting)', () => {
  const net = (edges: Array<[string, string, number]>): LadingNetwork => ({
    users: [...new Set(edges.flatMap(([a, b]) => [a, b]))].sort(),
    edges: edges.map(([giver, receiver, free], i) => ({ tally: `t${i + 1}`, giver, receiver, free, max: free, clutch: 0, reward: 0 })),
    bothWays: []
  })

  it('research scenario 22: one lift of 7000 over three legs clears the whole maximum', () => {
    for (const choose of ['shortest', 'widest'] as const) {
      expect(greedyClearing(ladingNetwork(cycle22), { maxDepth: 6, choose, seed: 1 })).toMatchObject({ debt: 21000, lifts: 1, rounds: 2 })
    }
  })

  it('cannot reach cycles longer than its depth, and a short cycle can block a longer one of the optimum', () => {
    // A→B→A (2 legs) and A→B→C→A (3 legs) share A→B: the optimum sends all 4 units the 3-leg way (12).
    const n = net([['A', 'B', 4], ['B', 'A', 4], ['B', 'C', 4], ['C', 'A', 4]])
    expect(clearableDebt(n).debt).toBe(12)
    expect(greedyClearing(n, { maxDepth: 2, choose: 'shortest', seed: 1 }).debt).toBe(8)
    // With the depth to see both, C's shortest cycle is the long one; A's and B's the short one: the seed decides.
    const results = new Set([1, 2, 3, 4, 5, 6, 7, 8].map(seed => greedyClearing(n, { maxDepth: 6, choose: 'shortest', seed }).debt))
    expect(results).toEqual(new Set([8, 12]))
  })

  it('widest takes the larger bottleneck even when it is longer', () => {
    const n = net([['A', 'B', 2], ['B', 'A', 2], ['A', 'C', 9], ['C', 'D', 9], ['D', 'A', 9]])
    expect(greedyClearing(n, { maxDepth: 6, choose: 'widest', seed: 3 }).debt).toBe(2 * 2 + 9 * 3)
  })

  it('never exceeds the exact maximum, never overdraws an edge, and leaves no cycle within its depth (200 runs, seed 12)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 3, max: 12 }), fc.integer({ min: 2, max: 6 }), fc.constantFrom('shortest' as const, 'widest' as const), (seed, users, maxDepth, choose) => {
      const n = ladingNetwork(generateNetwork({ seed, users, tallies: Math.min(users * (users - 1) / 2, 3 * users), clusterSize: 4, limit: [1, 50] }))
      const g = greedyClearing(n, { maxDepth, choose, seed })
      expect(g.debt).toBeLessThanOrEqual(clearableDebt(n).debt)
      expect(g.debt).toBe(g.flows.reduce((s, f) => s + f.units, 0))
      // Lifts are cycles: every user's net is unchanged; no edge gives more than its free lading.
      const net0 = new Map(n.users.map(u => [u, 0]))
      for (const { edge, units } of g.flows) {
        expect(units).toBeGreaterThan(0)
        expect(units).toBeLessThanOrEqual(edge.free)
        net0.set(edge.giver, net0.get(edge.giver)! - units)
        net0.set(edge.receiver, net0.get(edge.receiver)! + units)
      }
      expect([...net0.values()].every(x => x === 0)).toBe(true)
      // From what is left, nothing more within the depth.
      const lifted = new Map(g.flows.map(f => [f.edge, f.units]))
      const left: LadingNetwork = { ...n, edges: n.edges.map(e => ({ ...e, free: e.free - (lifted.get(e) ?? 0) })) }
      expect(greedyClearing(left, { maxDepth, choose, seed: seed + 1 }).debt).toBe(0)
    }), { numRuns: 200, seed: 12 })
  })
})

describe('routeExists', () => {
  const grid = (): LadingNetwork => ladingNetwork({
    users: ['P', 'Q', 'R', 'S'],
    tallies: [
      // P → Q → R → S with free 20, 30, 25; a shortcut P → S with free 5.
      { id: 'a', foil: 'Q', stock: 'P', balance: -20, limit: { foil: 20 } },
      { id: 'b', foil: 'R', stock: 'Q', balance: -30, limit: { foil: 30 }, trading: { Q: { clutch: 100_000 } } },
      { id: 'c', foil: 'S', stock: 'R', balance: -25, limit: { foil: 25 } },
      { id: 'd', foil: 'S', stock: 'P', balance: -5, limit: { foil: 5 } }
    ]
  })

  it('finds a route only where every leg carries the units within the depth limit', () => {
    const net = grid()
    expect(routeExists(net, 'P', 'S', 5, 1)).toBe(true)
    expect(routeExists(net, 'P', 'S', 6, 1)).toBe(false)
    expect(routeExists(net, 'P', 'S', 6, 2)).toBe(false)
    expect(routeExists(net, 'P', 'S', 18, 3)).toBe(true)
    expect(routeExists(net, 'S', 'P', 1, 6)).toBe(false)
    expect(routeExists(net, 'P', 'P', 1, 6)).toBe(false)
    expect(findRoute(net, 'P', 'S', 18, 3)?.map(e => e.tally)).toEqual(['a', 'b', 'c'])
  })

  it('with fees, the legs toward the payer carry the intermediaries\' clutch (Q keeps 10 %)', () => {
    const net = grid()
    // The payee gets 19: R gives 19, Q gives 19 and keeps ceil(1.9) = 2, so P gives 21 > 20 free.
    expect(routeExists(net, 'P', 'S', 19, 3)).toBe(false)
    expect(routeExists(net, 'P', 'S', 19, 3, { fees: false })).toBe(true)
    expect(routeExists(net, 'P', 'S', 18, 3)).toBe(true)
    // That route costs P 2 units beyond the 18: a payer accepting 1 has no route.
    expect(routeExists(net, 'P', 'S', 18, 3, { maxFee: 2 })).toBe(true)
    expect(routeExists(net, 'P', 'S', 18, 3, { maxFee: 1 })).toBe(false)
  })

  it('equals brute force over simple paths on generated networks of up to 8 users (400 runs, seed 9)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 3, max: 8 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.option(fc.nat(3)), (seed, users, units, depth, fees, fee) => {
      const pairs = users * (users - 1) / 2
      const g = generateNetwork({ seed, users, tallies: Math.min(pairs, 2 * users), clusterSize: 4, limit: [1, 60], trading: 0.6 })
      const net = ladingNetwork(g)
      for (const from of g.users) {
        for (const to of g.users) {
          if (from === to) continue
          const maxFee = fees && fee !== null ? fee : undefined
          expect(routeExists(net, from, to, units, depth, { fees, ...(maxFee !== undefined ? { maxFee } : {}) })).toBe(bruteRoute(net, from, to, units, depth, fees, maxFee))
        }
      }
    }), { numRuns: 400, seed: 9 })
  })
})

describe('generateNetwork', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(generateNetwork({ seed: 3, users: 40 })).toEqual(generateNetwork({ seed: 3, users: 40 }))
    expect(generateNetwork({ seed: 3, users: 40 }).tallies).not.toEqual(generateNetwork({ seed: 4, users: 40 }).tallies)
  })

  it('makes valid scenarios: distinct pairs, balances within limits, trading variables the simulator accepts', () => {
    for (const seed of [1, 2, 3]) {
      const g = generateNetwork({ seed, users: 50, trading: 0.5 })
      expect(g.tallies).toHaveLength(150)
      const pairs = new Set(g.tallies.map(t => [t.foil, t.stock].sort().join(':')))
      expect(pairs.size).toBe(150)
      const parsed = parseScenario(scenarioOf(g, { actions: staggeredClears(g.users, 0, 100, seed) }))
      expect(parsed.tallies.map(t => t.id)).toEqual(g.tallies.map(t => t.id))
      expect(parsed.actions).toHaveLength(50)
      expect(ladingNetwork(g).bothWays).toEqual([])
    }
  })

  it('follows its documented distributions (5,000 users)', { timeout: 30_000 }, () => {
    const g = generateNetwork({ seed: 11, users: 5000 })
    const cluster = (u: string): number => Math.floor(Number(u.slice(1)) / 10)
    const local = g.tallies.filter(t => cluster(t.foil) === cluster(t.stock)).length / g.tallies.length
    // 70 % chosen local, plus long links that land in the own cluster by chance; a local pick may repeat a pair and be redrawn.
    expect(local).toBeGreaterThan(0.6)
    expect(local).toBeLessThan(0.75)
    const zero = g.tallies.filter(t => t.balance === 0).length / g.tallies.length
    expect(zero).toBeGreaterThan(0.08)
    expect(zero).toBeLessThan(0.12)
    const foilOwes = g.tallies.filter(t => t.balance < 0).length / g.tallies.filter(t => t.balance !== 0).length
    expect(Math.abs(foilOwes - 0.5)).toBeLessThan(0.03)
    const withVars = g.tallies.reduce((n, t) => n + Object.keys(t.trading).length, 0) / (2 * g.tallies.length)
    expect(Math.abs(withVars - 0.2)).toBeLessThan(0.02)
    const degree = new Map<string, number>()
    for (const t of g.tallies) for (const u of [t.foil, t.stock]) degree.set(u, (degree.get(u) ?? 0) + 1)
    expect(Math.min(...degree.values())).toBeGreaterThanOrEqual(3)
    const outside = g.tallies.filter(t => Math.min(t.limit.foil, t.limit.stock) < 1000 || Math.max(t.limit.foil, t.limit.stock) > 100_000 ||
      t.balance < -t.limit.foil || t.balance > t.limit.stock)
    expect(outside).toEqual([])
  })

  it('leaves circular debt to clear on every seed tried (30 users)', () => {
    for (let seed = 1; seed <= 20; seed++) expect(clearableDebt(ladingNetwork(generateNetwork({ seed, users: 30 }))).debt).toBeGreaterThan(0)
  })

  it('refuses impossible options', () => {
    expect(() => generateNetwork({ seed: 1, users: 1 })).toThrow(GenerateError)
    expect(() => generateNetwork({ seed: 1, users: 4, tallies: 7 })).toThrow(GenerateError)
    expect(() => generateNetwork({ seed: 1, users: 4, local: 2 })).toThrow(GenerateError)
    expect(() => generateNetwork({ seed: 1, users: 4, limit: [10, 5] })).toThrow(GenerateError)
    expect(() => generateNetwork({ seed: 1, users: 4, clusterSize: 1 })).toThrow(GenerateError)
  })
})
