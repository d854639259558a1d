// CHIPs for people, units for the wallet: 1 CHIP = 1000 units (docs/tallies.md). Amounts are parsed
// from the decimal text exactly (digit by digit, no floating point) and shown with 3 decimals.

export const UNITS_PER_CHIP = 1000
/** The largest amount the wallet accepts: stays an exact integer in a JS number. */
export const MAX_UNITS = Number.MAX_SAFE_INTEGER

export type ParsedAmount = { ok: true, units: number } | { ok: false, error: string }

/**
 * "12", "12.5", "0.001", "1,234.5" (group commas allowed), " 3 " → units. Refuses empty text, signs,
 * more than 3 decimals, exponents, anything but digits, and amounts beyond MAX_UNITS.
 */
export function parseChips (input: string, options: { allowZero?: boolean } = {}): ParsedAmount {
  const text = input.trim().replace(/,(?=\d{3}(\D|$))/g, '')
  if (text === '') return { ok: false, error: 'Enter an amount.' }
  if (text.startsWith('-')) return { ok: false, error: 'The amount cannot be negative.' }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text)
  if (m === null) return { ok: false, error: 'Enter the amount as a number of CHIPs, like 12.5.' }
  const whole = m[1] ?? ''
  const frac = m[2] ?? ''
  if (whole === '' && frac === '') return { ok: false, error: 'Enter the amount as a number of CHIPs, like 12.5.' }
  if (frac.length > 3) return { ok: false, error: 'CHIPs have at most 3 decimals (0.001 is the smallest amount).' }
  const digits = (whole + frac.padEnd(3, '0')).replace(/^0+(?=\d)/, '')
  // Compare as digit strings first: no precision is lost before the range check.
  const max = String(MAX_UNITS)
  if (digits.length > max.length || (digits.length === max.length && digits > max)) {
    return { ok: false, error: `That amount is too large (at most ${formatChips(MAX_UNITS)} CHIPs).` }
  }
  const units = Number(digits)
  if (units === 0 && options.allowZero !== true) return { ok: false, error: 'The amount must be more than zero.' }
  return { ok: true, units }
}

/** Units → "1,234.500" (always 3 decimals; a leading minus for negative amounts; `signed` adds "+"). */
export function formatChips (units: number, options: { signed?: boolean } = {}): string {
  if (!Number.isSafeInteger(units)) return '—'
  const neg = units < 0
  const abs = String(Math.abs(units)).padStart(4, '0')
  const whole = abs.slice(0, -3).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const text = `${whole}.${abs.slice(-3)}`
  if (neg) return `−${text}`
  return options.signed === true && units > 0 ? `+${text}` : text
}

/** Units → the plain decimal text an input field takes ("1234.5"): the inverse of parseChips. */
export function chipsInputText (units: number): string {
  if (!Number.isSafeInteger(units) || units < 0) return ''
  const abs = String(units).padStart(4, '0')
  const frac = abs.slice(-3).replace(/0+$/, '')
  return frac === '' ? abs.slice(0, -3) : `${abs.slice(0, -3)}.${frac}`
}

/** Parts per million ↔ percent for the trading variables: 1 % = 10 000 ppm. */
export const PPM_PER_PERCENT = 10_000

/** "0.5" (percent, up to 4 decimals, may be negative) → ppm, within −100 … 100 %. */
export function parsePercent (input: string): ParsedAmount {
  const text = input.trim().replace(/%$/, '').trim()
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text)
  if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return { ok: false, error: 'Enter a percentage, like 0.5.' }
  const frac = m[3] ?? ''
  if (frac.length > 4) return { ok: false, error: 'Use at most 4 decimals for a percentage.' }
  const digits = ((m[2] ?? '') + frac.padEnd(4, '0')).replace(/^0+(?=\d)/, '')
  if (digits.length > 7) return { ok: false, error: 'A percentage is between −100 and 100.' }
  const abs = Number(digits)
  if (abs > 100 * PPM_PER_PERCENT) return { ok: false, error: 'A percentage is between −100 and 100.' }
  return { ok: true, units: m[1] === '-' && abs !== 0 ? -abs : abs }
}

/** ppm → "0.5" (the text a percentage field takes). */
export function percentText (ppm: number): string {
  if (!Number.isSafeInteger(ppm)) return ''
  const abs = String(Math.abs(ppm)).padStart(5, '0')
  const frac = abs.slice(-4).replace(/0+$/, '')
  const text = frac === '' ? abs.slice(0, -4) : `${abs.slice(0, -4)}.${frac}`
  return ppm < 0 ? `-${text}` : text
}
