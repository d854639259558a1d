// X25519 from Node's OpenSSL for the simulator's direct setup (tests/sim/setup-direct.ts): the tally seal keys
// (core/keys/chain.ts sealPublicKeyOf) and the tally shared key (core/crypto/seal.ts tallySharedKey) computed
// natively: the same function (RFC 7748 X25519, then the same HKDF), ~0.1 ms instead of ~1 ms in JavaScript.
// Node's JWK reader wants an `x` for a private key but builds the key from `d` (as native-crypto.ts does).
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { canonicalBytes } from '../../src/core/codec/canonical'
import { fromBase64url, toBase64url } from '../../src/core/codec/base64url'
import { deriveSealSecret } from '../../src/core/keys/chain'

const PLACEHOLDER_X = Buffer.alloc(32).toString('base64url')
const SALT = new TextEncoder().encode('mychips-wallet/v1')

function privateKey (secret: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: Buffer.from(secret).toString('base64url'), x: PLACEHOLDER_X }, format: 'jwk' })
}

/** sealPublicKeyOf(userSecret, tallyId), natively. */
export function nativeSealPublicKeyOf (userSecret: Uint8Array, tallyId: string): string {
  const x = createPublicKey(privateKey(deriveSealSecret(userSecret, tallyId))).export({ format: 'jwk' }).x
  if (x === undefined) throw new Error('X25519 public key export failed')
  return toBase64url(new Uint8Array(Buffer.from(x, 'base64url')))
}

/** tallySharedKey(deriveSealSecret(userSecret, tallyId), theirSealPublic, tallyId), natively. */
export function nativeTallySharedKey (userSecret: Uint8Array, theirSealPublic: string, tallyId: string): Uint8Array {
  const theirs = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64url(fromBase64url(theirSealPublic)) }, format: 'jwk' })
  const shared = new Uint8Array(diffieHellman({ privateKey: privateKey(deriveSealSecret(userSecret, tallyId)), publicKey: theirs }))
  return hkdf(sha256, shared, SALT, canonicalBytes(['tally-shared', tallyId]), 32)
}
