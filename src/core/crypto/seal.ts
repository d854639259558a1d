// The tally's private data (memos, references, personal certificate details) is sealed with a key both
// parties share: X25519 ECDH between their per-tally seal keys, stretched by HKDF-SHA256 with the tally id,
// then XChaCha20-Poly1305 with a 24-byte random nonce from the caller (random nonces are safe at this size).
// Member nodes validate amounts and signatures without ever reading what is sealed.
import { x25519 } from '@noble/curves/ed25519.js'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import * as v from 'valibot'
import { ChipsError, MalformedError } from '../errors'
import { canonicalBytes } from '../codec/canonical'
import { fromBase64url, fromBase64urlOfLength, toBase64url } from '../codec/base64url'

export const NONCE_BYTES = 24
/** Upper bound on a sealed field's ciphertext text (base64url), so a memo cannot bloat the diary. */
export const MAX_SEALED_CHARS = 8192

/** A sealed JSON value: n = base64url nonce (24 bytes), c = base64url ciphertext with its 16-byte tag. */
export interface Sealed { n: string, c: string }

export const SealedSchema = v.strictObject({
  n: v.pipe(v.string(), v.length(32)),
  c: v.pipe(v.string(), v.minLength(22), v.maxLength(MAX_SEALED_CHARS))
})

/** The ciphertext does not open with this key (wrong key, wrong tally or field, or tampered). */
export class DecryptError extends ChipsError {
  constructor (message = 'sealed data does not open with the tally key') { super('DECRYPT_FAILED', message) }
}

export function sealPublicKey (sealSecret: Uint8Array): Uint8Array {
  return x25519.getPublicKey(sealSecret)
}

/**
 * The 32-byte tally key: HKDF-SHA256(ikm = X25519(mine, theirs), salt = 'mychips-wallet/v1',
 * info = ["tally-shared", tallyId]). Both parties get the same key. Throws MalformedError for a low-order
 * partner key (which would make the shared secret predictable).
 */
export function tallySharedKey (mySealSecret: Uint8Array, theirSealPublic: Uint8Array, tallyId: string): Uint8Array {
  let shared: Uint8Array
  try {
    shared = x25519.getSharedSecret(mySealSecret, theirSealPublic)
  } catch (cause) {
    throw new MalformedError('the partner seal key is not a usable X25519 public key', { cause })
  }
  return hkdf(sha256, shared, new TextEncoder().encode('mychips-wallet/v1'), canonicalBytes(['tally-shared', tallyId]), 32)
}

/** Associated data binds a ciphertext to its tally and field, so it cannot be moved to another place. */
function aad (tallyId: string, field: string): Uint8Array {
  return canonicalBytes(['sealed', tallyId, field])
}

export function sealJson (key: Uint8Array, nonce: Uint8Array, tallyId: string, field: string, value: unknown): Sealed {
  if (nonce.length !== NONCE_BYTES) throw new RangeError('nonce must be 24 bytes')
  const c = xchacha20poly1305(key, nonce, aad(tallyId, field)).encrypt(canonicalBytes(value))
  return { n: toBase64url(nonce), c: toBase64url(c) }
}

export function openJson (key: Uint8Array, sealed: Sealed, tallyId: string, field: string): unknown {
  const parsed = v.safeParse(SealedSchema, sealed)
  if (!parsed.success) throw new MalformedError('malformed sealed value')
  const nonce = fromBase64urlOfLength(sealed.n, NONCE_BYTES, 'nonce')
  let plain: Uint8Array
  try {
    plain = xchacha20poly1305(key, nonce, aad(tallyId, field)).decrypt(fromBase64url(sealed.c))
  } catch {
    throw new DecryptError()
  }
  return JSON.parse(new TextDecoder().decode(plain)) as unknown
}
