// Real Ed25519 from Node's OpenSSL (node:crypto), synchronously: the same library WebCrypto uses in Node,
// the same signatures (Ed25519 is deterministic) and the same verdicts, without WebCrypto's thread-pool
// round trip per operation (the simulator's run loop waited for it at every step) nor OpenSSL 3's slow
// PKCS#8/SPKI decoders: keys are imported as JWK (raw bytes). One instance serves every simulated node.
// Public keys are held to the rule both real backends apply (strictPublicKey), so verdicts match theirs.
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
}

export function nativeEd25519Provider (options: NativeCryptoOptions = {}): SignatureProvider {
  const privates = new Lru<{ key: KeyObject, pub: Uint8Array }>(options.privateKeys ?? 16_384)
  const publics = new Lru<KeyObject | null>(options.publicKeys ?? 32_768)

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
      const key = publicKey(pub)
      if (key === null) return false
      try {
        return verify(null, message, key, signature)
      } catch {
        return false
      }
    }
  }
}
