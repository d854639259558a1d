// The native SHA-256 a Node node keys its verify-once cache with: the same digests as @noble/hashes, and a
// cache keyed by it keeps the cache's rules (a triple verified once; a refusal never remembered).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { sha256 } from '@noble/hashes/sha2.js'
import { nobleProvider } from '../../../src/core/crypto/noble'
import { verifyOnceCache } from '../../../src/core/crypto/cache'
import { nativeSha256 } from '../../../src/node/native-hash'

describe('nativeSha256 (Node)', () => {
  const native = nativeSha256()

  it('exists in Node and gives the digests @noble/hashes gives (200 seeded inputs, empty to 4 KiB)', () => {
    expect(native).toBeTypeOf('function')
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), bytes => {
      expect(native!(bytes)).toEqual(sha256(bytes))
    }), { seed: 11, numRuns: 200 })
    // A view into a larger buffer hashes only its own bytes.
    const big = Uint8Array.from({ length: 64 }, (_, i) => i)
    expect(native!(big.subarray(8, 40))).toEqual(sha256(big.subarray(8, 40)))
  })

  it('keys a verify-once cache: one real verification per triple, refusals never remembered', async () => {
    let calls = 0
    const inner = { ...nobleProvider, async verify (k: Uint8Array, m: Uint8Array, s: Uint8Array) { calls++; return await nobleProvider.verify(k, m, s) } }
    const p = verifyOnceCache(inner, 100, native)
    const secret = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
    const pub = await nobleProvider.publicKey(secret)
    const msg = new TextEncoder().encode('a lift record')
    const sig = await nobleProvider.sign(secret, msg)
    expect(await p.verify(pub, msg, sig)).toBe(true)
    expect(await p.verify(pub, msg.slice(), sig.slice())).toBe(true)
    const bad = sig.slice(); bad[5] = bad[5]! ^ 1
    expect(await p.verify(pub, msg, bad)).toBe(false)
    expect(await p.verify(pub, msg, bad)).toBe(false)
    expect(calls).toBe(3)
    expect(p.stats()).toEqual({ hits: 1, misses: 3, size: 1 })
  })
})
