import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { chipsInputText, formatChips, MAX_UNITS, parseChips } from '../../../../src/ui/lib/units'

const units = (s: string): number => {
  const r = parseChips(s)
  if (!r.ok) throw new Error(r.error)
  return r.units
}
const error = (s: string, o?: { allowZero?: boolean }): string => {
  const r = parseChips(s, o)
  if (r.ok) throw new Error(`accepted ${s} as ${r.units}`)
  return r.error
}

describe('parseChips', () => {
  it('parses CHIPs into integer units exactly', () => {
    expect(units('12')).toBe(12_000)
    expect(units('12.5')).toBe(12_500)
    expect(units('0.001')).toBe(1)
    expect(units('.5')).toBe(500)
    expect(units('7.')).toBe(7_000)
    expect(units(' 3 ')).toBe(3_000)
    expect(units('1,234.567')).toBe(1_234_567)
    expect(units('0.1')).toBe(100) // 0.1 * 1000 in floats would be fine, but 1.005 would not:
    expect(units('1.005')).toBe(1_005)
    expect(units('4.35')).toBe(4_350)
    expect(units('000012.300')).toBe(12_300)
  })
  it('refuses more than 3 decimals, negatives, junk, zero and overflow with words', () => {
    expect(error('1.0001')).toMatch(/3 decimals/)
    expect(error('-1')).toMatch(/negative/)
    expect(error('')).toMatch(/Enter an amount/)
    expect(error('.')).toMatch(/number of CHIPs/)
    expect(error('1e3')).toMatch(/number of CHIPs/)
    expect(error('+1')).toMatch(/number of CHIPs/)
    expect(error('1.2.3')).toMatch(/number of CHIPs/)
    expect(error('12 CHIP')).toMatch(/number of CHIPs/)
    expect(error('0')).toMatch(/more than zero/)
    expect(error('0.000')).toMatch(/more than zero/)
    expect(parseChips('0', { allowZero: true })).toEqual({ ok: true, units: 0 })
    expect(error('9007199254740.992')).toMatch(/too large/)
    expect(error('99999999999999999999')).toMatch(/too large/)
    expect(units('9007199254740.991')).toBe(MAX_UNITS)
  })
  it('round-trips with chipsInputText for any safe amount (1000 runs, seed 4)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: MAX_UNITS }), u => units(chipsInputText(u)) === u), { numRuns: 1000, seed: 4 })
  })
})

describe('formatChips', () => {
  it('shows 3 decimals, group separators and a real minus sign', () => {
    expect(formatChips(0)).toBe('0.000')
    expect(formatChips(1)).toBe('0.001')
    expect(formatChips(12_500)).toBe('12.500')
    expect(formatChips(1_234_567)).toBe('1,234.567')
    expect(formatChips(-2_000)).toBe('−2.000')
    expect(formatChips(2_000, { signed: true })).toBe('+2.000')
    expect(formatChips(0, { signed: true })).toBe('0.000')
    expect(formatChips(1.5)).toBe('—')
  })
  it('formats what parseChips reads (1000 runs, seed 5)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: MAX_UNITS }), u => units(formatChips(u)) === u), { numRuns: 1000, seed: 5 })
  })
})

describe('parsePercent / percentText (trading variables in ppm)', () => {
  it('parses percentages exactly into parts per million', async () => {
    const { parsePercent, percentText } = await import('../../../../src/ui/lib/units')
    expect(parsePercent('0.5')).toEqual({ ok: true, units: 5_000 })
    expect(parsePercent('-2.25 %')).toEqual({ ok: true, units: -22_500 })
    expect(parsePercent('100')).toEqual({ ok: true, units: 1_000_000 })
    expect(parsePercent('0.0001')).toEqual({ ok: true, units: 1 })
    expect(parsePercent('-0')).toEqual({ ok: true, units: 0 })
    expect(parsePercent('100.0001').ok).toBe(false)
    expect(parsePercent('0.00001').ok).toBe(false)
    expect(parsePercent('abc').ok).toBe(false)
    expect(parsePercent('').ok).toBe(false)
    expect(percentText(5_000)).toBe('0.5')
    expect(percentText(-22_500)).toBe('-2.25')
    expect(percentText(0)).toBe('0')
    fc.assert(fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), p => {
      const r = parsePercent(percentText(p))
      return r.ok && r.units === p
    }), { numRuns: 1000, seed: 6 })
  })
})
