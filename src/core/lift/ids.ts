// Per-session names on a route (docs/lifts.md §4): a tally is a link nonce, a user a target token, and a
// lift chit's id is derived from the lift and leg so both partners know it. Fresh per session, so the same
// tally never shows the same nonce twice (research scenario 38).
import { toBase64url } from '../codec/base64url'
import { canonicalBytes } from '../codec/canonical'
import { sha256 } from '../codec/hash'
import { deriveKey } from '../keys/derive'

function digest (parts: readonly (string | number)[]): string {
  return toBase64url(sha256(canonicalBytes(parts)))
}

export function linkNonce (tally: string, session: string): string {
  return digest(['link', tally, session])
}

export function targetToken (session: string, userId: string): string {
  return digest(['target', session, userId])
}

/** The id of the conditional lift chit of leg `leg` (22 base64url characters, a valid chit id). */
export function liftChitId (lift: string, leg: number): string {
  return digest(['lift-chit', lift, leg]).slice(0, 22)
}

/** The secret of this node's session key (its pseudonym and promise key for one discovery session). */
export function sessionSecret (nodeSecret: Uint8Array, session: string): Uint8Array {
  return deriveKey(nodeSecret, 'lift-session', [session])
}

/** The secret of this node's referee key. */
export function refereeSecret (nodeSecret: Uint8Array): Uint8Array {
  return deriveKey(nodeSecret, 'lift-referee')
}
