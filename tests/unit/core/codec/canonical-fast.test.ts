// The fast canonical serializer (src/core/codec/canonical.ts) must give the `canonicalize` package's text for
// every value, and the same error class for every value the package refuses; signingBytes built around the
// body's text must equal the canonical bytes of the whole envelope. Property tests, fixed seeds.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import canonicalize from 'canonicalize'
import { assertIntegral, canonicalJson, integralCanonicalJson } from '../../../../src/core/codec/canonical'
import { signingBytes, verifyEnvelopeBytes, signEnvelope } from '../../../../src/core/codec/envelope'
import { hashOf, sha256 } from '../../../../src/core/codec/hash'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { MalformedError } from '../../../../src/core/errors'

const RUNS = 500

/** What the package gives: its text, or 'throws'. */
function reference (v: unknown): string {
  try {
    const t = canonicalize(v)
    return t === undefined ? 'throws' : t
  } catch {
    return 'throws'
  }
}

function ours (f: (v: unknown) => string, v: unknown): string {
  try {
    return f(v)
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedError)
    return 'throws'
  }
}

// Strings with every kind of UTF-16 content: ASCII, escapes, BMP, pairs and lone surrogates.
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('\uD800', 'a\uDC00', '\uD83D\uDE00', '"\\\u0001\u007f', '__proto__', 'toJSON'))
const num = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 2 ** 53, -(2 ** 53) + 1, 1e21, 1e-7, NaN, Infinity, -Infinity))
const json = fc.letrec(tie => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), num, text, tie('array'), tie('object'), fc.constant(undefined)),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(text, tie('value'), { maxKeys: 6 })
})).value

describe('fast canonical JSON = the canonicalize package', () => {
  it(`gives the same text, or refuses the same values (${RUNS} runs, seed 8785)`, () => {
    fc.assert(fc.property(json, v => {
      expect(ours(canonicalJson, v)).toBe(reference(v))
    }), { numRuns: RUNS, seed: 8785 })
  })

  it('handles what plain data is not: toJSON, class instances, cycles, shared references, deep nesting, bigint, functions', () => {
    const shared = { a: 1 }
    const cyclic: Record<string, unknown> = { x: 1 }; cyclic.self = cyclic
    class Point { constructor (readonly x: number, readonly y: number) {} }
    let deep: unknown = 1
    for (let i = 0; i < 300; i++) deep = [deep]
    const cases: unknown[] = [
      { d: new Date(0) }, { j: { toJSON: () => ({ b: 2, a: 1 }) } }, { j: { toJSON: 5 } }, new Point(1, 2), Uint8Array.from([3, 1]),
      { s: shared, t: shared }, cyclic, deep, { n: 1n }, [1n], { f: () => 1 }, [() => 1], [undefined, Symbol('s')], { u: undefined, v: 1 },
      Object.create(null) as unknown, undefined, Symbol('x'), () => 1
    ]
    for (const v of cases) expect(ours(canonicalJson, v)).toBe(reference(v))
  })

  it(`integralCanonicalJson = assertIntegral then canonicalJson, same error message (${RUNS} runs)`, () => {
    const slow = (v: unknown): string => {
      try {
        assertIntegral(v, 'body')
        return canonicalJson(v)
      } catch (e) {
        return `throws ${(e as Error).message}`
      }
    }
    const fast = (v: unknown): string => {
      try {
        return integralCanonicalJson(v, 'body')
      } catch (e) {
        return `throws ${(e as Error).message}`
      }
    }
    fc.assert(fc.property(json, v => { expect(fast(v)).toBe(slow(v)) }), { numRuns: RUNS, seed: 53 })
  })
})

describe('signingBytes around the body text', () => {
  const type = fc.oneof(fc.constantFrom('diary.entry', 'diary.answer', 'tally'), text)
  it(`equals the canonical bytes of { v, type, body, signer } (${RUNS} runs)`, () => {
    const slow = (t: unknown, body: unknown, signer: unknown): string => {
      try {
        assertIntegral(body, 'body')
        return reference({ v: 1, type: t, body, signer })
      } catch {
        return 'throws'
      }
    }
    fc.assert(fc.property(type, json, text, (t, body, signer) => {
      let got: string
      try {
        got = new TextDecoder().decode(signingBytes(t, body, signer))
      } catch {
        got = 'throws'
      }
      expect(got).toBe(slow(t, body, signer))
    }), { numRuns: RUNS, seed: 1 })
  })

  it('verifyEnvelopeBytes hands back the canonical bytes of the body (their hash is hashOf(body)), multi-byte text included', async () => {
    const secret = sha256(new TextEncoder().encode('canonical-fast'))
    for (const body of [{ memo: 'Café 日本 🙂', n: 1 }, { a: [1, { b: 'x' }] }, 'text', 7, null]) {
      const env = await signEnvelope(nobleProvider, secret, 'note', body)
      const { bodyBytes } = await verifyEnvelopeBytes(nobleProvider, JSON.parse(JSON.stringify(env)), { type: 'note' })
      expect(new TextDecoder().decode(bodyBytes)).toBe(canonicalJson(body))
      expect(toBase64url(sha256(bodyBytes!))).toBe(hashOf(body))
    }
  })
})
