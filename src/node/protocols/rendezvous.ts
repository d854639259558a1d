// /mychips/rendezvous/1.0.0 — where a user's devices can be found (served by the relay, relay/p2p/rendezvous.ts).
//
// A node publishes a presence record signed by its USER key: { userId, peerId, addrs, deviceCert, time }. The
// relay keeps the latest record per (user, device), a few devices per user, and drops them after a TTL.
// Anyone may look records up by user id; partners "watch" a set of user ids by polling with a cursor (`since`,
// relay clock): each poll returns only what changed. The relay cannot forge a record (user-signed, and the
// device certificate inside is user-signed too) and every reader verifies each record itself.
//
// Requests:  publish { record }            → ok { at }
//            lookup  { users[], since? }   → records { records[], now }
import * as v from 'valibot'
import type { SignatureProvider } from '../../core/crypto/provider'
import { signEnvelope, verifyEnvelope, type Signed } from '../../core/codec/envelope'
import { ChipsError, MalformedError } from '../../core/errors'
import { UserIdSchema } from '../../core/keys/user'
import { verifyDeviceCertificate, type DeviceCertificate } from '../../core/keys/device'
import type { Network } from '../net/network'

export const RENDEZVOUS_PROTOCOL = '/mychips/rendezvous/1.0.0'
export const PRESENCE_TYPE = 'presence'
/** A record is a few hundred bytes; a lookup answer holds at most MAX_LOOKUP_USERS × MAX_DEVICES_PER_USER of them. */
export const MAX_PRESENCE_BYTES = 4 * 1024
export const MAX_PRESENCE_ADDRS = 8
export const MAX_ADDR_CHARS = 512
export const MAX_LOOKUP_USERS = 64
export const MAX_DEVICES_PER_USER = 4
export const MAX_RENDEZVOUS_REQUEST_BYTES = 64 * 1024
export const MAX_RENDEZVOUS_RESPONSE_BYTES = MAX_LOOKUP_USERS * MAX_DEVICES_PER_USER * MAX_PRESENCE_BYTES + 4096

export interface PresenceBody {
  userId: string
  /** The device (libp2p peer id) this record points at. */
  peerId: string
  /** Where to dial it (relay circuit and /webrtc addresses). */
  addrs: string[]
  /** The user key's certificate for this device (its peerId must be the record's). */
  deviceCert: DeviceCertificate
  /** ms since epoch (publisher's clock): a newer record of the same device replaces an older one. */
  time: number
}
export type PresenceRecord = Signed<PresenceBody>

const Addr = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ADDR_CHARS))
export const PresenceBodySchema = v.strictObject({
  userId: UserIdSchema,
  peerId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  addrs: v.pipe(v.array(Addr), v.maxLength(MAX_PRESENCE_ADDRS)),
  deviceCert: v.unknown(),
  time: v.pipe(v.number(), v.safeInteger(), v.minValue(0))
})

/** The presence record does not hold together (device certificate of another user or device). */
export class InvalidPresenceError extends ChipsError {
  constructor (message: string) { super('INVALID_PRESENCE', message) }
}

export async function signPresence (p: SignatureProvider, userSecret: Uint8Array, body: PresenceBody): Promise<PresenceRecord> {
  return await signEnvelope(p, userSecret, PRESENCE_TYPE, body)
}

/**
 * Verifies an untrusted presence record: size, shape, signed by the user key it names, and carrying a valid
 * device certificate of that user for that peer id. Returns the checked record. Throws a named error.
 */
export async function verifyPresence (p: SignatureProvider, raw: unknown): Promise<PresenceRecord> {
  if (JSON.stringify(raw ?? null).length > MAX_PRESENCE_BYTES) throw new MalformedError(`a presence record has at most ${MAX_PRESENCE_BYTES} bytes`)
  const pre = v.safeParse(v.object({ body: v.object({ userId: UserIdSchema }) }), raw)
  if (!pre.success) throw new MalformedError(`presence record: ${v.summarize(pre.issues)}`)
  const env = await verifyEnvelope<unknown>(p, raw, { type: PRESENCE_TYPE, signer: pre.output.body.userId })
  const body = v.safeParse(PresenceBodySchema, env.body)
  if (!body.success) throw new MalformedError(`presence record: ${v.summarize(body.issues)}`)
  const cert = await verifyDeviceCertificate(p, body.output.deviceCert)
  if (cert.userId !== body.output.userId) throw new InvalidPresenceError('the device certificate belongs to another user')
  if (cert.peerId !== body.output.peerId) throw new InvalidPresenceError('the device certificate names another device')
  return { ...env, body: { ...body.output, deviceCert: body.output.deviceCert as DeviceCertificate } }
}

// ---- messages ----

export type RendezvousRequest =
  | { t: 'publish', record: unknown }
  | { t: 'lookup', users: string[], since?: number }

export type RendezvousResponse =
  | { t: 'ok', at: number }
  | { t: 'records', records: unknown[], now: number }

const Time = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const RequestSchema = v.variant('t', [
  v.strictObject({ t: v.literal('publish'), record: v.unknown() }),
  v.strictObject({ t: v.literal('lookup'), users: v.pipe(v.array(UserIdSchema), v.minLength(1), v.maxLength(MAX_LOOKUP_USERS)), since: v.optional(Time) })
])
const ResponseSchema = v.variant('t', [
  v.strictObject({ t: v.literal('ok'), at: Time }),
  v.strictObject({ t: v.literal('records'), records: v.pipe(v.array(v.unknown()), v.maxLength(MAX_LOOKUP_USERS * MAX_DEVICES_PER_USER)), now: Time })
])

export function encodeRendezvous (msg: RendezvousRequest | RendezvousResponse): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(msg))
}

function decodeJson (bytes: Uint8Array, limit: number, what: string): unknown {
  if (bytes.byteLength > limit) throw new MalformedError(`a ${what} has at most ${limit} bytes`)
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedError(`the ${what} is not a JSON document`)
  }
}

export function decodeRendezvousRequest (bytes: Uint8Array): RendezvousRequest {
  const r = v.safeParse(RequestSchema, decodeJson(bytes, MAX_RENDEZVOUS_REQUEST_BYTES, 'rendezvous request'))
  if (!r.success) throw new MalformedError(`malformed rendezvous request: ${v.summarize(r.issues)}`)
  return r.output
}

export function decodeRendezvousResponse (bytes: Uint8Array): RendezvousResponse {
  const r = v.safeParse(ResponseSchema, decodeJson(bytes, MAX_RENDEZVOUS_RESPONSE_BYTES, 'rendezvous answer'))
  if (!r.success) throw new MalformedError(`malformed rendezvous answer: ${v.summarize(r.issues)}`)
  return r.output
}

// ---- client ----

export async function publishPresence (network: Network, relay: string, record: PresenceRecord): Promise<number> {
  const res = await network.request(relay, RENDEZVOUS_PROTOCOL, encodeRendezvous({ t: 'publish', record }), { maxResponseBytes: 1024 })
  const msg = decodeRendezvousResponse(res.body)
  if (msg.t !== 'ok') throw new MalformedError('the relay answered a publish with records')
  return msg.at
}

/**
 * Looks up the records of `users` changed at or after `since` (relay clock; omit for all). Every record is
 * verified here; one that does not verify (a relay that lies) is dropped and counted in `refused`.
 */
export async function lookupPresence (p: SignatureProvider, network: Network, relay: string, users: readonly string[], since?: number): Promise<{ records: PresenceRecord[], now: number, refused: number }> {
  const asked = new Set(users)
  const res = await network.request(relay, RENDEZVOUS_PROTOCOL, encodeRendezvous({ t: 'lookup', users: [...users], ...(since !== undefined ? { since } : {}) }), { maxResponseBytes: MAX_RENDEZVOUS_RESPONSE_BYTES })
  const msg = decodeRendezvousResponse(res.body)
  if (msg.t !== 'records') throw new MalformedError('the relay answered a lookup with ok')
  const records: PresenceRecord[] = []
  let refused = 0
  for (const raw of msg.records) {
    try {
      const rec = await verifyPresence(p, raw)
      if (asked.has(rec.body.userId)) records.push(rec)
      else refused++
    } catch {
      refused++
    }
  }
  return { records, now: msg.now, refused }
}
