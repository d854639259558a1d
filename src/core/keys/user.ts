// The user's root Ed25519 key and its id. user id = base64url(raw 32-byte public key), 43 characters.
import { fromBase64urlOfLength, toBase64url } from '../codec/base64url'
import * as v from 'valibot'
import { MalformedError } from '../errors'
import { deriveKey } from './derive'

export const USER_ROOT_LABEL = 'user-root'

/** The 32-byte Ed25519 secret (seed) of the user's root key: HKDF-SHA256(seed, salt 'mychips-wallet/v1', info ["user-root"]). */
export function deriveUserSecret (seed: Uint8Array): Uint8Array {
  if (seed.length !== 64) throw new RangeError('a BIP-39 seed is 64 bytes')
  return deriveKey(seed, USER_ROOT_LABEL)
}

export function userIdFromPublicKey (pub: Uint8Array): string {
  if (pub.length !== 32) throw new MalformedError('an Ed25519 public key is 32 bytes')
  return toBase64url(pub)
}

export function publicKeyFromUserId (id: string): Uint8Array {
  if (typeof id !== 'string' || id.length !== 43) throw new MalformedError('a user id is 43 base64url characters')
  return fromBase64urlOfLength(id, 32, 'user id')
}

export function isUserId (id: unknown): id is string {
  if (typeof id !== 'string' || id.length !== 43) return false
  try { publicKeyFromUserId(id); return true } catch { return false }
}

/** valibot schema of a user id (also any base64url Ed25519 public key). */
export const UserIdSchema = v.pipe(v.string(), v.length(43), v.check((s: string) => isUserId(s), 'not a base64url Ed25519 public key'))
