// Signing a tally: each party's root key signs the same bytes, signingBytes('tally', doc, userId). The
// signatures are detached so both cover one document; the document hash (hashOf(doc)) names the tally's
// terms in the diary's genesis.
import type { SignatureProvider } from '../crypto/provider'
import { signEnvelope, verifyDetached } from '../codec/envelope'
import { WrongSignerError } from '../codec/envelope'
import { toBase64url } from '../codec/base64url'
import { MalformedError } from '../errors'
import type { Side, TallyDoc } from './types'

export const TALLY_TYPE = 'tally'

function partyOf (doc: TallyDoc, side: Side): string {
  const party = doc[side].party
  if (party === undefined) throw new MalformedError(`the ${side} party is missing`)
  return party.cert.userId
}

/** The `side` party's signature over the document. Throws WrongSignerError if the secret is not that party's. */
export async function signTallyDoc (p: SignatureProvider, userSecret: Uint8Array, doc: TallyDoc, side: Side): Promise<string> {
  const userId = partyOf(doc, side)
  const signer = toBase64url(await p.publicKey(userSecret))
  if (signer !== userId) throw new WrongSignerError(userId, signer)
  return (await signEnvelope(p, userSecret, TALLY_TYPE, doc)).sig
}

/** Throws InvalidSignatureError unless `sig` is the `side` party's signature over the document. */
export async function verifyTallySig (p: SignatureProvider, doc: TallyDoc, side: Side, sig: string): Promise<void> {
  await verifyDetached(p, TALLY_TYPE, doc, partyOf(doc, side), sig)
}
