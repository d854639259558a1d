import { describe, expect, it } from 'vitest'
import { webcrypto } from 'node:crypto'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { webCryptoProvider } from '../../../../src/core/crypto/webcrypto'
import { chooseProvider } from '../../../../src/core/crypto/select'
import { verifyOnceCache } from '../../../../src/core/crypto/cache'
import type { SignatureProvider } from '../../../../src/core/crypto/provider'

const subtle = webcrypto.subtle as SubtleCrypto
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))

// RFC 8032 §7.1 TEST 2 (one-byte message 0x72).
const SECRET = hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb')
const PUBLIC = hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c')
const MSG = hex('72')
const SIG = hex('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00')

const backends: Array<[string, SignatureProvider]> = [['noble', nobleProvider], ['webcrypto', webCryptoProvider(subtle)]]

describe.each(backends)('%s provider', (name, p) => {
  it('is named after its backend', () => { expect(p.name).toBe(name) })
  it('reproduces RFC 8032 TEST 2', async () => {
    expect(await p.publicKey(SECRET)).toEqual(PUBLIC)
    expect(await p.sign(SECRET, MSG)).toEqual(SIG)
    expect(await p.verify(PUBLIC, MSG, SIG)).toBe(true)
  })
  it('returns false (never throws) for a tampered message, signature or key, or wrong lengths', async () => {
    const badSig = Uint8Array.from(SIG); badSig[10]! ^= 1
    const badPub = Uint8Array.from(PUBLIC); badPub[0]! ^= 1
    expect(await p.verify(PUBLIC, hex('73'), SIG)).toBe(false)
    expect(await p.verify(PUBLIC, MSG, badSig)).toBe(false)
    expect(await p.verify(badPub, MSG, SIG)).toBe(false)
    expect(await p.verify(PUBLIC.slice(1), MSG, SIG)).toBe(false)
    expect(await p.verify(PUBLIC, MSG, SIG.slice(1))).toBe(false)
    expect(await p.verify(new Uint8Array(32).fill(0xff), MSG, SIG)).toBe(false) // not a curve point
  })
  it('refuses a non-canonical S (S + L): strict RFC 8032 on both backends', async () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    let s = 0n
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(SIG[32 + i]!)
    let t = s + L
    const mall = Uint8Array.from(SIG)
    for (let i = 0; i < 32; i++) { mall[32 + i] = Number(t & 255n); t >>= 8n }
    expect(await p.verify(PUBLIC, MSG, mall)).toBe(false)
  })
})

describe('backends agree', () => {
  it('each verifies what the other signs', async () => {
    const [, native] = backends[1]!
    for (let i = 0; i < 5; i++) {
      const secret = Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7) & 255)
      const msg = Uint8Array.from({ length: i * 50 }, (_, j) => j & 255)
      expect(await native.publicKey(secret)).toEqual(await nobleProvider.publicKey(secret))
      expect(await nobleProvider.verify(await native.publicKey(secret), msg, await native.sign(secret, msg))).toBe(true)
      expect(await native.verify(await nobleProvider.publicKey(secret), msg, await nobleProvider.sign(secret, msg))).toBe(true)
    }
  })
})

describe('chooseProvider', () => {
  it('picks native WebCrypto when the SubtleCrypto supports Ed25519, once per SubtleCrypto', async () => {
    const p = await chooseProvider(subtle)
    expect(p.name).toBe('webcrypto')
    expect(await chooseProvider(subtle)).toBe(p)
  })
  it('falls back to noble without a SubtleCrypto', async () => {
    expect((await chooseProvider()).name).toBe('noble')
  })
  it('falls back to noble when Ed25519 is missing or answers wrongly', async () => {
    const missing = { importKey: async () => { throw new DOMException('Unrecognized name', 'NotSupportedError') } } as unknown as SubtleCrypto
    expect((await chooseProvider(missing)).name).toBe('noble')
    const liar = new Proxy(subtle, {
      get (target, prop) {
        if (prop === 'verify') return async () => true // accepts everything: must be caught by the tampered probe
        const v = Reflect.get(target, prop) as unknown
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
      }
    })
    expect((await chooseProvider(liar)).name).toBe('noble')
  })
})

describe('verifyOnceCache', () => {
  function counting (): SignatureProvider & { calls: number } {
    const c = { ...nobleProvider, calls: 0, async verify (k: Uint8Array, m: Uint8Array, s: Uint8Array) { c.calls++; return nobleProvider.verify(k, m, s) } }
    return c
  }
  it('verifies a triple once, then answers from the cache', async () => {
    const inner = counting()
    const p = verifyOnceCache(inner)
    expect(await p.verify(PUBLIC, MSG, SIG)).toBe(true)
    expect(await p.verify(PUBLIC, MSG, SIG)).toBe(true)
    expect(inner.calls).toBe(1)
    expect(p.stats()).toEqual({ hits: 1, misses: 1, size: 1 })
  })
  it('never remembers a failure and never answers for a triple it has not verified', async () => {
    const inner = counting()
    const p = verifyOnceCache(inner)
    const badSig = Uint8Array.from(SIG); badSig[0]! ^= 1
    expect(await p.verify(PUBLIC, MSG, badSig)).toBe(false)
    expect(await p.verify(PUBLIC, MSG, badSig)).toBe(false)
    expect(inner.calls).toBe(2)
    await p.verify(PUBLIC, MSG, SIG)
    // same bytes, split differently between message and signature: the length prefix keeps them apart
    expect(await p.verify(PUBLIC, new Uint8Array([...MSG, ...SIG.slice(0, 1)]), SIG.slice(1))).toBe(false)
    expect(await p.verify(PUBLIC, hex('73'), SIG)).toBe(false)
  })
  it('evicts beyond its limit and then verifies again', async () => {
    const inner = counting()
    const p = verifyOnceCache(inner, 1)
    const sig2 = await nobleProvider.sign(SECRET, hex('01'))
    await p.verify(PUBLIC, MSG, SIG)
    await p.verify(PUBLIC, hex('01'), sig2)
    await p.verify(PUBLIC, MSG, SIG)
    expect(inner.calls).toBe(3)
  })
})

describe('backends give identical answers on crafted edge cases (no consensus split)', async () => {
  const { ed25519 } = await import('@noble/curves/ed25519.js')
  const { sha512 } = await import('@noble/hashes/sha2.js')
  const Point = ed25519.Point
  const L = Point.Fn.ORDER
  const le = (b: Uint8Array): bigint => { let n = 0n; for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!); return n }
  const toLe = (n: bigint): Uint8Array => { const o = new Uint8Array(32); for (let i = 0; i < 32; i++) { o[i] = Number(n & 255n); n >>= 8n }; return o }
  const msg = Uint8Array.from([1, 2, 3])
  const identity = new Uint8Array(32); identity[0] = 1
  const order2 = new Uint8Array(32).fill(0xff); order2[0] = 0xec; order2[31] = 0x7f // y = −1
  const nonCanonical = new Uint8Array(32).fill(0xff); nonCanonical[0] = 0xee; nonCanonical[31] = 0x7f // y = p + 1
  const rIdentityS0 = new Uint8Array(64); rIdentityS0.set(identity)

  // A signer with a valid key adds a torsion point to R: the cofactored equation (noble's default) accepts,
  // the cofactorless one (OpenSSL) refuses. Both our providers must refuse.
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(SECRET)
  const r = 1234567n
  const R2 = Point.BASE.multiply(r).add(Point.fromBytes(order2))
  const rBytes = R2.toBytes()
  const k = le(sha512(new Uint8Array([...rBytes, ...pointBytes, ...msg]))) % L
  const torsionR = new Uint8Array([...rBytes, ...toLe((r + k * scalar) % L)])

  const cases: Array<[string, Uint8Array, Uint8Array]> = [
    ['identity public key, R = identity, S = 0', identity, rIdentityS0],
    ['order-2 public key, R = identity, S = 0', order2, rIdentityS0],
    ['non-canonical public key (y = p + 1)', nonCanonical, rIdentityS0],
    ['valid key, R with a torsion component', pointBytes, torsionR]
  ]
  it.each(cases)('%s: refused by both', async (_name, pub, sig) => {
    expect(await nobleProvider.verify(pub, msg, sig)).toBe(false)
    expect(await backends[1]![1].verify(pub, msg, sig)).toBe(false)
  })
  it('the torsion-R signature is one noble\'s default cofactored verify would accept (the case is real)', () => {
    expect(ed25519.verify(torsionR, msg, pointBytes)).toBe(true)
  })
})
