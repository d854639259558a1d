import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { canonicalBytes, canonicalJson, assertIntegral } from '../../../../src/core/codec/canonical'
import { fromBase64url, fromBase64urlOfLength, toBase64url } from '../../../../src/core/codec/base64url'
import { hashOf, sha256 } from '../../../../src/core/codec/hash'
import { MalformedError } from '../../../../src/core/errors'

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys recursively and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}')
  })

  it('reproduces the RFC 8785 §3.2.2 sample (numbers, escapes, literals)', () => {
    const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}')
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
  })

  it('sorts keys by UTF-16 code units, not code points (RFC 8785 §3.2.3)', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 in UTF-16 order.
    expect(canonicalJson({ '\uFB33': 1, '\u{1F600}': 2 })).toBe('{"\u{1F600}":2,"\uFB33":1}')
  })

  // research §9.A.4: Python's json.dumps (ensure_ascii) would emit "Caf\u00e9"; RFC 8785 emits raw UTF-8.
  it('emits non-ASCII text as raw UTF-8, never \\u escapes (§9.A.4)', () => {
    expect(canonicalJson({ memo: 'Café' })).toBe('{"memo":"Café"}')
    const bytes = canonicalBytes({ memo: 'Café' })
    expect(Array.from(bytes.slice(-4))).toEqual([0xc3, 0xa9, 0x22, 0x7d]) // é in UTF-8, then "}
    expect(hashOf({ memo: 'Café' })).toBe(toBase64url(createHash('sha256').update('{"memo":"Café"}', 'utf8').digest()))
    expect(hashOf({ memo: 'Café' })).not.toBe(toBase64url(createHash('sha256').update('{"memo":"Caf\\u00e9"}').digest()))
    // NFC and NFD are different strings and are hashed as given: the codec never normalizes user text.
    expect(hashOf({ memo: 'Café' })).not.toBe(hashOf({ memo: 'Cafe\u0301' }))
    expect(canonicalJson({ memo: '日本 🙂' })).toBe('{"memo":"日本 🙂"}')
  })

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson(undefined)).toThrow(MalformedError)
    expect(() => canonicalJson({ a: NaN })).toThrow(MalformedError)
    expect(() => canonicalJson({ a: Infinity })).toThrow(MalformedError)
    expect(() => canonicalJson({ a: '\uD800' })).toThrow(MalformedError)
    const cyclic: Record<string, unknown> = {}; cyclic.self = cyclic
    expect(() => canonicalJson(cyclic)).toThrow(MalformedError)
  })

  it('assertIntegral refuses floats and unsafe integers anywhere in a signed body', () => {
    expect(() => assertIntegral({ a: [1, { b: 2 }] })).not.toThrow()
    expect(() => assertIntegral({ a: [1, { b: 0.5 }] })).toThrow(/\$\.a\[1\]\.b/)
    expect(() => assertIntegral({ a: 2 ** 53 })).toThrow(MalformedError)
  })
})

describe('research §9.A vectors (sorted-key JSON = RFC 8785 for ASCII text and integers)', () => {
  const tally = {
    version: 1, revision: 1, uuid: '9e61301c-86aa-5835-9ea1-25adf13eaf3c', date: '2023-12-04T16:50:34.707Z', memo: null,
    agree: { host: 'mychips.org', source: 'BqQZqh3xUtye3JnAKhwdMrCMHem3vX67gV3UevGBr4pE' },
    stock: { cert: { chad: { cuid: 'bob', agent: 'AgentB' } }, terms: { limit: 0 } },
    foil: { cert: { chad: { cuid: 'alice', agent: 'AgentA' } }, terms: { limit: 10000 } }
  }
  const chit = { by: 'foil', date: '2023-12-04T16:51:00.000Z', memo: 'Pay: 4', ref: { payee: 'bob' }, tally: tally.uuid, type: 'tran', units: 4000, uuid: '2d5d4167-dcdf-5743-861c-e6ae1e62bbb8' }

  it('§9.A.1 tally core', () => {
    expect(canonicalJson(tally).startsWith('{"agree":{"host":"mychips.org","source":')).toBe(true)
    expect(hashOf(tally)).toBe('-6lvyr14ti-p8FXDotY6QzAS2hXiP1LuzMgywpWLaNk')
  })
  it('§9.A.2 chit core', () => {
    expect(hashOf(chit)).toBe('uOAwVDxptVs3bU18fcLk_Ow1sUvnCz7sCSVtyNs6i0o')
  })
  it('§9.A.3 chain link', () => {
    expect(hashOf({ ...chit, index: 1, prior: hashOf(tally), sign: 'SIG' })).toBe('GkSPheWkitokDTVjFnGp0deHuOPgT6lc_p8EDLkQZTs')
  })
})

describe('base64url', () => {
  it('matches Node for every length 0..40', () => {
    for (let n = 0; n <= 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255)
      const enc = toBase64url(bytes)
      expect(enc).toBe(Buffer.from(bytes).toString('base64url'))
      expect(fromBase64url(enc)).toEqual(bytes)
    }
  })
  it('refuses padding, foreign characters, impossible lengths and non-canonical trailing bits', () => {
    expect(() => fromBase64url('AA==')).toThrow(MalformedError)
    expect(() => fromBase64url('A+/A')).toThrow(MalformedError)
    expect(() => fromBase64url('AAAAA')).toThrow(MalformedError)
    expect(() => fromBase64url('AB')).toThrow(MalformedError) // 'AA' is the only canonical text of [0]
    expect(() => fromBase64url('é')).toThrow(MalformedError)
    expect(() => fromBase64urlOfLength('AAAA', 32, 'key')).toThrow(/expected 32 bytes/)
  })
})

describe('sha256', () => {
  it('matches the FIPS 180 "abc" vector', () => {
    expect(Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
