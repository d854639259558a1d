// Every key a user holds derives from the BIP-39 seed with HKDF-SHA256 (RFC 5869) and a domain label per
// purpose; see docs/protocol.md "Key derivation" for why HKDF rather than SLIP-0010. Labels are versioned:
// changing one is a new key space, never a silent change.
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { canonicalBytes } from '../codec/canonical'

const encoder = new TextEncoder()

export const SALT = encoder.encode('mychips-wallet/v1')

/** 32 bytes of key material for `label` and its parameters (encoded canonically so no two inputs collide). */
export function deriveKey (ikm: Uint8Array, label: string, params: readonly (string | number)[] = []): Uint8Array {
  return hkdf(sha256, ikm, SALT, canonicalBytes([label, ...params]), 32)
}
