// The ordered crypto wrapper: results are held until deliver() and handed out in issue order whatever
// order the backend finished in; deliver() refuses while anything is in flight; errors keep their place.
import { describe, expect, it } from 'vitest'
import type { SignatureProvider } from '../../../src/core/crypto/provider'
import { nobleProvider } from '../../../src/core/crypto/noble'
import { deterministicCrypto } from '../../sim/deterministic-crypto'

/** A backend whose operations finish when the test says, in any order. */
function manualBackend (): { provider: SignatureProvider, finish: (i: number, ok?: boolean) => void } {
  const pending: Array<{ resolve: (v: boolean) => void, reject: (e: unknown) => void }> = []
  const op = async (): Promise<boolean> => await new Promise<boolean>((resolve, reject) => { pending.push({ resolve, reject }) })
  return {
    provider: { name: 'manual', publicKey: async () => new Uint8Array(32), sign: async () => new Uint8Array(64), verify: op },
    finish: (i, ok = true) => { if (ok) pending[i]!.resolve(true); else pending[i]!.reject(new Error(`op ${i} failed`)) }
  }
}

describe('deterministic crypto (simulator)', () => {
  it('holds results until deliver() and hands them out in issue order, errors included', async () => {
    const backend = manualBackend()
    const d = deterministicCrypto(backend.provider)
    const seen: string[] = []
    const k = new Uint8Array(32)
    const ops = [0, 1, 2].map(i => d.provider.verify(k, k, k).then(() => { seen.push(`ok ${i}`) }, () => { seen.push(`err ${i}`) }))
    expect(d.inFlight).toBe(3)
    backend.finish(2); backend.finish(0, false)
    await new Promise(resolve => setImmediate(resolve))
    expect(seen).toEqual([]) // nothing delivered yet
    expect(() => d.deliver()).toThrow(/in flight/)
    backend.finish(1)
    await d.idle()
    expect([d.inFlight, d.held]).toEqual([0, 3])
    expect(d.deliver()).toBe(3)
    await Promise.all(ops)
    expect(seen).toEqual(['err 0', 'ok 1', 'ok 2'])
    expect(d.issued).toBe(3)
  })

  it('wraps real Ed25519: signatures verify, tampering fails, every wrapped instance shares one schedule', async () => {
    const d = deterministicCrypto(nobleProvider)
    const other = d.wrap(nobleProvider)
    const secret = new Uint8Array(32).fill(7)
    const msg = new TextEncoder().encode('lift')
    const results: unknown[] = []
    const work = (async () => {
      const pub = await d.provider.publicKey(secret)
      const sig = await other.sign(secret, msg)
      results.push(await d.provider.verify(pub, msg, sig), await other.verify(pub, new TextEncoder().encode('lifT'), sig))
    })()
    for (let i = 0; i < 10 && results.length < 2; i++) { await d.idle(); d.deliver(); await new Promise(resolve => setImmediate(resolve)) }
    await work
    expect(results).toEqual([true, false])
    expect(d.issued).toBe(4)
  })
})
