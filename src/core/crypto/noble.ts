// The pure-JS Ed25519 backend (@noble/curves): always available, about 10× slower than native to verify.
// zip215:false = strict RFC 8032 / FIPS 186-5 acceptance, the rule native WebCrypto (OpenSSL, BoringSSL)
// applies, so two members on different backends never disagree about a crafted edge-case signature.
import { ed25519 } from '@noble/curves/ed25519.js'
import type { SignatureProvider } from './provider'

export const nobleProvider: SignatureProvider = {
  name: 'noble',
  async publicKey (secret) {
    return ed25519.getPublicKey(secret)
  },
  async sign (secret, message) {
    return ed25519.sign(message, secret)
  },
  async verify (publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false })
    } catch {
      return false
    }
  }
}
