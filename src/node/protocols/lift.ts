// /mychips/lift/1.0.0 — lift execution between the tally partners of a route (docs/lifts.md §5).
//
// One request, one response (JSON). Requests (core/lift/schema LiftMessageSchema): `promise` (the record,
// the promises so far, and the leg the receiver is asked to promise) and `decision` (referee decisions,
// spread along the route). The answer is an acknowledgement; the work (waiting for a certificate, calling
// the referees) goes on after it, so a long route never holds a stream open. A refusal comes back as a
// named error. Shapes and sizes are checked here; signatures by the lift service.
import * as v from 'valibot'
import { TooLargeError } from '../../core/errors'
import { decodeLiftJson, LiftMessageSchema, MAX_LIFT_MESSAGE_BYTES } from '../../core/lift/schema'
import type { LiftMessage } from '../../core/lift/types'
import type { Network, PeerLink } from '../net/network'

export const LIFT_PROTOCOL = '/mychips/lift/1.0.0'
export { MAX_LIFT_MESSAGE_BYTES }
const MAX_ACK_BYTES = 256

const LiftAckSchema = v.strictObject({ v: v.literal(1), ok: v.literal(true) })
export type LiftAck = v.InferOutput<typeof LiftAckSchema>

const encoder = new TextEncoder()

/** JSON bytes of a message, refused when larger than `limit`. */
export function encodeJson (message: unknown, limit: number, what: string): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(message))
  if (bytes.byteLength > limit) throw new TooLargeError(bytes.byteLength, limit, what)
  return bytes
}

export function encodeLiftMessage (message: LiftMessage): Uint8Array {
  return encodeJson(message, MAX_LIFT_MESSAGE_BYTES, 'lift message')
}

/** Untrusted bytes → a lift message of known shape (signatures unchecked). Throws TooLargeError / MalformedError. */
export function decodeLiftMessage (bytes: Uint8Array): LiftMessage {
  return decodeLiftJson(bytes, LiftMessageSchema, 'lift message') as LiftMessage
}

export type LiftHandler = (message: LiftMessage, from: PeerLink) => Promise<void>

/** Serves /mychips/lift/1.0.0: decodes and validates every request before the handler sees it. */
export function serveLift (network: Network, handler: LiftHandler): void {
  network.handle(LIFT_PROTOCOL, async (bytes, from) => {
    await handler(decodeLiftMessage(bytes), from)
    return encodeJson({ v: 1, ok: true } satisfies LiftAck, MAX_ACK_BYTES, 'lift ack')
  }, { maxRequestBytes: MAX_LIFT_MESSAGE_BYTES })
}

/** Sends one lift message; resolves once the partner acknowledged it (rejects with its named refusal). */
export async function sendLift (network: Network, peerId: string, message: LiftMessage, options: { addrs?: readonly string[] } = {}): Promise<void> {
  const { body } = await network.request(peerId, LIFT_PROTOCOL, encodeLiftMessage(message), { ...options, maxResponseBytes: MAX_ACK_BYTES })
  decodeLiftJson(body, LiftAckSchema, 'lift ack', MAX_ACK_BYTES)
}
