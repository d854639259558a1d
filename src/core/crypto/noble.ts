// The pure-JS Ed25519 backend (@noble/curves): always available, about 10× slower than native to verify.
//
// Verification must give the same answer as native WebCrypto for EVERY input, or members on different
// backends could disagree about an entry (a consensus split, see "It's 255:19AM", Chalkias et al. 2020).
// OpenSSL/BoringSSL check the cofactorLESS equation [S]B = R + [k]A with S < L and canonical R, and accept
// small-order public keys. noble's verify() is cofactorED. So this provider checks the cofactorless
// equation itself, and both providers refuse non-canonical and small-order public keys (strictPublicKey).
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha512 } from '@noble/hashes/sha2.js'
import type { SignatureProvider } from './provider'
import { strictPublicKey } from './strict'

const Point = ed25519.Point
const L = Point.Fn.ORDER

function leBigint (bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

export const nobleProvider: SignatureProvider = {
  name: 'noble',
  async publicKey (secret) {
    return ed25519.getPublicKey(secret)
  },
  async sign (secret, message) {
    return ed25519.sign(message, secret)
  },
  async verify (publicKey, message, signature) {
    if (signature.length !== 64 || !strictPublicKey(publicKey)) return false
    try {
      const A = Point.fromBytes(publicKey, false)
      const rBytes = signature.subarray(0, 32)
      const R = Point.fromBytes(rBytes, false)
      const s = leBigint(signature.subarray(32))
      if (s >= L) return false
      const hram = new Uint8Array(64 + message.length)
      hram.set(rBytes); hram.set(publicKey, 32); hram.set(message, 64)
      const k = leBigint(sha512(hram)) % L
      return Point.BASE.multiplyUnsafe(s).equals(R.add(A.multiplyUnsafe(k)))
    } catch {
      return false
    }
  }
}
