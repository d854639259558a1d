// Fees (docs/lifts.md §3; research scenario 26). Our clutch is charged on what the intermediary GIVES
// (units_{k-1} = units_k + ceil(units_k × clutch_k / 1e6)); MyCHIPs' margin is charged on what enters.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { clutchFee, legUnits, routeFee } from '../../../../src/core/lift/fees'

describe('fees', () => {
  it('clutchFee rounds up a positive fee and toward zero a negative one, exactly past 2^53', () => {
    expect(clutchFee(100, 20_000)).toBe(2)
    expect(clutchFee(101, 20_000)).toBe(3) // 2.02 → 3
    expect(clutchFee(1, 1)).toBe(1)
    expect(clutchFee(1, -1)).toBe(0)
    expect(clutchFee(102, -20_000)).toBe(-2) // −2.04 → −2
    expect(clutchFee(0, 500_000)).toBe(0)
    expect(clutchFee(1_000_000_000_000_000, 999_999)).toBe(999_999_000_000_000)
  })

  it('scenario 26: 2 % then 3 % compose (on what is given: 1.02 × 1.03); the payee gets the amount exactly', () => {
    // payer N0 → N1 (clutch 2 %) → N2 (clutch 3 %) → payee
    const units = legUnits(10_000, [0, 20_000, 30_000])
    expect(units).toEqual([10_506, 10_300, 10_000])
    expect(routeFee(units)).toBe(506) // 0.02 + 0.03 + 0.02 × 0.03 = 5.06 % of what the payee receives
    // MyCHIPs' 0.02 + 0.03 × 0.98 = 4.94 % is the same composition counted on what the payer gives, with
    // margins m ↔ clutch m / (1 − m): 2 % → 20 409 ppm, 3 % → 30 928 ppm
    const mychips = legUnits(9_506, [0, 20_409, 30_928])
    expect(mychips[0]).toBeGreaterThanOrEqual(10_000)
    expect(mychips[0]).toBeLessThanOrEqual(10_002) // ceil rounding: at most one unit per hop
    expect(routeFee(mychips) / mychips[0]!).toBeCloseTo(0.0494, 3)
    // the order of the intermediaries does not change the composed rate beyond rounding
    expect(Math.abs(routeFee(legUnits(10_000, [0, 30_000, 20_000])) - 506)).toBeLessThanOrEqual(1)
  })

  it('a negative rate passes on more than it receives: −2 % receives 100 and gives 102; floor at one unit', () => {
    expect(legUnits(102, [0, -20_000])).toEqual([100, 102])
    expect(routeFee(legUnits(102, [0, -20_000]))).toBe(-2)
    expect(legUnits(5, [0, -1_000_000])).toEqual([1, 5])
  })

  it('the payer\'s own clutch is never charged; a one-leg route has no fee', () => {
    expect(legUnits(100, [999_999])).toEqual([100])
    expect(routeFee(legUnits(100, [999_999]))).toBe(0)
    expect(routeFee([])).toBe(0)
  })

  it('refuses a non-positive or fractional amount', () => {
    for (const a of [0, -1, 1.5, Number.NaN]) expect(() => legUnits(a, [0])).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })

  it('property: each intermediary keeps exactly its own fee, and no more than its clutch allows (seed 26, 200 runs)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 1_000_000_000 }),
      fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 1, maxLength: 16 }),
      (amount, clutches) => {
        const units = legUnits(amount, clutches)
        expect(units[units.length - 1]).toBe(amount)
        let total = 0
        for (let k = 1; k < units.length; k++) {
          const kept = units[k - 1]! - units[k]!
          expect(units[k - 1]!).toBeGreaterThanOrEqual(1)
          // kept = its clutch fee, unless the one-unit floor cut a negative fee short (it then pays less)
          const fee = clutchFee(units[k]!, clutches[k]!)
          expect(kept).toBeGreaterThanOrEqual(fee)
          if (units[k - 1]! > 1) expect(kept).toBe(fee)
          total += kept
        }
        expect(routeFee(units)).toBe(total)
      }
    ), { seed: 26, numRuns: 200 })
  })
})
