// /mychips/negotiate/1.0.0 — two wallets negotiate a tally (research §1.5, scenarios 8–13).
//
// Requests (each carries the sender's device certificate, so the receiver knows which node speaks for
// the partner and can answer it later):
//   ticket  the invited partner redeems the invitation token with its party info, signed by its user key;
//           the answer is the inviter's signed offer (the terms the invitation promised)
//   offer   a (counter-)offer, signed by the sender's user key over the tally document
//   open    the fully signed tally (the sender accepted the receiver's offer)
//   refuse  a signed refusal of the receiver's current offer
//   revise  a signed notice that the sender withdrew the current offer back to draft (revision + 1)
// Everything else is refused. The receiver checks the shape here (valibot, size-limited) and the meaning
// in the tally service (signatures, states, revisions); a refusal crosses back as {code, message}.
import * as v from 'valibot'
import { MalformedError } from '../../core/errors'
import type { Network, PeerLink } from '../net/network'

export const NEGOTIATE_PROTOCOL = '/mychips/negotiate/1.0.0'
/** A tally document with two parties, sealed details and signatures stays far below this. */
export const MAX_NEGOTIATE_BYTES = 32 * 1024

/** `card`: the sender's contact card (its current addresses), so the partner's node can dial it back later. */
export type NegotiateRequest =
  | { t: 'ticket', ticket: unknown, cert: unknown, card?: unknown }
  | { t: 'offer', offer: unknown, cert: unknown, card?: unknown }
  | { t: 'open', tally: unknown, cert: unknown, card?: unknown }
  | { t: 'refuse', notice: unknown, cert: unknown, card?: unknown }
  | { t: 'revise', notice: unknown, cert: unknown, card?: unknown }

export type NegotiateResponse =
  | { t: 'offer', offer: unknown }
  | { t: 'ok' }

const RequestSchema = v.variant('t', [
  v.strictObject({ t: v.literal('ticket'), ticket: v.unknown(), cert: v.unknown(), card: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('offer'), offer: v.unknown(), cert: v.unknown(), card: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('open'), tally: v.unknown(), cert: v.unknown(), card: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('refuse'), notice: v.unknown(), cert: v.unknown(), card: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('revise'), notice: v.unknown(), cert: v.unknown(), card: v.optional(v.unknown()) })
])

const ResponseSchema = v.variant('t', [
  v.strictObject({ t: v.literal('offer'), offer: v.unknown() }),
  v.strictObject({ t: v.literal('ok') })
])

export function encodeNegotiate (msg: NegotiateRequest | NegotiateResponse): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(msg))
}

function decodeJson (bytes: Uint8Array, what: string): unknown {
  if (bytes.byteLength > MAX_NEGOTIATE_BYTES) throw new MalformedError(`a ${what} has at most ${MAX_NEGOTIATE_BYTES} bytes`)
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedError(`the ${what} is not a JSON document`)
  }
}

/** Parses untrusted request bytes (shape only). Throws MalformedError. */
export function decodeNegotiateRequest (bytes: Uint8Array): NegotiateRequest {
  const r = v.safeParse(RequestSchema, decodeJson(bytes, 'negotiation message'))
  if (!r.success) throw new MalformedError(`malformed negotiation message: ${v.summarize(r.issues)}`)
  return r.output as NegotiateRequest
}

export function decodeNegotiateResponse (bytes: Uint8Array): NegotiateResponse {
  const r = v.safeParse(ResponseSchema, decodeJson(bytes, 'negotiation answer'))
  if (!r.success) throw new MalformedError(`malformed negotiation answer: ${v.summarize(r.issues)}`)
  return r.output as NegotiateResponse
}

export type NegotiateHandler = (request: NegotiateRequest, from: PeerLink) => Promise<NegotiateResponse>

export function serveNegotiate (network: Network, handler: NegotiateHandler): void {
  network.handle(NEGOTIATE_PROTOCOL, async (bytes, from) => encodeNegotiate(await handler(decodeNegotiateRequest(bytes), from)), { maxRequestBytes: MAX_NEGOTIATE_BYTES })
}

export async function sendNegotiate (network: Network, peerId: string, msg: NegotiateRequest, options: { addrs?: readonly string[], signal?: AbortSignal } = {}): Promise<NegotiateResponse> {
  const res = await network.request(peerId, NEGOTIATE_PROTOCOL, encodeNegotiate(msg), { ...options, maxResponseBytes: MAX_NEGOTIATE_BYTES })
  return decodeNegotiateResponse(res.body)
}
