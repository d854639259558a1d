// The clearing plan (docs/lifts.md §10) through the whole simulator: real nodes plan over
// /mychips/plan/1.0.0, walk the plan over /mychips/plan-walk/1.0.0 and lift its loops. On a generated
// network it clears far more than greedy lifting can, and every run keeps the lifts' guarantees.
import { describe, expect, it } from 'vitest'
import { generateNetwork, scenarioOf, staggeredClears } from '../../sim/generate'
import { clearableDebt, greedyClearing, ladingNetwork } from '../../sim/reference'
import type { Scenario } from '../../sim/scenario'
import { checksHold, runScenario } from './helpers'

const PLAN = { planMs: 5_000, planJoinMs: 1_000 }

function planned (users: number, seed: number, rest: Partial<Scenario> = {}): { scenario: Scenario, max: number, greedy: number } {
  const g = generateNetwork({ seed, users })
  const net = ladingNetwork(g)
  return {
    // Everyone asks to clear within the first 0.4 s: the first starts an epoch, the rest join it.
    scenario: scenarioOf(g, { actions: staggeredClears(g.users, 0, 10, 2), network: { latencyMs: [50, 50], loss: 0 }, lifts: PLAN, until: 60_000, ...rest }),
    max: clearableDebt(net).debt,
    greedy: greedyClearing(net, { maxDepth: 6, choose: 'widest', seed: 1 }).debt
  }
}

describe('simulator: clearing with a plan', { timeout: 120_000 }, () => {
  it('40 users (generator seed 1): ≥ 90 % of the exact maximum, far above greedy lifting, no lift left pending, every check holds', async () => {
    const { scenario, max, greedy } = planned(40, 1)
    const r = await runScenario(scenario)
    expect(checksHold(r)).toEqual([])
    expect(r.totals.pending).toBe(0)
    expect(r.lifts.every(l => l.kind === 'circular' && l.fee === 0)).toBe(true)
    expect(r.totals.unitsCleared).toBeLessThanOrEqual(max)
    expect(r.totals.unitsCleared / max).toBeGreaterThanOrEqual(0.9)
    // Greedy lifting with a whole view of the network reaches 64 % here.
    expect(r.totals.unitsCleared).toBeGreaterThan(greedy * 1.2)
  })

  it('research scenario 22 with a plan (B crashes for 5 s during it): the cycle still clears 7000, 3000/0/5000', async () => {
    const r = await runScenario({
      seed: 1,
      users: ['A', 'B', 'C'],
      tallies: [
        { id: 't1', foil: 'A', stock: 'B', balance: -10000, limit: { foil: 20000, stock: 0 } },
        { id: 't2', foil: 'B', stock: 'C', balance: -7000, limit: { foil: 20000, stock: 0 } },
        { id: 't3', foil: 'C', stock: 'A', balance: -12000, limit: { foil: 20000, stock: 0 } }
      ],
      network: { latencyMs: [20, 80], loss: 0 },
      actions: [{ at: 0, clear: 'all' }, { at: 500, crash: 'B', for: 5000 }],
      lifts: PLAN,
      until: 60000
    })
    expect(Object.fromEntries(r.tallies.map(t => [t.id, [t.balance, t.stockBalance]]))).toEqual({ t1: [-3000, -3000], t2: [0, 0], t3: [-5000, -5000] })
    expect(r.totals).toMatchObject({ good: 1, pending: 0, unitsCleared: 21000 })
    expect(checksHold(r)).toEqual([])
  })

  it('a node crashing while the plan settles and a partition while it is lifted: no loss, every check holds', async () => {
    const { scenario } = planned(30, 2)
    const users = scenario.users
    const r = await runScenario({
      ...scenario,
      actions: [
        ...scenario.actions,
        { at: 2_500, crash: users[3]!, for: 4_000 },
        { at: 9_000, partition: [users.slice(0, 10), users.slice(10)], for: 3_000 }
      ]
    })
    expect(checksHold(r)).toEqual([])
    expect(r.totals.good).toBeGreaterThan(0)
  })
})
