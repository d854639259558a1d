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

/** The key both parties seal memos with, once the partner's seal key is in the document. */
export function sharedKeyOf (identity: Identity, doc: TallyDoc, mine: Side): Uint8Array | undefined {
  const theirs = doc[otherSide(mine)].party?.seal
  if (theirs === undefined) return undefined
  return tallySharedKey(deriveSealSecret(identity.userSecret, doc.id), fromBase64url(theirs), doc.id)
}
