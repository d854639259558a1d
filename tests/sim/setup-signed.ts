// A provider for the simulator's direct setup that remembers the signatures it made: the setup checks every
// message a receiving node would check (invitation, ticket, offer, the open tally, each chit in the machine),
// and all of them were signed moments before by this same provider. A signature it made over exactly these
// bytes with the secret of exactly this public key is valid (Ed25519 is deterministic and a key derived from a
// secret passes every strictness rule), so verify answers `true` for it without the curve arithmetic; anything
// else is verified by the backend. Verdicts are those of the backend; only the cost differs.
import { createHash } from 'node:crypto'
import type { SignatureProvider } from '../../src/core/crypto/provider'

export interface SelfSignedProvider extends SignatureProvider {
  /** Verifications answered from the signatures made here / passed to the backend. */
  readonly stats: { remembered: number, verified: number }
}

export function selfSignedProvider (inner: SignatureProvider): SelfSignedProvider {
  /** Signature (base64url) → the public key (base64url) and SHA-256 of the message it was made for (kept small: a setup makes ~10⁵). */
  const made = new Map<string, { key: string, digest: string }>()
  const digest = (message: Uint8Array): string => createHash('sha256').update(message).digest('base64url')
  const stats = { remembered: 0, verified: 0 }
  return {
    name: inner.name,
    stats,
    publicKey: async secret => await inner.publicKey(secret),
    async sign (secret, message) {
      const signature = await inner.sign(secret, message)
      const key = await inner.publicKey(secret)
      made.set(Buffer.from(signature).toString('base64url'), { key: Buffer.from(key).toString('base64url'), digest: digest(message) })
      return signature
    },
    async verify (publicKey, message, signature) {
      const m = made.get(Buffer.from(signature).toString('base64url'))
      if (m !== undefined && m.key === Buffer.from(publicKey).toString('base64url') && m.digest === digest(message)) {
        stats.remembered++
        return true
      }
      stats.verified++
      return await inner.verify(publicKey, message, signature)
    }
  }
}
