// Discovery quality against brute force on generated networks (tests/sim/generate.ts): for every user, the
// best circular route (largest bottleneck, ≤ maxDepth legs) the distributed discovery finds is the best one
// an exhaustive search of simple cycles through that user finds; for random pairs, a linear route is found
// whenever one exists.
import { describe, expect, it } from 'vitest'
import { edgeLading } from '../../../../src/core/lift/lading'
import { bottleneck, linearOptions } from '../../../../src/core/lift/plan'
import { generateNetwork } from '../../../sim/generate'
import { ladingNetwork, routeExists } from '../../../sim/reference'
import { RouteWorld, tallyState, type TallySpec } from './route-world'

interface Edge { to: string, free: number }

/** Every edge with free lading (`feeless`: only those whose giver's clutch is ≤ 0, the edges circular lifts take). */
function edges (tallies: readonly TallySpec[], feeless = false): Map<string, Edge[]> {
  const out = new Map<string, Edge[]>()
  for (const t of tallies) {
    const s = tallyState(t, n => n)
    for (const [giver, side] of [[t.foil, 'foil'], [t.stock, 'stock']] as const) {
      const free = edgeLading(s, side).free
      if (free < 1 || (feeless && edgeLading(s, side).clutch > 0)) continue
      const to = giver === t.foil ? t.stock : t.foil
      out.set(giver, [...(out.get(giver) ?? []), { to, free }])
    }
  }
  return out
}

/** Largest bottleneck of a simple path from `from` to `to` of at most `depth` legs (0: none). */
function bestPath (g: Map<string, Edge[]>, from: string, to: string, depth: number): number {
  let best = 0
  const seen = new Set<string>([from])
  const walk = (at: string, legs: number, min: number): void => {
    for (const e of g.get(at) ?? []) {
      const m = Math.min(min, e.free)
      if (m <= best) continue
      if (e.to === to) { best = m; continue }
      if (legs + 1 >= depth || seen.has(e.to)) continue
      seen.add(e.to)
      walk(e.to, legs + 1, m)
      seen.delete(e.to)
    }
  }
  walk(from, 0, Number.POSITIVE_INFINITY)
  return best
}

/** Each user's widest cycle (circular, units 1) as discovery finds it and as exhaustive search finds it. */
async function circular (seed: number, reexplore?: number): Promise<{ users: number, widest: number, some: number, queries: number }> {
  const g = generateNetwork({ seed, users: 30 })
  const w = new RouteWorld(g.users, g.tallies, { seed, ...(reexplore !== undefined ? { limits: { reexploreCircular: reexplore } } : {}) })
  const graph = edges(g.tallies, true)
  let widest = 0
  let some = 0
  for (const u of g.users) {
    const { value: d } = await w.run(w.node(u).service.find({ kind: 'circular', units: 1 }))
    const found = d.plans.length > 0 ? bottleneck(d.plans[0]!) : 0
    const best = bestPath(graph, u, u, 6)
    expect(found).toBeLessThanOrEqual(best)
    if (found === best) widest++
    if ((found > 0) === (best > 0)) some++
  }
  let queries = 0
  for (const u of g.users) queries += w.node(u).service.counters.queriesSent + w.node(u).service.counters.marksSent
  w.stop()
  return { users: g.users.length, widest, some, queries }
}

describe('discovery against exhaustive search on generated networks (30 users, 90 tallies, depth 6)', () => {
  it('linear: for 90 pairs, a route is found whenever one exists, at the widest route\'s units', async () => {
    for (const seed of [1]) {
      const g = generateNetwork({ seed, users: 30 })
      const w = new RouteWorld(g.users, g.tallies, { seed })
      const graph = edges(g.tallies)
      const lading = ladingNetwork(g)
      const missed: string[] = []
      let tried = 0
      for (let i = 0; i < g.users.length; i++) {
        for (const j of [7, 13, 19]) {
          const from = g.users[i]!
          const to = g.users[(i + j) % g.users.length]!
          const best = bestPath(graph, from, to, 6)
          const { value: d } = await w.run(w.node(from).service.find({ kind: 'linear', to: w.userId(to), units: Math.max(1, best) }))
          if (best === 0) { expect(d.plans).toEqual([]); continue }
          // The widest path's units may not pay once its intermediaries' fees are added (each leg needs its
          // own units): then no plan is one the payer could use, and discovery answers none.
          const payable = routeExists(lading, from, to, best, 6)
          expect(linearOptions(d.plans, best).length > 0).toBe(payable)
          if (!payable) continue
          tried++
          if (d.plans.length === 0) missed.push(`${from}→${to} (${best})`)
        }
      }
      w.stop()
      expect(tried).toBeGreaterThan(65)
      expect(missed).toEqual([])
    }
  }, 120_000)

  it('circular: every user with a fee-free cycle finds one; all find the widest (re-exploring shallower queries helps)', async () => {
    const runs = [await circular(1), await circular(3)]
    expect(runs.map(r => r.some)).toEqual([30, 30])
    // Measured (the widest cycle whose every giver's clutch is ≤ 0): 30 of 30 with the default (8
    // re-explorations of a circular session); with 2: 28 and 28; seed 3 without re-exploration: 21.
    expect(runs.map(r => r.widest)).toEqual([30, 30])
    const two = await circular(3, 2)
    expect(two.widest).toBe(28)
    const without = await circular(3, 0)
    expect(without.widest).toBe(21)
    expect(without.queries).toBeLessThan(runs[1]!.queries)
  }, 120_000)
})
