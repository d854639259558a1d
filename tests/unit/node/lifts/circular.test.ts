// Circular clearing on simulated wallets (research scenario 22): three users, three tallies, real diaries.
import { describe, expect, it } from 'vitest'
import { balanceOn, liftWorld, netOf, pendingLifts } from './world'

describe('circular lifts (simulated network, real diaries)', { timeout: 60_000 }, () => {
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

describe('lifts with the real discovery (/mychips/route/1.0.0) on every node', { timeout: 60_000 }, () => {
  it('scenario 22 clears 7000 and a payment crosses the cycle, both found by distributed discovery', async () => {
    const w = liftWorld(2202, { discovery: 'real' })
    const [a, b, c] = [await w.wallet('A'), await w.wallet('B'), await w.wallet('C')]
    const t1 = await w.tally(a, b, { balance: -10_000, limit: { foil: 20_000, stock: 0 } })
    const t2 = await w.tally(b, c, { balance: -7_000, limit: { foil: 20_000, stock: 0 } })
    const t3 = await w.tally(c, a, { balance: -12_000, limit: { foil: 20_000, stock: 0 } })
    const nets = [netOf(a), netOf(b), netOf(c)]
    const lift = await w.run(a.lifts.clear())
    expect(lift).toMatchObject({ status: 'good', units: 7_000, legs: 3 })
    await w.time.advance(3_000)
    expect([balanceOn(a, t1), balanceOn(b, t2), balanceOn(c, t3)]).toEqual([-3_000, 0, -5_000])
    expect([netOf(a), netOf(b), netOf(c)]).toEqual(nets)
    // after the clearing no edge toward B has free lading left: a payment to B has no route
    await expect(w.run(a.lifts.quote({ to: b.identity.userId, units: 1 }))).rejects.toMatchObject({ code: 'NO_ROUTE' })
  })

  it('scenario 27 with discovery: P pays Q across X (P has no tally with Q)', async () => {
    const w = liftWorld(2702, { discovery: 'real' })
    const [p, x, q] = [await w.wallet('P'), await w.wallet('X'), await w.wallet('Q')]
    await w.tally(x, p, { balance: -500, limit: { foil: 1_000, stock: 0 } })
    await w.tally(q, x, { balance: -300, limit: { foil: 1_000, stock: 0 } })
    await expect(w.run(p.lifts.pay({ to: q.identity.userId, units: 301 }))).rejects.toMatchObject({ code: 'NO_ROUTE' })
    expect(await w.run(p.lifts.pay({ to: q.identity.userId, units: 300 }))).toMatchObject({ status: 'good', units: 300, legs: 2 })
    await w.time.advance(3_000)
    expect([netOf(p), netOf(x), netOf(q)]).toEqual([200, -200, 0])
  })
})
