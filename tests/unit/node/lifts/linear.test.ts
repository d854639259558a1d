// Linear payments to users the payer has no tally with (research scenarios 27–29, 26), on simulated
// wallets with real diaries.
import { describe, expect, it } from 'vitest'
import type { LiftOptions } from '../../../../src/node/wallet-node'
import { recordKey, type LiftLocal } from '../../../../src/node/services/lifts/records'
import { balanceOn, liftWorld, netOf, pendingLifts, type LiftWallet } from './world'

describe('linear lifts (payments to anyone)', { timeout: 60_000 }, () => {
  it('scenario 27: P pays Q across P→X→Q up to the least free lading; one unit more is NO_ROUTE, shown as failed', async () => {
    const w = liftWorld(2701)
    const [p, x, q] = [await w.wallet('P'), await w.wallet('X'), await w.wallet('Q')]
    // X owes P 500 (P can give 500 to X), Q owes X 300 (X can give 300 to Q).
    const px = await w.tally(x, p, { balance: -500, limit: { foil: 1_000, stock: 0 } })
    const xq = await w.tally(q, x, { balance: -300, limit: { foil: 1_000, stock: 0 } })
    expect(await w.run(p.lifts.quote({ to: q.identity.userId, units: 300 }))).toEqual({ to: q.identity.userId, units: 300, fee: 0, legs: 2 })
    await expect(w.run(p.lifts.pay({ to: q.identity.userId, units: 301 }))).rejects.toMatchObject({ code: 'NO_ROUTE' })
    expect((await p.lifts.list())[0]).toMatchObject({ kind: 'linear', status: 'failed', units: 301, error: { code: 'NO_ROUTE' }, effects: [] })
    const nets = [netOf(p), netOf(x), netOf(q)]
    const paid = await w.run(p.lifts.pay({ to: q.identity.userId, units: 300 }))
    expect(paid).toMatchObject({ kind: 'linear', role: 'originator', status: 'good', units: 300, fee: 0, legs: 2, to: q.identity.userId })
    expect(paid.effects).toEqual([expect.objectContaining({ tally: px, units: -300, status: 'good', partner: 'X' })])
    await w.time.advance(3_000)
    expect([balanceOn(p, px), balanceOn(x, px), balanceOn(x, xq), balanceOn(q, xq)]).toEqual([200, -200, 0, 0])
    expect([netOf(p) - nets[0]!, netOf(x) - nets[1]!, netOf(q) - nets[2]!]).toEqual([-300, 0, 300])
    expect(await q.lifts.get(paid.id)).toMatchObject({ role: 'payee', status: 'good', units: 300, effects: [expect.objectContaining({ tally: xq, units: 300 })] })
    expect(await x.lifts.get(paid.id)).toMatchObject({ role: 'intermediary', status: 'good', fee: 0 })
    for (const [wl, t] of [[p, px], [x, px], [x, xq], [q, xq]] as const) expect(pendingLifts(wl, t)).toBe(0)
    // the route is used up: the next payment has no route
    await expect(w.run(p.lifts.quote({ to: q.identity.userId, units: 1 }))).rejects.toMatchObject({ code: 'NO_ROUTE' })
  })

  it('an intermediary keeps its clutch as a fee; the payer refuses a route costing more than maxFee (FEE_TOO_HIGH)', async () => {
    const w = liftWorld(2601)
    const [p, x, q] = [await w.wallet('P'), await w.wallet('X'), await w.wallet('Q')]
    await w.tally(x, p, { balance: -5_000, limit: { foil: 10_000, stock: 0 } })
    const xq = await w.tally(q, x, { balance: -5_000, limit: { foil: 10_000, stock: 0 } })
    // X charges 2 % for what it gives on x→q
    await w.run(x.tallies.setTradingVars(xq, { target: 0, bound: 0, reward: 0, clutch: 20_000 }))
    await w.time.advance(2_000)
    expect(await w.run(p.lifts.quote({ to: q.identity.userId, units: 1_000 }))).toMatchObject({ fee: 20, legs: 2 })
    await expect(w.run(p.lifts.pay({ to: q.identity.userId, units: 1_000, maxFee: 19 }))).rejects.toMatchObject({ code: 'FEE_TOO_HIGH' })
    // default maxFee is 1 % of the units: 10 < 20
    await expect(w.run(p.lifts.pay({ to: q.identity.userId, units: 1_000 }))).rejects.toMatchObject({ code: 'FEE_TOO_HIGH' })
    const nets = [netOf(p), netOf(x), netOf(q)]
    const paid = await w.run(p.lifts.pay({ to: q.identity.userId, units: 1_000, maxFee: 20 }))
    expect(paid).toMatchObject({ status: 'good', units: 1_000, fee: 20 })
    await w.time.advance(3_000)
    expect([netOf(p) - nets[0]!, netOf(x) - nets[1]!, netOf(q) - nets[2]!]).toEqual([-1_020, 20, 1_000])
    expect(await x.lifts.get(paid.id)).toMatchObject({ role: 'intermediary', fee: 20 })
  })

  it('an intermediary whose clutch the route under-reports refuses before it promises (FEE_TOO_LOW): void, nothing moves, no chit left pending', async () => {
    const w = liftWorld(2602)
    // P's discovery reports every clutch as 0 (a stale or lying answer): P offers X no fee.
    const stale: LiftOptions = {
      route: deps => {
        const inner = w.oracle.service(deps)
        return { ...inner, find: async r => { const d = await inner.find(r); return { ...d, plans: d.plans.map(pl => ({ hops: pl.hops.map(h => ({ ...h, clutch: 0 })) })) } } }
      }
    }
    const [p, x, q] = [await w.wallet('P', stale), await w.wallet('X'), await w.wallet('Q')]
    const px = await w.tally(x, p, { balance: -5_000, limit: { foil: 10_000, stock: 0 } })
    const xq = await w.tally(q, x, { balance: -5_000, limit: { foil: 10_000, stock: 0 } })
    await w.run(x.tallies.setTradingVars(xq, { target: 0, bound: 0, reward: 0, clutch: 20_000 }))
    await w.time.advance(2_000)
    const nets = [netOf(p), netOf(x), netOf(q)]
    const paid = await w.run(p.lifts.pay({ to: q.identity.userId, units: 1_000, maxFee: 0 }))
    expect(paid).toMatchObject({ status: 'void', fee: 0 })
    await w.time.advance(3_000)
    const atX = await x.lifts.get(paid.id)
    expect(atX).toMatchObject({ role: 'intermediary', status: 'void', error: { code: 'FEE_TOO_LOW' } })
    // X never promised (its stored record holds no promise of its own) and never gave on x→q
    const stored = await x.store.read(async tx => await tx.get<LiftLocal>('lifts', recordKey(paid.id)))
    expect(stored?.promises.filter(pr => pr.body.leg === 0)).toEqual([])
    expect(stored?.legs.filter(l => l.giver)).toEqual([])
    expect(atX.effects.filter(e => e.tally === xq)).toEqual([])
    expect([netOf(p) - nets[0]!, netOf(x) - nets[1]!, netOf(q) - nets[2]!]).toEqual([0, 0, 0])
    for (const [wl, t] of [[p, px], [x, px], [x, xq], [q, xq]] as const) expect(pendingLifts(wl, t)).toBe(0)
  })

  it('scenarios 28–29: on the 4×4 grid p1203 pays p1001 20 units through p1102; 21 has no route', async () => {
    const w = liftWorld(2801)
    const users = new Map<string, LiftWallet>()
    for (const s of [10, 11, 12, 13]) for (const u of ['00', '01', '02', '03']) users.set(`p${s}${u}`, await w.wallet(`p${s}${u}`))
    const u = (name: string): LiftWallet => users.get(name)!
    const tallies = new Map<string, string>()
    // "X→Y n": X (foil) owes Y (stock) n.
    const edge = async (x: string, y: string, n: number): Promise<void> => {
      tallies.set(`${x}>${y}`, await w.tally(u(x), u(y), { balance: -n, limit: { foil: 1_000, stock: 0 } }))
    }
    for (const s of [10, 11, 12, 13]) {
      await edge(`p${s}00`, `p${s}01`, 4)
      await edge(`p${s}01`, `p${s}02`, 5)
      await edge(`p${s}02`, `p${s}03`, 6)
      if (s < 13) {
        await edge(`p${s}00`, `p${s + 1}01`, 10)
        await edge(`p${s}01`, `p${s + 1}02`, 20)
        await edge(`p${s}02`, `p${s + 1}03`, 30)
      }
    }
    const payee = u('p1001').identity.userId
    await expect(w.run(u('p1203').lifts.pay({ to: payee, units: 21 }))).rejects.toMatchObject({ code: 'NO_ROUTE' })
    const nets = [...users.values()].map(netOf)
    const paid = await w.run(u('p1203').lifts.pay({ to: payee, units: 20 }))
    expect(paid).toMatchObject({ status: 'good', units: 20, fee: 0, legs: 2 })
    await w.time.advance(3_000)
    expect(await u('p1001').lifts.get(paid.id)).toMatchObject({ role: 'payee', status: 'good' })
    expect(balanceOn(u('p1203'), tallies.get('p1102>p1203')!)).toBe(10)
    expect(balanceOn(u('p1102'), tallies.get('p1001>p1102')!)).toBe(0)
    const after = [...users.values()].map(netOf)
    const names = [...users.keys()]
    const changed = Object.fromEntries(names.map((n, i) => [n, after[i]! - nets[i]!]).filter(([, d]) => d !== 0))
    expect(changed).toEqual({ p1001: 20, p1203: -20 })
  }, 60_000)
})
