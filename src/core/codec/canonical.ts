// Canonical JSON = RFC 8785 (JCS) through the `canonicalize` package: keys sorted by UTF-16 code units,
// no whitespace, ECMAScript number formatting, strings escaped only where JSON requires it — so non-ASCII
// text is emitted as raw UTF-8 (see docs/protocol.md "Canonical encoding" for why, and the legacy trap).
import canonicalize from 'canonicalize'
import { MalformedError } from '../errors'

const encoder = new TextEncoder()

/** RFC 8785 text of a JSON value. Throws MalformedError for values JSON cannot carry (undefined, NaN, lone surrogates, cycles, bigint). */
export function canonicalJson (v: unknown): string {
  let text: string | undefined
  try {
    text = canonicalize(v)
  } catch (cause) {
    throw new MalformedError(`not canonicalizable: ${(cause as Error).message}`, { cause })
  }
  if (text === undefined) throw new MalformedError('not canonicalizable: no JSON value')
  return text
}

/** UTF-8 bytes of canonicalJson(v): what gets hashed and signed. */
export function canonicalBytes (v: unknown): Uint8Array {
  return encoder.encode(canonicalJson(v))
}

/**
 * Signed objects carry no floats (research §3 pitfall 1: float formatting differs between languages), so
 * every number in a signed body must be a safe integer. Throws MalformedError naming the path.
 */
export function assertIntegral (v: unknown, path = '$'): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new MalformedError(`${path}: numbers in signed objects must be safe integers`)
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => assertIntegral(x, `${path}[${i}]`))
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) assertIntegral(x, `${path}.${k}`)
  }
}
