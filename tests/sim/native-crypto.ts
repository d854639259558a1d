// Real Ed25519 from Node's OpenSSL (node:crypto), synchronously: the same library WebCrypto uses in Node,
// the same signatures (Ed25519 is deterministic) and the same verdicts, without WebCrypto's thread-pool
// round trip per operation (the simulator's run loop waited for it at every step) nor OpenSSL 3's slow
// PKCS#8/SPKI decoders: keys are imported as JWK (raw bytes). One instance serves every simulated node.
// Public keys are held to the rule both real backends apply (strictPublicKey), so verdicts match theirs.
// Verifications are verified once for the whole simulation (the issue allows a verify-once cache): many nodes
// check the same signature (a lift record at every hop, a decision along the route, both ends of a diary
// certificate), and one real Ed25519 verification per distinct (key, message, signature) is enough. Only
// successes are remembered, keyed by SHA-256 over the length-prefixed triple, as core/crypto/cache.ts does.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { SignatureProvider } from '../../src/core/crypto/provider'
import { strictPublicKey } from '../../src/core/crypto/strict'

/** Node's JWK reader wants an `x` for a private key but builds the key from `d` (see keys-native.ts). */
const PLACEHOLDER_X = Buffer.alloc(32).toString('base64url')

class Lru<V> {
  readonly #map = new Map<string, V>()
  constructor (private readonly limit: number) {}
  get (k: string): V | undefined {
    const v = this.#map.get(k)
    if (v !== undefined) { this.#map.delete(k); this.#map.set(k, v) }
    return v
  }

  set (k: string, v: V): void {
    this.#map.set(k, v)
    if (this.#map.size > this.limit) this.#map.delete(this.#map.keys().next().value!)
  }
}

export interface NativeCryptoOptions {
  /** Private keys kept imported (default 16,384: one instance serves every node). */
  privateKeys?: number
  /** Public keys kept imported (default 32,768). */
  publicKeys?: number
  /** Successful verifications remembered (default 262,144; 0: none). */
  verified?: number
}

/** Verifications of this provider: real ones (misses) and ones answered from the verify-once cache (hits). */
export interface NativeVerifyStats { hits: number, misses: number }

export function nativeEd25519Provider (options: NativeCryptoOptions = {}): SignatureProvider & { verifyStats: () => NativeVerifyStats } {
  const privates = new Lru<{ key: KeyObject, pub: Uint8Array }>(options.privateKeys ?? 16_384)
  const publics = new Lru<KeyObject | null>(options.publicKeys ?? 32_768)
  const verifiedLimit = options.verified ?? 262_144
  const verified = new Lru<true>(Math.max(1, verifiedLimit))
  const stats: NativeVerifyStats = { hits: 0, misses: 0 }

  function privateKey (secret: Uint8Array): { key: KeyObject, pub: Uint8Array } {
    if (secret.length !== 32) throw new RangeError('Ed25519 secret must be 32 bytes')
    const id = createHash('sha256').update(secret).digest('base64url') // never keep the secret itself as a map key
    let entry = privates.get(id)
    if (entry === undefined) {
      const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(secret).toString('base64url'), x: PLACEHOLDER_X }, format: 'jwk' })
      const x = key.export({ format: 'jwk' }).x
      if (typeof x !== 'string') throw new Error('node:crypto did not export the Ed25519 public key')
      entry = { key, pub: new Uint8Array(Buffer.from(x, 'base64url')) }
      privates.set(id, entry)
    }
    return entry
  }

  function publicKey (pub: Uint8Array): KeyObject | null {
    const id = Buffer.from(pub).toString('base64url')
    let entry = publics.get(id)
    if (entry === undefined) {
      try {
        entry = strictPublicKey(pub) ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: id }, format: 'jwk' }) : null
      } catch {
        entry = null
      }
      publics.set(id, entry)
    }
    return entry
  }

  return {
    name: 'native',
    async publicKey (secret) {
      return privateKey(secret).pub
    },
    async sign (secret, message) {
      return new Uint8Array(sign(null, message, privateKey(secret).key))
    },
    async verify (pub, message, signature) {
      if (pub.length !== 32 || signature.length !== 64) return false
      const id = verifiedLimit > 0 ? tripleId(pub, message, signature) : undefined
      if (id !== undefined && verified.get(id) === true) { stats.hits++; return true }
      stats.misses++
      const key = publicKey(pub)
      if (key === null) return false
      let ok: boolean
      try {
        ok = verify(null, message, key, signature)
      } catch {
        ok = false
      }
      if (ok && id !== undefined) verified.set(id, true)
      return ok
    },
    verifyStats: () => ({ ...stats })
  }
}

/** SHA-256 over the length-prefixed (key, message, signature) triple, base64url. */
function tripleId (pub: Uint8Array, message: Uint8Array, signature: Uint8Array): string {
  const h = createHash('sha256')
  for (const part of [pub, message, signature]) {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(part.length)
    h.update(len).update(part)
  }
  return h.digest('base64url')
}
