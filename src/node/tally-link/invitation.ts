// Invitation links: a signed invitation in the fragment of an https URL of the app,
// `<baseUrl>#invite=<base64url of the envelope's canonical JSON>` (the fragment never reaches a server).
// The inviter's user key signs the whole invitation (its contact card, the token, the proposed terms and
// the contract hash), so the partner sees who invites and what before connecting, and nobody on the way
// can change the terms or point the link at another node. Parsing validates everything: a link is
// untrusted input, and every refusal names what is wrong.
import * as v from 'valibot'
import type { SignatureProvider } from '../../core/crypto/provider'
import { MalformedError, TooLargeError } from '../../core/errors'
import { canonicalJson } from '../../core/codec/canonical'
import { fromBase64url, toBase64url } from '../../core/codec/base64url'
import { signEnvelope, verifyEnvelope, WrongSignerError, type Signed } from '../../core/codec/envelope'
import { HashSchema, IdSchema, TermsSchema } from '../../core/tally/schema'
import { checkTerms } from '../../core/tally/rules'
import type { Side, Terms } from '../../core/tally/types'
import type { ContactCard } from '../api'
import { validateCard } from '../contact/card'

export const INVITE_PARAM = 'invite'
/** The custom scheme the app registers (navigator.registerProtocolHandler): `web+mychips:invite=<code>`. */
export const PROTOCOL_SCHEME = 'web+mychips'
export const INVITATION_TYPE = 'tally-invitation'
/** Links travel in QR codes and chat messages: keep them bounded. */
export const MAX_INVITATION_LINK_CHARS = 6144
export const MAX_INVITATION_MEMO = 200

/** What an invitation says, signed by the inviter's user key. */
export interface InvitationBody {
  v: 1
  /** Who invites and how to reach their node. */
  card: ContactCard
  /** The one-time (or reusable) token the partner redeems. */
  token: string
  /** The draft (or, reusable, the template) tally the token opens. */
  tally: string
  /** The inviter's side: 'stock' when the inviter extends credit, 'foil' when it asks for credit. */
  side: Side
  /** The proposed terms of each side: stock.limit = what the foil may owe the stock, and the reverse. */
  terms: { stock: Terms, foil: Terms }
  /** hashOf(contract document). */
  contract: string
  memo?: string
  /** ms since epoch. */
  expires: number
  reuse: boolean
}

export type SignedInvitation = Signed<InvitationBody>

const InvitationBodySchema = v.strictObject({
  v: v.literal(1),
  card: v.unknown(),
  token: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22,64}$/, 'the token is 22–64 base64url characters')),
  tally: IdSchema,
  side: v.picklist(['stock', 'foil']),
  terms: v.strictObject({ stock: TermsSchema, foil: TermsSchema }),
  contract: HashSchema,
  memo: v.optional(v.pipe(v.string(), v.maxLength(MAX_INVITATION_MEMO))),
  expires: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  reuse: v.boolean()
})

export async function signInvitation (p: SignatureProvider, userSecret: Uint8Array, body: InvitationBody): Promise<SignedInvitation> {
  return await signEnvelope(p, userSecret, INVITATION_TYPE, body)
}

/** The shareable link for a signed invitation. */
export function invitationLink (baseUrl: string, invitation: SignedInvitation): string {
  const base = baseUrl.split('#')[0] ?? baseUrl
  return `${base}#${INVITE_PARAM}=${toBase64url(new TextEncoder().encode(canonicalJson(invitation)))}`
}

/** Does this text look like an invitation link (so the UI routes it here rather than to contacts)? */
export function isInvitationLink (input: string): boolean {
  const text = input.trim()
  if (text.toLowerCase().startsWith(`${PROTOCOL_SCHEME}:`)) return new URLSearchParams(text.slice(PROTOCOL_SCHEME.length + 1)).has(INVITE_PARAM)
  const hash = text.indexOf('#')
  return hash >= 0 && new URLSearchParams(text.slice(hash + 1)).has(INVITE_PARAM)
}

/** The same invitation as a `web+mychips:` URL (for the protocol handler). */
export function invitationProtocolUrl (link: string): string {
  const hash = link.indexOf('#')
  return `${PROTOCOL_SCHEME}:${hash < 0 ? '' : link.slice(hash + 1)}`
}

/**
 * Parses an invitation link (or `web+mychips:` URL, or the envelope's JSON) and verifies it: shape, the
 * inviter's signature, the card (its addresses lead to its node), the terms. Throws MalformedError,
 * TooLargeError, InvalidSignatureError or WrongSignerError. Expiry is checked by the caller (it has the clock).
 */
export async function parseInvitationLink (p: SignatureProvider, input: string): Promise<SignedInvitation> {
  const text = input.trim()
  if (text.length > MAX_INVITATION_LINK_CHARS) throw new TooLargeError(text.length, MAX_INVITATION_LINK_CHARS, 'invitation link')
  let json: string
  if (text.startsWith('{')) {
    json = text
  } else {
    // `<app>#invite=…`, or `web+mychips:invite=…` as the registered protocol handler receives it
    const hash = text.indexOf('#')
    const fragment = hash >= 0 ? text.slice(hash + 1) : text.toLowerCase().startsWith(`${PROTOCOL_SCHEME}:`) ? text.slice(PROTOCOL_SCHEME.length + 1) : ''
    const value = new URLSearchParams(fragment).get(INVITE_PARAM)
    if (value === null || value === '') throw new MalformedError('this is not an invitation link (it has no #invite= part)')
    let bytes: Uint8Array
    try { bytes = fromBase64url(value) } catch { throw new MalformedError('the invitation link is damaged (its code is not base64url); copy it again') }
    try { json = new TextDecoder('utf-8', { fatal: true }).decode(bytes) } catch { throw new MalformedError('the invitation link is damaged (not text); copy it again') }
  }
  let raw: unknown
  try { raw = JSON.parse(json) } catch { throw new MalformedError('the invitation link is damaged (not an invitation); copy it again') }
  return await verifyInvitation(p, raw)
}

/** Verifies an untrusted signed invitation. */
export async function verifyInvitation (p: SignatureProvider, raw: unknown): Promise<SignedInvitation> {
  const env = await verifyEnvelope<unknown>(p, raw, { type: INVITATION_TYPE, maxBytes: MAX_INVITATION_LINK_CHARS })
  const parsed = v.safeParse(InvitationBodySchema, env.body)
  if (!parsed.success) throw new MalformedError(`the invitation is not valid: ${v.summarize(parsed.issues)}`)
  const card = validateCard(parsed.output.card)
  if (card.userId !== env.signer) throw new WrongSignerError(card.userId, env.signer)
  checkTerms(parsed.output.terms.stock)
  checkTerms(parsed.output.terms.foil)
  const body: InvitationBody = { ...parsed.output, card }
  return { ...env, body }
}
