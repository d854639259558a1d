// Fees along a linear lift (docs/lifts.md §3): each intermediary keeps its clutch (ppm) on what it gives,
// so a leg carries the next leg's units plus that fee. BigInt: units × ppm can pass 2^53.
import { PPM } from '../tally/schema'
import { MalformedError } from '../errors'

/** ceil(units × ppm / 1e6) for any sign of ppm (a negative fee rounds toward zero). */
export function clutchFee (units: number, ppm: number): number {
  const n = BigInt(units) * BigInt(ppm)
  const d = BigInt(PPM)
  const q = n / d
  return Number(n > 0n && q * d !== n ? q + 1n : q)
}

/**
 * Units of every leg, payer's first, so that the payee receives `amount` on the last leg.
 * clutches[k] is the clutch of leg k's giver; the payer's own (k = 0) is not charged.
 */
export function legUnits (amount: number, clutches: readonly number[]): number[] {
  if (!Number.isSafeInteger(amount) || amount < 1) throw new MalformedError(`a lift amount must be a positive integer, not ${amount}`)
  const units = new Array<number>(clutches.length)
  let next = amount
  for (let k = clutches.length - 1; k >= 0; k--) {
    units[k] = next
    if (k > 0) next = Math.max(1, next + clutchFee(next, clutches[k]!))
  }
  return units
}

/** What the payer gives beyond what the payee receives. */
export function routeFee (units: readonly number[]): number {
  return units.length === 0 ? 0 : units[0]! - units[units.length - 1]!
}
