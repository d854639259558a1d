// The runtime's native synchronous Ed25519 public key, where there is one (Node ≥ 20.16: node:crypto through
// process.getBuiltinModule, so browser bundles never import node:*). LiftKeys needs public keys
// synchronously and @noble/curves costs ~0.4 ms each on this machine: a node answering many discovery
// sessions spends most of its CPU there.
//
// The seed is imported as a JWK private key: OpenSSL builds it from the raw 32 bytes (the `x` member is
// required by Node's JWK reader but not used for private keys) and exports the public key it computes —
// ~40 µs, where importing PKCS#8 DER goes through OpenSSL 3's slow decoders (~0.6 ms). Because that relies
// on how Node reads a JWK, the function is checked once against RFC 8032's first test vector and against
// noble on a second key; any mismatch or error and there is no native function (callers fall back to noble).
import { fromBase64url, toBase64url } from '../../../core/codec/base64url'
import { noblePublicKey } from './keys'
import type { PublicKeyOf } from './keys'

interface NodeCryptoSubset {
  createPrivateKey (key: { key: { kty: string, crv: string, d: string, x: string }, format: 'jwk' }): { export (options: { format: 'jwk' }): { x?: string } }
}

// RFC 8032 §7.1 TEST 1.
const VECTOR_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'
const VECTOR_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'
/** Node's JWK reader wants an `x`; any 32 bytes do for a private key (OpenSSL derives the public key). */
const PLACEHOLDER_X = toBase64url(new Uint8Array(32))

function hex (s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map(b => parseInt(b, 16)))
}

function same (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function nodeCrypto (): NodeCryptoSubset | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const mod = typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:crypto') : undefined
  return typeof (mod as Partial<NodeCryptoSubset> | undefined)?.createPrivateKey === 'function' ? mod as NodeCryptoSubset : undefined
}

let checked: PublicKeyOf | null | undefined

/** The native synchronous public-key function, or undefined where the runtime has none (browsers). */
export function nativePublicKey (): PublicKeyOf | undefined {
  if (checked !== undefined) return checked ?? undefined
  checked = null
  const crypto = nodeCrypto()
  if (crypto === undefined) return undefined
  const fn: PublicKeyOf = secret => {
    if (secret.length !== 32) throw new RangeError('Ed25519 secret must be 32 bytes')
    const jwk = crypto.createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: toBase64url(secret), x: PLACEHOLDER_X }, format: 'jwk' }).export({ format: 'jwk' })
    if (typeof jwk.x !== 'string') throw new Error('node:crypto did not export the Ed25519 public key')
    return fromBase64url(jwk.x)
  }
  try {
    const second = hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb')
    if (same(fn(hex(VECTOR_SECRET)), hex(VECTOR_PUBLIC)) && same(fn(second), noblePublicKey(second))) checked = fn
  } catch {
    checked = null
  }
  return checked ?? undefined
}
