// This wallet's party info for one tally: its name, the first key of its forward chain and its seal key
// for this tally (both derived from the user secret, so any of the user's devices can continue), and its
// initial tally-network members (this node; more devices join by a membership entry later).
import type { SignatureProvider } from '../../../core/crypto/provider'
import { chainPublicKey, deriveSealSecret, sealPublicKeyOf } from '../../../core/keys/chain'
import { tallySharedKey } from '../../../core/crypto/seal'
import { fromBase64url } from '../../../core/codec/base64url'
import type { PartyInfo, TallyDoc, Side } from '../../../core/tally/types'
import { otherSide } from '../../../core/tally/types'
import type { Identity } from '../../api'

export async function partyInfo (p: SignatureProvider, identity: Identity, tally: string, memberKey: string): Promise<PartyInfo> {
  return {
    cert: { userId: identity.userId, name: identity.name },
    chain: await chainPublicKey(p, identity.userSecret, tally, 0),
    seal: sealPublicKeyOf(identity.userSecret, tally),
    members: [{ key: memberKey, weight: 1 }]
  }
}

/** Shared keys by user secret (per identity object), then by tally and partner seal key: an X25519 agreement
 * costs about 1 ms in JavaScript, and every chit (and every chit view) needs the key. Bounded per identity. */
const shared = new WeakMap<Uint8Array, Map<string, Uint8Array>>()
const SHARED_KEYS = 4096

/** The key both parties seal memos with, once the partner's seal key is in the document. */
export function sharedKeyOf (identity: Identity, doc: TallyDoc, mine: Side): Uint8Array | undefined {
  const theirs = doc[otherSide(mine)].party?.seal
  if (theirs === undefined) return undefined
  let keys = shared.get(identity.userSecret)
  if (keys === undefined) shared.set(identity.userSecret, keys = new Map())
  const id = `${doc.id} ${theirs}`
  let key = keys.get(id)
  if (key === undefined) {
    key = tallySharedKey(deriveSealSecret(identity.userSecret, doc.id), fromBase64url(theirs), doc.id)
    remember(keys, id, key)
  }
  return key
}

/**
 * Puts a shared key computed elsewhere into the memo (the simulator's direct setup, tests/sim/setup-direct.ts,
 * computes the same tallySharedKey with Node's native X25519). `key` must be what sharedKeyOf would compute.
 */
export function rememberSharedKey (identity: Identity, doc: TallyDoc, mine: Side, key: Uint8Array): void {
  const theirs = doc[otherSide(mine)].party?.seal
  if (theirs === undefined) return
  let keys = shared.get(identity.userSecret)
  if (keys === undefined) shared.set(identity.userSecret, keys = new Map())
  remember(keys, `${doc.id} ${theirs}`, key)
}

function remember (keys: Map<string, Uint8Array>, id: string, key: Uint8Array): void {
  if (keys.has(id)) return
  if (keys.size >= SHARED_KEYS) keys.delete(keys.keys().next().value!)
  keys.set(id, key)
}
