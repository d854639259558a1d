// The simulator's world without lifts: tallies opened through the real flow with their starting balances and
// trading variables, direct payments, a crash with restart from the same store, a partition, and the same
// seed giving byte-identical reports.
import { describe, expect, it } from 'vitest'
import { checksHold, runScenario } from './helpers'

const triangle = {
  seed: 7,
  users: ['A', 'B', 'C'],
  tallies: [
    { id: 'ab', foil: 'A', stock: 'B', balance: -1000, limit: { foil: 5000, stock: 100 } },
    { id: 'bc', foil: 'B', stock: 'C', balance: 50, limit: { foil: 5000, stock: 100 }, trading: { C: { target: 10, bound: 20, reward: 5, clutch: 7 } } },
    { id: 'ca', foil: 'C', stock: 'A', balance: 0, limit: { foil: 5000, stock: 0 } }
  ],
  network: { latencyMs: [10, 40], loss: 0 }
}

// Each run takes 0.2–3 s on an idle machine; the timeout leaves room for a loaded one.
describe('simulator world (tallies, direct payments, faults)', { timeout: 60_000 }, () => {
  it('opens every tally as specified: both sides agree on balance, history and trading variables', async () => {
    const report = await runScenario({ ...triangle, until: 1000 })
    expect(report.tallies.map(t => [t.id, t.balance, t.stockBalance])).toEqual([['ab', -1000, -1000], ['bc', 50, 50], ['ca', 0, 0]])
    expect(report.users).toMatchObject({ A: { net: -1000, initialNet: -1000 }, B: { net: 1050 }, C: { net: -50 } })
    expect(checksHold(report)).toEqual([])
    expect(report.totals).toMatchObject({ liftsTried: 0, debtReduction: 0 })
    expect(report.totals.messages).toBeLessThan(5) // nothing happens after setup but trailing acknowledgements
    expect(report.totals.setupMessages).toBeGreaterThan(0)
  })

  it('a payment to a crashed node waits for its restart; a partition holds one back until it heals; the same seed gives the same bytes', async () => {
    const scenario = {
      ...triangle,
      actions: [
        { at: 0, pay: { from: 'A', to: 'B', units: 200 } },
        { at: 1000, crash: 'B', for: 8000 },
        { at: 1500, pay: { from: 'A', to: 'B', units: 300 } },
        { at: 2000, partition: [['A'], ['B', 'C']], for: 6000 },
        { at: 2500, pay: { from: 'C', to: 'A', units: 40 } },
        { at: 20_000, crash: 'C' }
      ],
      until: 40_000
    }
    const report = await runScenario(scenario)
    // A→B 200, then 300 certified only after B's restart; C→A 40 sent during the partition, certified after
    // the heal; C then crashes for good and is read from its store.
    expect(report.tallies.find(t => t.id === 'ab')).toMatchObject({ balance: -1500, stockBalance: -1500, seq: 3, stockSeq: 3 })
    expect(report.tallies.find(t => t.id === 'ca')).toMatchObject({ balance: -40, stockBalance: -40 })
    expect(report.users).toMatchObject({ A: { net: -1460 }, B: { net: 1550 }, C: { net: -90 } })
    expect(report.users.B).toMatchObject({ crashes: 1, up: true })
    expect(report.users.C).toMatchObject({ crashes: 1, up: false })
    expect(report.actions.map(a => a.kind)).toEqual(['pay', 'crash', 'pay', 'partition', 'pay', 'heal', 'restart', 'crash'])
    expect(report.actions[4]).toMatchObject({ tally: 'ca', status: 'pending' })
    expect(report.actions[0]).toMatchObject({ tally: 'ab', status: 'final' })
    expect(report.actions[2]).toMatchObject({ tally: 'ab', status: 'pending' })
    expect(report.totals.messages).toBeGreaterThan(0)
    expect(checksHold(report)).toEqual([])
    const again = await runScenario(scenario)
    expect(JSON.stringify(again)).toBe(JSON.stringify(report))
  })
})
