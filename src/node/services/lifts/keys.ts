// This node's lift secrets, derived from its member secret (the libp2p device key), so nothing is stored:
// a session key per discovery session (pseudonym and promise key) and one referee key.
// LiftKeys is synchronous, so public keys come from a synchronous function: the runtime's native Ed25519
// where there is one (Node: keys-native.ts, ~10× faster), else @noble/curves (browsers: WebCrypto is
// async). Session keys are cached because one lift asks for the same session key several times.
import { ed25519 } from '@noble/curves/ed25519.js'
import { toBase64url } from '../../../core/codec/base64url'
import { refereeSecret, sessionSecret } from '../../../core/lift/ids'
import type { LiftKeys } from './contracts'

/** The 32-byte Ed25519 public key of a 32-byte secret (seed), computed synchronously. */
export type PublicKeyOf = (secret: Uint8Array) => Uint8Array

/** The portable fallback: pure JS, constant time. */
export const noblePublicKey: PublicKeyOf = secret => ed25519.getPublicKey(secret)

/** Sessions remembered per node (least recently used go first): a busy node serves thousands of sessions at once. */
export const SESSION_CACHE = 2048

export function liftKeys (memberSecret: Uint8Array, publicKeyOf: PublicKeyOf = noblePublicKey, sessionCache = SESSION_CACHE): LiftKeys {
  const pair = (secret: Uint8Array): { secret: Uint8Array, key: string } => ({ secret, key: toBase64url(publicKeyOf(secret)) })
  const sessions = new Map<string, { secret: Uint8Array, key: string }>()
  return {
    session (session) {
      let p = sessions.get(session)
      if (p !== undefined) {
        // Most recently used last, so eviction takes the least recently used.
        sessions.delete(session)
        sessions.set(session, p)
      } else {
        p = pair(sessionSecret(memberSecret, session))
        if (sessions.size >= sessionCache) sessions.delete(sessions.keys().next().value!)
        sessions.set(session, p)
      }
      return p
    },
    referee: pair(refereeSecret(memberSecret))
  }
}
