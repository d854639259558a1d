// Lifts under contention and failures (research scenarios 31, 33–37) on simulated wallets with real
// diaries: unpaid invoices, interlocking lifts, a vanishing originator, a node away while the decision
// spreads, lying referees, and referees that never come back.
import { describe, expect, it } from 'vitest'
import { DEFAULT_LIFT_CONFIG } from '../../../../src/node/services/lifts/contracts'
import type { LiftOptions } from '../../../../src/node/wallet-node'
import { balanceOn, liftWorld, netOf, pendingLifts, type LiftWallet, type LiftWorld } from './world'

const LIFE = DEFAULT_LIFT_CONFIG.lifeMs
const GRACE = DEFAULT_LIFT_CONFIG.graceMs

/** The research cycle of scenario 22: A→B 10000, B→C 7000, C→A 12000 (clears 7000). */
async function cycle (w: LiftWorld, lifts: Partial<Record<'A' | 'B' | 'C', LiftOptions>> = {}): Promise<{ a: LiftWallet, b: LiftWallet, c: LiftWallet, t: [string, string, string] }> {
  const [a, b, c] = [await w.wallet('A', lifts.A), await w.wallet('B', lifts.B), await w.wallet('C', lifts.C)]
  const t1 = await w.tally(a, b, { balance: -10_000, limit: { foil: 20_000, stock: 0 } })
  const t2 = await w.tally(b, c, { balance: -7_000, limit: { foil: 20_000, stock: 0 } })
  const t3 = await w.tally(c, a, { balance: -12_000, limit: { foil: 20_000, stock: 0 } })
  return { a, b, c, t: [t1, t2, t3] }
}

/** Every tally of the cycle, seen from both sides: [holder, tally]. */
function sides (a: LiftWallet, b: LiftWallet, c: LiftWallet, t: [string, string, string]): Array<[LiftWallet, string]> {
  return [[a, t[0]], [b, t[0]], [b, t[1]], [c, t[1]], [c, t[2]], [a, t[2]]]
}

/** Both sides of every tally hold the same balance (tally agreement, from each node's own store). */
function agree (a: LiftWallet, b: LiftWallet, c: LiftWallet, t: [string, string, string]): void {
  expect(balanceOn(a, t[0]) + balanceOn(b, t[0])).toBe(0)
  expect(balanceOn(b, t[1]) + balanceOn(c, t[1])).toBe(0)
  expect(balanceOn(c, t[2]) + balanceOn(a, t[2])).toBe(0)
}

describe('lifts under contention and failures', { timeout: 60_000 }, () => {
  it('scenario 31: an unpaid invoice adds no capacity: the circle clears 10, not 15, and the invoice stays open', async () => {
    const w = liftWorld(3101)
    const [a, b, c, d] = [await w.wallet('A'), await w.wallet('B'), await w.wallet('C'), await w.wallet('D')]
    const ab = await w.tally(a, b, { balance: -20, limit: { foil: 100, stock: 0 } })
    const bc = await w.tally(b, c, { balance: -10, limit: { foil: 100, stock: 0 } })
    const cd = await w.tally(c, d, { balance: -15, limit: { foil: 100, stock: 0 } })
    const da = await w.tally(d, a, { balance: -20, limit: { foil: 100, stock: 0 } })
    const invoice = await w.run(c.tallies.invoice(bc, 5, 'not paid yet'))
    await w.time.advance(2_000)
    const lift = await w.run(c.lifts.clear())
    expect(lift).toMatchObject({ status: 'good', units: 10, legs: 4 })
    await w.time.advance(3_000)
    expect([balanceOn(a, ab), balanceOn(b, bc), balanceOn(c, cd), balanceOn(d, da)]).toEqual([-10, 0, -5, -10])
    expect((await c.tallies.chits(bc)).find(ch => ch.id === invoice.id)).toMatchObject({ status: 'invoice-open' })
    expect(await w.run(c.lifts.clear())).toBeUndefined()
  })

  it('scenario 33: two originators on one cycle at once: at least one fails fast by name, neither waits for expiry, no overlift', async () => {
    const w = liftWorld(3301)
    const { a, b, c, t } = await cycle(w)
    const nets = [netOf(a), netOf(b), netOf(c)]
    const start = w.time.now
    const [la, lb] = await w.run(Promise.all([a.lifts.clear(), b.lifts.clear()]))
    expect(w.time.now - start).toBeLessThan(LIFE / 4)
    const outcomes = [la!, lb!].map(l => l.status)
    expect(outcomes).toContain('void')
    for (const l of [la!, lb!]) expect(['good', 'void']).toContain(l.status)
    // the refusal is named where it happened, and the originator of a void lift sees why it failed
    const refusals = (await Promise.all([a, b, c].map(async x => await x.lifts.list()))).flat().filter(l => l.status === 'void').map(l => l.error?.code)
    expect(refusals.some(code => code === 'LIFT_CHIT_REFUSED' || code === 'CHIT_NOT_CERTIFIED')).toBe(true)
    expect(refusals.every(code => code !== undefined)).toBe(true)
    await w.time.advance(5_000)
    for (const [x, id] of sides(a, b, c, t)) expect(pendingLifts(x, id)).toBe(0)
    agree(a, b, c, t)
    expect([netOf(a), netOf(b), netOf(c)]).toEqual(nets)
    // no tally moved past zero (lifts only clear debt here): 7000 at most was cleared once
    const cleared = outcomes.filter(s => s === 'good').length
    expect(balanceOn(b, t[1])).toBe(cleared === 1 ? 0 : -7_000)
    expect(balanceOn(a, t[0])).toBe(cleared === 1 ? -3_000 : -10_000)
  })

  it('scenario 34: the originator vanishes after the promises: the referee voids after expiry, every chit is void, capacity is freed', async () => {
    const w = liftWorld(3401)
    const d = await w.wallet('D')
    const referees = [d.lifts.refereeRef()]
    const { a, b, c, t } = await cycle(w, { A: { config: { referees } } })
    const nets = [netOf(a), netOf(b), netOf(c)]
    const started = a.lifts.clear()
    started.catch(() => undefined)
    // run until B's chit toward A is certified (every promise but the terminus's made), then A is gone
    for (let i = 0; i < 2_000 && pendingLifts(b, t[0]) === 0; i++) await w.time.advance(1)
    expect(pendingLifts(b, t[0])).toBe(1)
    await a.crash()
    w.net.partition([[a.identity.peerId]])
    await w.time.advance(LIFE + GRACE + 10_000)
    const lift = (await b.lifts.list())[0]!
    expect(lift).toMatchObject({ status: 'void' })
    expect(await c.lifts.get(lift.id)).toMatchObject({ status: 'void' })
    expect(pendingLifts(b, t[1])).toBe(0)
    expect(pendingLifts(c, t[1])).toBe(0)
    // A comes back: its diaries certify the decisions its partners queued, its own record learns void
    w.net.heal()
    const a2 = await a.restart()
    await w.time.advance(30_000)
    expect(await a2.lifts.get(lift.id)).toMatchObject({ status: 'void', role: 'originator' })
    for (const [x, id] of sides(a2, b, c, t)) expect(pendingLifts(x, id)).toBe(0)
    agree(a2, b, c, t)
    expect([netOf(a2), netOf(b), netOf(c)]).toEqual(nets)
    // capacity is free again: the cycle clears
    expect(await w.run(b.lifts.clear())).toMatchObject({ status: 'good', units: 7_000 })
  })

  it('scenario 34b: the originator is gone before the last chit certifies: B refuses, void; the chit certified on A\'s return is voided too', async () => {
    const w = liftWorld(3402)
    const d = await w.wallet('D')
    const { a, b, c, t } = await cycle(w, { A: { config: { referees: [d.lifts.refereeRef()] } } })
    const nets = [netOf(a), netOf(b), netOf(c)]
    a.lifts.clear().catch(() => undefined)
    // C gave toward B: B is about to certify its chit toward A, which needs A
    for (let i = 0; i < 2_000 && pendingLifts(c, t[1]) === 0; i++) await w.time.advance(1)
    expect(pendingLifts(b, t[0])).toBe(0)
    await a.crash()
    w.net.partition([[a.identity.peerId]])
    // B waits for its chit until the lift expires (a partner back within the lift's life lets it go on), then refuses
    await w.time.advance(LIFE + GRACE + 5_000)
    const lift = (await b.lifts.list())[0]!
    expect(lift).toMatchObject({ status: 'void', error: { code: 'LIFT_CHIT_REFUSED' } })
    expect(await c.lifts.get(lift.id)).toMatchObject({ status: 'void' })
    expect(pendingLifts(c, t[1])).toBe(0)
    // A returns: B's queued chit is certified on t1 now, after the void decision — and voided at once
    w.net.heal()
    const a2 = await a.restart()
    await w.time.advance(LIFE + GRACE + 30_000)
    expect(await a2.lifts.get(lift.id)).toMatchObject({ status: 'void' })
    for (const [x, id] of sides(a2, b, c, t)) expect(pendingLifts(x, id)).toBe(0)
    agree(a2, b, c, t)
    expect([netOf(a2), netOf(b), netOf(c)]).toEqual(nets)
  })

  it('scenario 35: a node away while the decision spreads gets it when back; termination, agreement, harmlessness, tally agreement', async () => {
    const w = liftWorld(3501)
    const { a, b, c, t } = await cycle(w)
    const nets = [netOf(a), netOf(b), netOf(c)]
    const started = a.lifts.clear()
    started.catch(() => undefined)
    // B made its promise and forwarded it; the referee (A's own) decided: B goes away before the decision comes back
    const decided = async (): Promise<boolean> => {
      const id = (await a.lifts.list())[0]?.id
      return id !== undefined && (await a.lifts.referee!.entry(id)) !== undefined
    }
    for (let i = 0; i < 2_000 && !(await decided()); i++) await w.time.advance(1)
    expect(pendingLifts(a, t[0])).toBe(1)
    await b.crash()
    w.net.partition([[b.identity.peerId]])
    const lift = await w.run(started)
    expect(lift).toMatchObject({ status: 'good' })
    await w.time.advance(10_000)
    expect(await c.lifts.get(lift!.id)).toMatchObject({ status: 'good' })
    // the tallies with B cannot certify the decision without B: still pending there
    expect(pendingLifts(a, t[0])).toBe(1)
    w.net.heal()
    const b2 = await b.restart()
    await w.time.advance(20_000)
    expect(await b2.lifts.get(lift!.id)).toMatchObject({ status: 'good', role: 'intermediary' })
    for (const [x, id] of sides(a, b2, c, t)) expect(pendingLifts(x, id)).toBe(0)
    agree(a, b2, c, t)
    expect([balanceOn(a, t[0]), balanceOn(b2, t[1]), balanceOn(c, t[2])]).toEqual([-3_000, 0, -5_000])
    expect([netOf(a), netOf(b2), netOf(c)]).toEqual(nets)
  })

  it('scenario 36: three referees, one lies to the terminus: one outcome for all, and the lie is caught as a fraud proof', async () => {
    const w = liftWorld(3601)
    const [r1, r2] = [await w.wallet('R1'), await w.wallet('R2')]
    let terminus = ''
    const r3 = await w.wallet('R3', { refereeBehaviour: { equivocate: peer => peer === terminus } })
    const referees = [r1, r2, r3].map(r => r.lifts.refereeRef())
    const { a, b, c, t } = await cycle(w, { A: { config: { referees } } })
    terminus = a.identity.peerId
    const lift = await w.run(a.lifts.clear())
    expect(lift).toMatchObject({ status: 'good', units: 7_000 })
    await w.time.advance(5_000)
    for (const x of [b, c]) expect(await x.lifts.get(lift!.id)).toMatchObject({ status: 'good' })
    expect(lift!.fraud).toBeUndefined()
    // B asks the referees itself: R3 now signs good to B — with the void it gave A, that is a fraud proof
    const seen = await w.run(b.lifts.refresh(lift!.id))
    expect(seen).toMatchObject({ status: 'good', fraud: true })
    await w.time.advance(5_000)
    for (const x of [a, c]) expect(await x.lifts.get(lift!.id)).toMatchObject({ status: 'good', fraud: true })
    for (const [x, id] of sides(a, b, c, t)) expect(pendingLifts(x, id)).toBe(0)
    agree(a, b, c, t)
  })

  it('scenario 36: a lying majority (two referees sign both outcomes) is detected as a fraud proof and shown', async () => {
    const w = liftWorld(3602)
    let terminus = ''
    const r1 = await w.wallet('R1')
    const liars = [await w.wallet('R2', { refereeBehaviour: { equivocate: peer => peer === terminus } }), await w.wallet('R3', { refereeBehaviour: { equivocate: peer => peer === terminus } })]
    const referees = [r1, ...liars].map(r => r.lifts.refereeRef())
    const { a, b, c, t } = await cycle(w, { A: { config: { referees } } })
    terminus = a.identity.peerId
    const nets = [netOf(a), netOf(b), netOf(c)]
    // the liars tell the terminus void (they keep good): the route records void
    const lift = await w.run(a.lifts.clear())
    expect(lift).toMatchObject({ status: 'void' })
    await w.time.advance(5_000)
    const seen = await w.run(c.lifts.refresh(lift!.id))
    expect(seen).toMatchObject({ status: 'void', fraud: true })
    await w.time.advance(5_000)
    for (const x of [a, b]) expect(await x.lifts.get(lift!.id)).toMatchObject({ status: 'void', fraud: true })
    // still one outcome on every tally, and nobody lost anything
    for (const [x, id] of sides(a, b, c, t)) expect(pendingLifts(x, id)).toBe(0)
    agree(a, b, c, t)
    expect([netOf(a), netOf(b), netOf(c)]).toEqual(nets)
  })

  it('referees dead forever: the lift stays pending everywhere with no loss; queries back off', async () => {
    const w = liftWorld(3701)
    const d = await w.wallet('D')
    const { a, b, c, t } = await cycle(w, { A: { config: { referees: [d.lifts.refereeRef()] } } })
    const nets = [netOf(a), netOf(b), netOf(c)]
    await d.crash()
    w.net.partition([[d.identity.peerId]])
    const lift = await w.run(a.lifts.clear())
    expect(lift).toMatchObject({ status: 'pending' })
    await w.time.advance(10 * 60_000)
    for (const x of [a, b, c]) expect(await x.lifts.get(lift!.id)).toMatchObject({ status: 'pending' })
    for (const [x, id] of sides(a, b, c, t)) expect(pendingLifts(x, id)).toBe(1)
    expect([netOf(a), netOf(b), netOf(c)]).toEqual(nets)
    agree(a, b, c, t)
    // pending chits count against their givers only: the receivers' credit is untouched
    expect((await a.tallies.get(t[0])).availableToMe).toBe(10_000)
    // minutes after expiry: a handful of queries with backoff, not one per second
    for (const x of [a, b, c]) {
      const rec = await x.store.read(async tx => await tx.get<{ queries: number }>('lifts', `rec/${lift!.id}`))
      expect(rec!.queries).toBeGreaterThanOrEqual(3)
      expect(rec!.queries).toBeLessThanOrEqual(8)
    }
  })
})
