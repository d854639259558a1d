// Discovery reads lading through core/lift/lading edgeLading: pending lift chits count against their giver
// only, unpaid invoices never count, credit limits and trading variables hold, closed tallies carry nothing.
// Research scenarios 22–24 and 31 on the 3-node cycle A→B 10000, B→C 7000, C→A 12000.
import { afterEach, describe, expect, it } from 'vitest'
import { bottleneck, pickCircular } from '../../../../src/core/lift/plan'
import type { PendingChit } from '../../../../src/core/tally/state'
import { RouteWorld, SCENARIO_22, type TallySpec } from './route-world'

let world: RouteWorld | undefined
afterEach(() => { world?.stop(); world = undefined })

const lift = (by: 'stock' | 'foil', units: number): PendingChit => ({ kind: 'lift', by, units, lift: 'lift-0000001', referees: [], expires: 1_900_000_000_000 })
const invoice = (by: 'stock' | 'foil', units: number): PendingChit => ({ kind: 'invoice', by, units })

/** A's circular discovery over scenario 22 with t2 (B foil, C stock: C gives to B) given these pending chits. */
async function cycleWith (pending: Record<string, PendingChit>, specs: TallySpec[] = SCENARIO_22): Promise<{ frees: number[][], w: RouteWorld }> {
  const w = world = new RouteWorld(['A', 'B', 'C'], specs)
  w.states.get('tally-t2-BC')!.pending = pending
  const { value: d } = await w.run(w.node('A').service.find({ kind: 'circular', units: 1 }))
  return { frees: d.plans.map(p => p.hops.map(h => h.free)), w }
}

describe('lading seen by discovery', () => {
  it('without pending chits: 12000, 7000, 10000', async () => {
    expect((await cycleWith({})).frees).toEqual([[12000, 7000, 10000]])
  })

  it('a pending lift chit given by C on B→C lowers C→B by its units (5000 left)', async () => {
    expect((await cycleWith({ chit00000000000000001: lift('stock', 2000) })).frees).toEqual([[12000, 5000, 10000]])
  })

  it('a pending lift chit given by B (the receiver) counts against B only: C→B keeps 7000', async () => {
    expect((await cycleWith({ chit00000000000000001: lift('foil', 2000) })).frees).toEqual([[12000, 7000, 10000]])
  })

  it('pending lift chits using up the edge leave no route', async () => {
    expect((await cycleWith({ chit00000000000000001: lift('stock', 4000), chit00000000000000002: lift('stock', 3000) })).frees).toEqual([])
  })

  it('unpaid invoices, either way, never add lading (research scenario 31) and do not count as paid', async () => {
    const { frees } = await cycleWith({ inv000000000000000001: invoice('stock', 3000), inv000000000000000002: invoice('foil', 5000) })
    expect(frees).toEqual([[12000, 7000, 10000]])
  })

  it('the receiver\'s target raises free lading; the giver\'s credit limit caps it', async () => {
    // B targets +2000 on t2 (C may lift B to a 2000 credit): 9000 wanted, but C may owe B only 1000: 8000.
    const specs = SCENARIO_22.map(t => t.id === 'tally-t2-BC' ? { ...t, limit: { foil: 20000, stock: 1000 }, trading: { B: { target: 2000, bound: 2000 } } } : t)
    expect((await cycleWith({}, specs)).frees).toEqual([[12000, 8000, 10000]])
    const tight = SCENARIO_22.map(t => t.id === 'tally-t2-BC' ? { ...t, limit: { foil: 20000, stock: 500 }, trading: { B: { target: 2000, bound: 2000 } } } : t)
    expect((await cycleWith({}, tight)).frees).toEqual([[12000, 7500, 10000]])
  })

  it('a clutch is reported on the hop, and a positive one stops automatic clearing (research scenario 23)', async () => {
    // A holds the stock of C→A; A's clutch of 1 % on the edge A gives on.
    const specs = SCENARIO_22.map(t => t.id === 'tally-t3-CA' ? { ...t, trading: { A: { clutch: 10_000 } } } : t)
    const w = world = new RouteWorld(['A', 'B', 'C'], specs)
    // A linear route through A shows A's clutch on the hop A gives on (B → A → C: A keeps 10 of 1,010).
    const { value: linear } = await w.run(w.node('B').service.find({ kind: 'linear', to: w.userId('C'), units: 1000 }))
    expect(linear.plans.map(p => p.hops.map(h => h.clutch))).toEqual([[0, 10_000]])
    expect(bottleneck(linear.plans[0]!)).toBe(10_000)
    // A circular discovery does not even ask over an edge whose giver charges a fee: the cycle is not found.
    const { value: d } = await w.run(w.node('B').service.find({ kind: 'circular', units: 1000 }))
    expect(d.plans).toEqual([])
    expect(pickCircular(d.plans, 1000)).toBeUndefined()
    // Without the fee it is.
    w.states.get('tally-t3-CA')!.stock.vars.clutch = 0
    const { value: again } = await w.run(w.node('B').service.find({ kind: 'circular', units: 1000 }))
    expect(again.plans.map(bottleneck)).toEqual([7000])
  })

  it('a closed tally carries nothing', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
    w.states.get('tally-t1-AB')!.status = 'closed'
    const { value: d } = await w.run(w.node('A').service.find({ kind: 'circular', units: 1 }))
    expect(d.plans).toEqual([])
  })

  it('lading is read when the query passes, not when the node started', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
    const first = await w.run(w.node('A').service.find({ kind: 'circular', units: 1 }))
    expect(first.value.plans.map(bottleneck)).toEqual([7000])
    w.states.get('tally-t2-BC')!.balance = 3000 // B now owes C 3000
    const second = await w.run(w.node('A').service.find({ kind: 'circular', units: 1 }))
    expect(second.value.plans.map(bottleneck)).toEqual([3000])
  })
})
