// SHA-256 (@noble/hashes) and the content hash of a JSON value: base64url(sha256(canonical bytes)).
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { canonicalBytes } from './canonical'
import { toBase64url } from './base64url'

export function sha256 (bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes)
}

/** base64url (43 chars) of SHA-256 over the RFC 8785 encoding of v. */
export function hashOf (v: unknown): string {
  return toBase64url(sha256(canonicalBytes(v)))
}
