// The one rule both Ed25519 backends apply to public keys before verifying: a canonical encoding of a point
// that is not of small order. Native WebCrypto (OpenSSL) would accept small-order and some non-canonical
// keys, for which "signatures" verify on any message; noble refuses them. Refusing them everywhere keeps
// the backends' answers identical (see noble.ts).
import { ed25519 } from '@noble/curves/ed25519.js'

export function strictPublicKey (pub: Uint8Array): boolean {
  if (pub.length !== 32) return false
  try {
    return !ed25519.Point.fromBytes(pub, false).isSmallOrder()
  } catch {
    return false
  }
}
