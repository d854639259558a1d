// Contact links: a ContactCard {v, userId, name, peerId, addrs} in the fragment of an https URL,
// `<baseUrl>#contact=<base64url of the card's canonical JSON>`. The fragment never reaches a server.
// Parsing validates everything (a link is untrusted input) and says what is wrong in words.
import * as v from 'valibot'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { MalformedError, TooLargeError } from '../../core/errors'
import { canonicalJson } from '../../core/codec/canonical'
import { fromBase64url, toBase64url } from '../../core/codec/base64url'
import { UserIdSchema } from '../../core/keys/user'
import type { ContactCard } from '../api'
import { NameSchema } from '../identity/schema'

export const CONTACT_PARAM = 'contact'
/** Links travel in QR codes and chat messages: keep them bounded. */
export const MAX_CONTACT_LINK_CHARS = 4096
export const MAX_CARD_ADDRS = 16

const AddrSchema = v.pipe(v.string(), v.maxLength(512), v.check(isMultiaddr, 'an address is not a valid multiaddr'))

const ContactCardSchema = v.strictObject({
  v: v.literal(1),
  userId: UserIdSchema,
  name: NameSchema,
  peerId: v.pipe(v.string(), v.maxLength(128), v.check(isPeerId, 'not a valid node (peer) id')),
  addrs: v.pipe(v.array(AddrSchema), v.maxLength(MAX_CARD_ADDRS))
})

/** The shareable link for a card. */
export function contactLink (baseUrl: string, card: ContactCard): string {
  const base = baseUrl.split('#')[0] ?? baseUrl
  return `${base}#${CONTACT_PARAM}=${toBase64url(new TextEncoder().encode(canonicalJson(card)))}`
}

/** Parses a contact link (or the card's JSON as is) and validates the card. Throws MalformedError / TooLargeError. */
export function parseContactLink (input: string): ContactCard {
  const text = input.trim()
  if (text.length > MAX_CONTACT_LINK_CHARS) throw new TooLargeError(text.length, MAX_CONTACT_LINK_CHARS, 'contact link')
  let json: string
  if (text.startsWith('{')) {
    json = text
  } else {
    const hash = text.indexOf('#')
    const fragment = hash < 0 ? '' : text.slice(hash + 1)
    const value = new URLSearchParams(fragment).get(CONTACT_PARAM)
    if (value === null || value === '') throw new MalformedError('this is not a contact link (it has no #contact= part)')
    let bytes: Uint8Array
    try { bytes = fromBase64url(value) } catch { throw new MalformedError('the contact link is damaged (its code is not base64url); copy it again') }
    try { json = new TextDecoder('utf-8', { fatal: true }).decode(bytes) } catch { throw new MalformedError('the contact link is damaged (not text); copy it again') }
  }
  let raw: unknown
  try { raw = JSON.parse(json) } catch { throw new MalformedError('the contact link is damaged (not a contact card); copy it again') }
  return validateCard(raw)
}

/** Validates an untrusted card: shape, ids, and that every address leads to the card's node. */
export function validateCard (raw: unknown): ContactCard {
  const parsed = v.safeParse(ContactCardSchema, raw)
  if (!parsed.success) throw new MalformedError(`the contact card is not valid: ${v.summarize(parsed.issues)}`)
  const card = parsed.output
  for (const addr of card.addrs) {
    const target = multiaddr(addr).getComponents().findLast(c => c.name === 'p2p')?.value
    if (target !== undefined && target !== card.peerId) {
      throw new MalformedError('the contact card is not valid: one of its addresses leads to another node')
    }
  }
  return card
}

function isMultiaddr (s: string): boolean {
  try { multiaddr(s); return true } catch { return false }
}

function isPeerId (s: string): boolean {
  try { peerIdFromString(s); return true } catch { return false }
}
