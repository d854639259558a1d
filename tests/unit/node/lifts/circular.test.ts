// Circular clearing on simulated wallets (research scenario 22): three users, three tallies, real diaries.
import { describe, expect, it } from 'vitest'
import { balanceOn, liftWorld, netOf, pendingLifts } from './world'

describe('circular lifts (simulated network, real diaries)', () => {
  it('scenario 22: A→B 10000, B→C 7000, C→A 12000 clears 7000 (3000/0/5000), every net unchanged', async () => {
    const w = liftWorld(2201)
    const [a, b, c] = [await w.wallet('A'), await w.wallet('B'), await w.wallet('C')]
    const t1 = await w.tally(a, b, { balance: -10_000, limit: { foil: 20_000, stock: 0 } })
    const t2 = await w.tally(b, c, { balance: -7_000, limit: { foil: 20_000, stock: 0 } })
    const t3 = await w.tally(c, a, { balance: -12_000, limit: { foil: 20_000, stock: 0 } })
    const nets = [netOf(a), netOf(b), netOf(c)]
    expect(nets).toEqual([2_000, 3_000, -5_000])
    const lift = await w.run(a.lifts.clear())
    expect(lift).toMatchObject({ kind: 'circular', role: 'originator', status: 'good', units: 7_000, legs: 3, fee: 0 })
    await w.time.advance(3_000)
    expect([balanceOn(a, t1), balanceOn(b, t1)]).toEqual([-3_000, 3_000])
    expect([balanceOn(b, t2), balanceOn(c, t2)]).toEqual([0, 0])
    expect([balanceOn(c, t3), balanceOn(a, t3)]).toEqual([-5_000, 5_000])
    expect([netOf(a), netOf(b), netOf(c)]).toEqual(nets)
    for (const [w1, t] of [[a, t1], [b, t1], [b, t2], [c, t2], [c, t3], [a, t3]] as const) expect(pendingLifts(w1, t)).toBe(0)
    // every participant shows the same outcome, with its own effects
    const vb = await b.lifts.get(lift!.id)
    expect(vb).toMatchObject({ role: 'intermediary', status: 'good', units: 7_000 })
    expect(vb.effects.map(e => e.units).sort((x, y) => x - y)).toEqual([-7_000, 7_000])
    expect(await c.lifts.get(lift!.id)).toMatchObject({ role: 'intermediary', status: 'good' })
    const va = await a.lifts.get(lift!.id)
    expect(va.effects).toEqual([
      expect.objectContaining({ tally: t3, units: -7_000, status: 'good', partner: 'C' }),
      expect.objectContaining({ tally: t1, units: 7_000, status: 'good', partner: 'B' })
    ])
    // nothing left to clear
    expect(await w.run(a.lifts.clear())).toBeUndefined()
  })
})
