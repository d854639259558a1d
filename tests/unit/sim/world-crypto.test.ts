// The simulator's default Ed25519 backend (tests/sim/native-crypto.ts: Node's OpenSSL, synchronous) gives
// the same public keys, signatures and verdicts as WebCrypto and noble — including refusing what the strict
// rule refuses — so a run's report does not depend on the backend.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../../../src/core/crypto/noble'
import { webCryptoProvider } from '../../../src/core/crypto/webcrypto'
import { seededRandom } from '../../../src/node/net/sim/random'
import { nativeEd25519Provider } from '../../sim/native-crypto'
import { runScenarioFile } from './helpers'
import { simulate } from '../../sim/report'
import { SimWorld } from '../../sim/world'
import { parseScenarioText } from '../../sim/scenario'
import { readFileSync } from 'node:fs'

describe('simulator crypto: native (default) = webcrypto = noble', { timeout: 60_000 }, () => {
  const native = nativeEd25519Provider({ privateKeys: 8, publicKeys: 8 }) // small caches: eviction is exercised
  const web = webCryptoProvider(globalThis.crypto.subtle)

  it('same public keys and signatures, and every backend verifies every signature (100 seeded keys)', async () => {
    const random = seededRandom(5)
    for (let i = 0; i < 100; i++) {
      const secret = random.bytes(32)
      const message = random.bytes(i * 7)
      const pub = await native.publicKey(secret)
      expect(pub).toEqual(await nobleProvider.publicKey(secret))
      expect(pub).toEqual(await web.publicKey(secret))
      const sig = await native.sign(secret, message)
      expect(sig).toEqual(await nobleProvider.sign(secret, message))
      expect(await native.verify(pub, message, sig)).toBe(true)
      expect(await web.verify(pub, message, sig)).toBe(true)
      expect(await nobleProvider.verify(pub, message, sig)).toBe(true)
    }
  })

  it('the same refusals: altered message, signature or key, small-order and malformed keys', async () => {
    const random = seededRandom(6)
    const secret = random.bytes(32)
    const message = random.bytes(40)
    const pub = await native.publicKey(secret)
    const sig = await native.sign(secret, message)
    const flip = (b: Uint8Array, i: number): Uint8Array => { const c = b.slice(); c[i] = c[i]! ^ 1; return c }
    const identity = new Uint8Array(32); identity[0] = 1 // the neutral point: small order
    const cases: Array<[Uint8Array, Uint8Array, Uint8Array]> = [
      [pub, flip(message, 3), sig], [pub, message, flip(sig, 10)], [pub, message, flip(sig, 40)], [flip(pub, 0), message, sig],
      [identity, message, sig], [new Uint8Array(31), message, sig], [pub, message, sig.subarray(0, 63)], [new Uint8Array(32).fill(255), message, sig]
    ]
    for (const [k, m, s] of cases) {
      const verdicts = [await native.verify(k, m, s), await web.verify(k, m, s), await nobleProvider.verify(k, m, s)]
      expect(verdicts).toEqual([false, false, false])
    }
    await expect(native.sign(new Uint8Array(16), message)).rejects.toThrow(RangeError)
  })

  it('verifies each (key, message, signature) once for the whole run, and an altered triple is verified for real', async () => {
    const cached = nativeEd25519Provider({ verified: 4 })
    const random = seededRandom(7)
    const secret = random.bytes(32)
    const message = random.bytes(100)
    const pub = await cached.publicKey(secret)
    const sig = await cached.sign(secret, message)
    expect(await cached.verify(pub, message, sig)).toBe(true)
    expect(await cached.verify(pub, message.slice(), sig.slice())).toBe(true)
    expect(cached.verifyStats()).toEqual({ hits: 1, misses: 1 })
    // Same signature, another message (or the message's bytes moved between the parts): a real verification, refused.
    const other = message.slice(); other[0] = other[0]! ^ 1
    expect(await cached.verify(pub, other, sig)).toBe(false)
    expect(await cached.verify(pub, message.subarray(1), Uint8Array.from([...sig.subarray(0, 63), message[0]!]))).toBe(false)
    expect(await cached.verify(pub, other, sig)).toBe(false)
    expect(cached.verifyStats()).toEqual({ hits: 1, misses: 4 })
    // A refusal is never remembered as a success; evicted successes are verified again.
    for (let i = 0; i < 6; i++) {
      const m = random.bytes(10)
      expect(await cached.verify(pub, m, await cached.sign(secret, m))).toBe(true)
    }
    expect(await cached.verify(pub, message, sig)).toBe(true)
    expect(cached.verifyStats()).toEqual({ hits: 1, misses: 11 })
  })

  it('a scenario prints the same report with native and WebCrypto backends', async () => {
    const text = readFileSync(new URL('../../sim/scenarios/22-crash-mid-lift.json', import.meta.url), 'utf8')
    const viaWeb = await simulate(new SimWorld(parseScenarioText(text), { crypto: 'webcrypto' }))
    const viaNative = await runScenarioFile('22-crash-mid-lift.json')
    expect(JSON.stringify(viaNative)).toBe(JSON.stringify(viaWeb))
  })
})
