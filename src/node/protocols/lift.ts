// /mychips/lift/1.0.0 — lift execution between the tally partners of a route (docs/lifts.md §5).
//
// One request, one response (JSON). Requests: `promise` (the record, the promises so far, and the leg the
// receiver is asked to promise) and `decision` (referee decisions, spread along the route). The answer is
// an acknowledgement; the work (waiting for a certificate, calling referees) goes on after it, so a long
// route never holds a stream open. A refusal comes back as a named error.
//
// The shapes of the lift record, promises and decisions are checked here (types, sizes, ranges) so that
// garbage never reaches the services; signatures are checked by the services.
import * as v from 'valibot'
import { MAX_REFEREES } from '../../core/chit/types'
import { IdSchema, KeySchema, UnitsSchema } from '../../core/tally/schema'
import { LIFT_PROMISE_TYPE, LIFT_RECORD_TYPE, type LiftMessage } from '../../core/lift/types'
import { MalformedError, TooLargeError } from '../../core/errors'
import type { Network, PeerLink } from '../net/network'

/** Longest route a record may carry (legs). */
export const MAX_LIFT_LEGS = 32
const B64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/))
const Nonce = v.pipe(B64, v.length(43))
const Sig = v.pipe(v.string(), v.length(86))
const Time = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const Code = v.pipe(v.string(), v.regex(/^[A-Z0-9_]{1,64}$/))

export const RefereeRefSchema = v.strictObject({
  key: KeySchema,
  peer: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  addrs: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(512))), v.maxLength(8)))
})

export const LiftRecordBodySchema = v.pipe(
  v.strictObject({
    id: IdSchema,
    session: Nonce,
    kind: v.picklist(['circular', 'linear']),
    origin: KeySchema,
    legs: v.pipe(v.array(v.strictObject({ link: Nonce, units: UnitsSchema, key: KeySchema })), v.minLength(1), v.maxLength(MAX_LIFT_LEGS)),
    referees: v.pipe(v.array(RefereeRefSchema), v.minLength(1), v.maxLength(MAX_REFEREES)),
    expires: Time,
    created: Time
  }),
  v.check(b => b.referees.length % 2 === 1, 'a lift names an odd number of referees'),
  v.check(b => new Set(b.referees.map(r => r.key)).size === b.referees.length, 'a referee is named twice'),
  v.check(b => new Set(b.legs.map(l => l.link)).size === b.legs.length, 'a link is named twice'),
  v.check(b => b.kind === 'linear' || b.legs.every(l => l.units === b.legs[0]!.units), 'a circular lift carries the same units on every leg'),
  v.check(b => b.expires > b.created, 'a lift expires after it is created')
)

export const LiftRecordSchema = v.strictObject({ v: v.literal(1), type: v.literal(LIFT_RECORD_TYPE), body: LiftRecordBodySchema, signer: KeySchema, sig: Sig })

export const LiftPromiseSchema = v.strictObject({
  v: v.literal(1),
  type: v.literal(LIFT_PROMISE_TYPE),
  body: v.strictObject({
    lift: IdSchema, record: Nonce, leg: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_LIFT_LEGS - 1)),
    verdict: v.picklist(['promise', 'refuse']), reason: v.optional(Code)
  }),
  signer: KeySchema,
  sig: Sig
})

export const LiftDecisionSchema = v.strictObject({
  v: v.literal(1), type: v.literal('lift-decision'), body: v.strictObject({ lift: IdSchema, outcome: v.picklist(['good', 'void']) }), signer: KeySchema, sig: Sig
})

const Decisions = v.pipe(v.array(LiftDecisionSchema), v.minLength(1), v.maxLength(2 * MAX_REFEREES))
export const Promises = v.pipe(v.array(LiftPromiseSchema), v.maxLength(MAX_LIFT_LEGS))

export const LiftMessageSchema = v.variant('type', [
  v.strictObject({ v: v.literal(1), type: v.literal('promise'), record: LiftRecordSchema, promises: Promises, leg: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_LIFT_LEGS - 1)) }),
  v.strictObject({ v: v.literal(1), type: v.literal('decision'), lift: IdSchema, decisions: Decisions })
])

export const LiftAckSchema = v.strictObject({ v: v.literal(1), ok: v.literal(true) })


export const LIFT_PROTOCOL = '/mychips/lift/1.0.0'
/** A record with 32 legs and 15 referees, plus 32 promises, is well under this. */
export const MAX_LIFT_MESSAGE_BYTES = 64 * 1024

export type LiftAck = v.InferOutput<typeof LiftAckSchema>

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** JSON bytes of a message, refused when larger than `limit`. */
export function encodeJson (message: unknown, limit: number, what: string): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(message))
  if (bytes.byteLength > limit) throw new TooLargeError(bytes.byteLength, limit, what)
  return bytes
}

/** Untrusted bytes → a value of known shape, or a named error (TOO_LARGE, MALFORMED). */
export function decodeJson<T> (schema: v.GenericSchema<unknown, T>, bytes: Uint8Array, limit: number, what: string): T {
  if (bytes.byteLength > limit) throw new TooLargeError(bytes.byteLength, limit, what)
  let json: unknown
  try {
    json = JSON.parse(decoder.decode(bytes))
  } catch {
    throw new MalformedError(`the ${what} is not a JSON document`)
  }
  const r = v.safeParse(schema, json)
  if (!r.success) throw new MalformedError(`malformed ${what}: ${v.summarize(r.issues)}`)
  return r.output
}

export function encodeLiftMessage (message: LiftMessage): Uint8Array {
  return encodeJson(message, MAX_LIFT_MESSAGE_BYTES, 'lift message')
}

export function decodeLiftMessage (bytes: Uint8Array): LiftMessage {
  return decodeJson(LiftMessageSchema, bytes, MAX_LIFT_MESSAGE_BYTES, 'lift message') as LiftMessage
}

export type LiftHandler = (message: LiftMessage, from: PeerLink) => Promise<void>

/** Serves /mychips/lift/1.0.0: decodes and validates every request before the handler sees it. */
export function serveLift (network: Network, handler: LiftHandler): void {
  network.handle(LIFT_PROTOCOL, async (bytes, from) => {
    await handler(decodeLiftMessage(bytes), from)
    return encodeJson({ v: 1, ok: true } satisfies LiftAck, 64, 'lift ack')
  }, { maxRequestBytes: MAX_LIFT_MESSAGE_BYTES })
}

/** Sends one lift message; resolves once the partner acknowledged it (rejects with its named refusal). */
export async function sendLift (network: Network, peerId: string, message: LiftMessage, options: { addrs?: readonly string[] } = {}): Promise<void> {
  const { body } = await network.request(peerId, LIFT_PROTOCOL, encodeLiftMessage(message), { ...options, maxResponseBytes: 1024 })
  decodeJson(LiftAckSchema, body, 1024, 'lift ack')
}
