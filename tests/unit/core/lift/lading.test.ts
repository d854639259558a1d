// Lading (docs/lifts.md §2) on research scenarios 22, 24, 25 and 31, and through the signed tally machine.
import { describe, expect, it } from 'vitest'
import * as rules from '../../../../src/core/chit/rules'
import { signLiftDecision } from '../../../../src/core/chit/sign'
import { edgeLading } from '../../../../src/core/lift/lading'
import { liftChitId } from '../../../../src/core/lift/ids'
import { balanceOf, pendingGiven } from '../../../../src/core/tally/state'
import type { LiftOp } from '../../../../src/core/chit/types'
import type { Side } from '../../../../src/core/tally/types'
import type { TallyState } from '../../../../src/core/tally/state'
import { Device, machine, openWorld } from '../tally/fixtures'
import { keyPair, p } from './fixtures'
import { tally } from './tally'

const REF = 'r'.repeat(43)
const LIFT = 'lift-abcdefgh-0001'
const liftOp = (units: number, leg = 0, lift = LIFT): LiftOp => ({ op: 'lift', chit: liftChitId(lift, leg), lift, units, referees: [REF], expires: 1 })
const lift = (s: TallyState, giver: Side, units: number, leg = 0, id = LIFT): TallyState => rules.lift(s, giver, liftOp(units, leg, id))

describe('edge lading', () => {
  it('scenario 22: the 3-node cycle A→B 10000, B→C 7000, C→A 12000 has free 10000/7000/12000 toward the debtors; 7000 clears to 3000/0/5000, nets unchanged', () => {
    // foil owes stock on each tally; every stock grants its foil 20000, foils grant nothing
    const t1 = tally({ id: 't1', balance: 10000, limit: { stock: 20000 } }) // foil A, stock B
    const t2 = tally({ id: 't2', balance: 7000, limit: { stock: 20000 } }) // foil B, stock C
    const t3 = tally({ id: 't3', balance: 12000, limit: { stock: 20000 } }) // foil C, stock A
    expect([t1, t2, t3].map(t => edgeLading(t, 'stock').free)).toEqual([10000, 7000, 12000])
    expect([t1, t2, t3].map(t => edgeLading(t, 'foil').free)).toEqual([0, 0, 0]) // stocks' targets are 0
    const done = [t1, t2, t3].map((t, k) => rules.resolveLift(lift(t, 'stock', 7000, k), liftChitId(LIFT, k), 'good'))
    expect(done.map(t => t.balance)).toEqual([3000, 0, 5000])
    const net = { A: -done[0]!.balance + done[2]!.balance, B: done[0]!.balance - done[1]!.balance, C: done[1]!.balance - done[2]!.balance }
    expect(net).toEqual({ A: 2000, B: 3000, C: -5000 })
  })

  it('scenario 24: A (foil) owing 3000 with target 5000, bound 10000: free 8000, max 13000 when A grants the credit; A ends +5000', () => {
    const vars = { foil: { target: 5000, bound: 10000 } }
    const t = tally({ balance: 3000, limit: { stock: 20000, foil: 10000 }, vars })
    expect(edgeLading(t, 'stock')).toEqual({ free: 8000, max: 13000, clutch: 0, reward: 0 })
    // credit limits hold: with A granting B only 5000, B can give A at most 3000 + 5000
    expect(edgeLading(tally({ balance: 3000, limit: { foil: 5000 }, vars }), 'stock')).toMatchObject({ free: 8000, max: 8000 })
    expect(edgeLading(tally({ balance: 3000, limit: { foil: 2000 }, vars }), 'stock')).toMatchObject({ free: 5000, max: 5000 })
    const after = rules.resolveLift(lift(t, 'stock', 8000), liftChitId(LIFT, 0), 'good')
    expect(balanceOf(after, 'foil')).toBe(5000)
    expect(edgeLading(after, 'stock')).toMatchObject({ free: 0, max: 5000 })
  })

  it('scenario 25: the stock B at +10000 with target 0 and bound 0 has no drop edge; bound 15000 gives max 5000, free 0', () => {
    const flat = tally({ balance: 10000, limit: { stock: 20000 } })
    expect(edgeLading(flat, 'foil')).toMatchObject({ free: 0, max: 0 })
    const bound = tally({ balance: 10000, limit: { stock: 20000 }, vars: { stock: { bound: 15000, reward: 1000 } } })
    expect(edgeLading(bound, 'foil')).toEqual({ free: 0, max: 5000, clutch: 0, reward: 1000 })
    // the rules accept a lift up to max (rewarded lading), never past it
    expect(() => lift(bound, 'foil', 5001)).toThrow(expect.objectContaining({ code: 'OVER_BOUND' }))
    expect(lift(bound, 'foil', 5000).pending[liftChitId(LIFT, 0)]).toMatchObject({ units: 5000 })
  })

  it('scenario 31: an unpaid invoice creates no capacity: C (stock, +10) invoicing B for 5 still lifts at most 10, 15 is refused', () => {
    const base = tally({ balance: 10, limit: { stock: 15 } }) // C is the stock, B the foil owing 10; B grants C no credit
    const invoiced = rules.invoice(base, 'stock', { op: 'invoice', chit: 'invoice-00000001', units: 5 })
    for (const t of [base, invoiced]) expect(edgeLading(t, 'stock')).toMatchObject({ free: 10, max: 10 })
    expect(() => lift(invoiced, 'stock', 15)).toThrow(expect.objectContaining({ code: 'OVER_LIMIT' }))
    expect(lift(invoiced, 'stock', 10).pending[liftChitId(LIFT, 0)]).toMatchObject({ units: 10, by: 'stock' })
    // once paid, the invoice is a good chit and counts
    const paid = rules.pay(invoiced, 'foil', { op: 'pay', chit: 'payment-0000001', units: 5, invoice: 'invoice-00000001' })
    expect(paid.balance).toBe(15)
    expect(edgeLading(paid, 'stock')).toMatchObject({ free: 15 })
  })

  it('pending lift chits count against the holder only', () => {
    const t = tally({ balance: 1000, limit: { stock: 5000, foil: 500 } })
    const held = lift(t, 'stock', 600) // the stock gives 600 to the foil, pending
    expect(pendingGiven(held, 'stock')).toBe(600)
    // the giver's own further giving shrinks (free wanted by the foil drops by 600) ...
    expect(edgeLading(held, 'stock').free).toBe(400)
    // ... but the other direction is not enlarged by what may never arrive: the stock's worst case is unchanged good balance
    expect(edgeLading(held, 'foil')).toEqual(edgeLading(t, 'foil'))
    // void gives the lading back, good consumes it
    expect(edgeLading(rules.resolveLift(held, liftChitId(LIFT, 0), 'void'), 'stock').free).toBe(1000)
    expect(edgeLading(rules.resolveLift(held, liftChitId(LIFT, 0), 'good'), 'stock').free).toBe(400)
  })

  it('closed tallies carry nothing; a closing one only lifts the giver\'s debt toward zero', () => {
    expect(edgeLading(tally({ balance: 100, limit: { stock: 1000, foil: 1000 }, status: 'closed' }), 'stock')).toMatchObject({ free: 0, max: 0 })
    const closing = tally({ balance: 100, limit: { stock: 1000, foil: 1000 }, vars: { foil: { target: 500 } }, status: 'closing' })
    expect(edgeLading(closing, 'stock')).toMatchObject({ free: 100 })
    expect(() => lift(closing, 'stock', 101)).toThrow(expect.objectContaining({ code: 'TALLY_CLOSING' }))
  })

  it('through the signed tally machine: a lift chit within free lading is accepted, and a referee decision resolves it', async () => {
    const w = await openWorld({ limits: { stock: 10_000, foil: 5_000 }, vars: { foil: { target: 2000, bound: 3000, reward: 0, clutch: 0 }, stock: { target: 0, bound: 0, reward: 0, clutch: 0 } } })
    const bob = new Device(w.bob, 'stock')
    const alice = new Device(w.alice, 'foil')
    let s = (await machine.apply(w.state, await alice.sign({ op: 'pay', chit: 'payment-0000001', units: 1000 }))).state
    expect(balanceOf(s, 'foil')).toBe(-1000)
    const ref = await keyPair(400)
    const free = edgeLading(s, 'stock').free
    expect(free).toBe(3000) // Alice wants 1000 back to zero plus her target 2000
    const op: LiftOp = { op: 'lift', chit: liftChitId(LIFT, 0), lift: LIFT, units: free, referees: [ref.key], expires: 1 }
    const applied = await machine.apply(s, await bob.sign(op))
    expect(applied.refusal).toBeUndefined()
    s = applied.state
    expect(edgeLading(s, 'stock').free).toBe(0)
    const over = await machine.apply(s, await bob.sign({ ...op, chit: liftChitId(LIFT, 1), units: 1001 }))
    expect(over.refusal?.code).toBe('OVER_BOUND')
    s = over.state
    const decided = await machine.apply(s, { kind: 'decision', lift: LIFT, decisions: [await signLiftDecision(p, ref.secret, { lift: LIFT, outcome: 'good' })] })
    expect(decided.refusal).toBeUndefined()
    expect(balanceOf(decided.state, 'foil')).toBe(2000)
  })
})
