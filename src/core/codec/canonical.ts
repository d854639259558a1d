// Canonical JSON = RFC 8785 (JCS) through the `canonicalize` package: keys sorted by UTF-16 code units,
// no whitespace, ECMAScript number formatting, strings escaped only where JSON requires it — so non-ASCII
// text is emitted as raw UTF-8 (see docs/protocol.md "Canonical encoding" for why, and the legacy trap).
//
// Hashing and signing canonicalize every record, so the common case runs through a faster serializer (no
// per-call Set, no per-string scan in JS, one string built by appending). It handles only plain JSON data
// (null, booleans, finite numbers, BMP-only strings without surrogates, arrays, plain objects without
// toJSON, undefined object members) and hands anything else — including every value that makes the package
// throw — back to the package, so the text (and every error) is the package's, byte for byte; a property
// test checks the two agree (tests/unit/core/codec/canonical-fast.test.ts).
import canonicalize from 'canonicalize'
import { MalformedError } from '../errors'

const encoder = new TextEncoder()

/** Thrown inside the fast serializer: the value needs the package (or is refused by it). */
const UNUSUAL: unique symbol = Symbol('unusual')
/** Deeper than this, the package decides (it detects cycles; no record of ours is nested this deep). */
const MAX_DEPTH = 256
// Any UTF-16 surrogate: a string with one goes to the package (which refuses lone surrogates).
const SURROGATE = /[\uD800-\uDFFF]/

/** Fast RFC 8785 text of plain JSON data; throws UNUSUAL for anything else. `integral`: numbers must be safe integers. */
function fast (v: unknown, integral: boolean, depth: number): string {
  switch (typeof v) {
    case 'string':
      if (SURROGATE.test(v)) throw UNUSUAL
      return JSON.stringify(v)
    case 'number':
      if (integral ? !Number.isSafeInteger(v) : !Number.isFinite(v)) throw UNUSUAL
      return JSON.stringify(v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'object': {
      if (v === null) return 'null'
      if (depth > MAX_DEPTH) throw UNUSUAL
      if (Array.isArray(v)) {
        let out = '['
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i]
          if (x === undefined || typeof x === 'symbol' || typeof x === 'function') throw UNUSUAL
          out += (i === 0 ? '' : ',') + fast(x, integral, depth + 1)
        }
        return out + ']'
      }
      const o = v as Record<string, unknown>
      if (o.toJSON !== undefined) throw UNUSUAL
      const keys = Object.keys(o).sort()
      let out = '{'
      let first = true
      for (const k of keys) {
        const x = o[k]
        if (x === undefined) continue
        if (typeof x === 'symbol' || typeof x === 'function') throw UNUSUAL
        if (SURROGATE.test(k)) throw UNUSUAL
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + fast(x, integral, depth + 1)
        first = false
      }
      return out + '}'
    }
    default:
      throw UNUSUAL // undefined, bigint, symbol, function
  }
}

function viaPackage (v: unknown): string {
  let text: string | undefined
  try {
    text = canonicalize(v)
  } catch (cause) {
    throw new MalformedError(`not canonicalizable: ${(cause as Error).message}`, { cause })
  }
  if (text === undefined) throw new MalformedError('not canonicalizable: no JSON value')
  return text
}

/** RFC 8785 text of a JSON value. Throws MalformedError for values JSON cannot carry (undefined, NaN, lone surrogates, cycles, bigint). */
export function canonicalJson (v: unknown): string {
  try {
    return fast(v, false, 0)
  } catch (e) {
    if (e !== UNUSUAL) throw e
    return viaPackage(v)
  }
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

/**
 * assertIntegral(v, path) then canonicalJson(v), in one walk for plain integral data: the same text, and
 * the same error (the slow pair runs again to raise it) for anything else.
 */
export function integralCanonicalJson (v: unknown, path = '$'): string {
  try {
    return fast(v, true, 0)
  } catch (e) {
    if (e !== UNUSUAL) throw e
    assertIntegral(v, path)
    return canonicalJson(v)
  }
}
