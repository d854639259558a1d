// The incremental chit count of TallyView (src/node/services/tallies/summary.ts) equals a full recount of the
// chit index after random chit sequences: new chits, status changes of known ones (an invoice paid or
// declined), and reloads (a structured clone of the index, so nothing is shared with the last count).
// fast-check, fixed seed, 200 runs of up to 120 steps.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { allChits, putChit, type ChitIndex, type ChitRecord } from '../../../../src/core/tally/chit-index'
import { ChitCounts, countChits, fullChitCount } from '../../../../src/node/services/tallies/summary'

type Step =
  | { t: 'put', id: number, rec: ChitRecord }
  | { t: 'reload' }
  | { t: 'view' }

const record = fc.record({
  kind: fc.constantFrom('tran', 'invoice', 'set', 'lift') as fc.Arbitrary<ChitRecord['kind']>,
  by: fc.constantFrom('stock', 'foil') as fc.Arbitrary<ChitRecord['by']>,
  units: fc.integer({ min: 0, max: 1_000_000 }),
  status: fc.constantFrom('pend', 'good', 'void') as fc.Arbitrary<ChitRecord['status']>
})
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('put' as const), id: fc.integer({ min: 0, max: 300 }), rec: record }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reload' as const }) },
  { weight: 3, arbitrary: fc.constant({ t: 'view' as const }) }
)

const recount = (index: ChitIndex): number => [...allChits(index)].length

describe('chit count summary', () => {
  it('equals a full recount after every view of a random chit sequence (seed 4242, 200 runs)', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
      const counts = new ChitCounts()
      let index: ChitIndex = {}
      const ids = new Set<number>()
      for (const s of steps) {
        if (s.t === 'put') { index = putChit(index, `chit-${s.id}`, s.rec); ids.add(s.id) }
        if (s.t === 'reload') index = structuredClone(index)
        // Every step views the tally: the count advances from the last one.
        const n = counts.of('t1', index)
        expect(n).toBe(recount(index))
        expect(n).toBe(ids.size)
      }
      expect(counts.of('t1', index)).toBe(fullChitCount(index))
    }), { seed: 4242, numRuns: 200 })
  })

  it('counts any later index from any earlier one, shared or not (seed 77, 200 runs)', () => {
    const build = (puts: Array<{ id: number, rec: ChitRecord }>, from: ChitIndex = {}): ChitIndex => puts.reduce((ix, p) => putChit(ix, `c${p.id}`, p.rec), from)
    const puts = fc.array(fc.record({ id: fc.integer({ min: 0, max: 500 }), rec: record }), { maxLength: 80 })
    fc.assert(fc.property(puts, puts, fc.boolean(), (first, second, clone) => {
      const a = build(first)
      const b = build(second, clone ? structuredClone(a) : a)
      const unrelated = build(second)
      expect(countChits(b, countChits(a)).count).toBe(recount(b))
      // Going "back" or to an unrelated index is a diff like any other.
      expect(countChits(a, countChits(b)).count).toBe(recount(a))
      expect(countChits(unrelated, countChits(b)).count).toBe(recount(unrelated))
    }), { seed: 77, numRuns: 200 })
  })

  it('keeps each tally apart and touches only the changed leaves', () => {
    const counts = new ChitCounts()
    let a: ChitIndex = {}
    for (let i = 0; i < 200; i++) a = putChit(a, `a${i}`, { kind: 'tran', by: 'stock', units: i, status: 'good' })
    expect(counts.of('A', a)).toBe(200)
    expect(counts.of('B', {})).toBe(0)
    const a2 = putChit(a, 'a200', { kind: 'tran', by: 'foil', units: 1, status: 'good' })
    expect(counts.of('A', a2)).toBe(201)
    // Same index again: the remembered count, no walk.
    expect(countChits(a2, { index: a2, count: 12345 }).count).toBe(12345)
    // A status change of a known chit (an invoice paid) does not change the count.
    expect(counts.of('A', putChit(a2, 'a3', { kind: 'tran', by: 'stock', units: 3, status: 'void' }))).toBe(201)
  })
})
