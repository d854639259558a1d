// /mychips/recovery/1.0.0 — a partner brings a restored device back onto its tallies (docs/protocol.md, Recovery).
//
//   offer    partner → restored device: the fully signed tally documents it shares with that user
//            (the restored device knows nothing; it learns its tallies here) → ok { accepted }
//   history  restored → partner: certificates after seq `after` (a page) → certificates { head, certificates[] }
//   reseat   restored → partner: a re-seat action signed with the user's next chain key → reseated { seq }
//
// Every request carries the sender's device certificate (signed by its user key; its peer id must be the
// connection's). The shape is checked here (valibot, size-limited); the meaning in the recovery service.
import * as v from 'valibot'
import { MalformedError } from '../../../core/errors'
import { IdSchema } from '../../../core/tally/schema'
import type { Network } from '../../net/network'

export const RECOVERY_PROTOCOL = '/mychips/recovery/1.0.0'
/** Like the diary's: a page of certificates stays under this. */
export const MAX_RECOVERY_BYTES = 1024 * 1024
export const MAX_OFFERED_TALLIES = 64
export const MAX_HISTORY_PAGE = 256
const MAX_ADDRS = 8

export type RecoveryRequest =
  | { t: 'offer', cert: unknown, addrs: string[], tallies: Array<{ tally: unknown, role: 'inviter' | 'invitee' }> }
  | { t: 'history', cert: unknown, tally: string, after: number, limit: number }
  | { t: 'reseat', cert: unknown, tally: string, action: unknown }

export type RecoveryResponse =
  | { t: 'ok', accepted: number }
  | { t: 'certificates', head: number, certificates: unknown[] }
  | { t: 'reseated', seq: number }

const Seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const Addrs = v.pipe(v.array(v.pipe(v.string(), v.maxLength(512))), v.maxLength(MAX_ADDRS))

const RequestSchema = v.variant('t', [
  v.strictObject({
    t: v.literal('offer'), cert: v.unknown(), addrs: Addrs,
    tallies: v.pipe(v.array(v.strictObject({ tally: v.unknown(), role: v.picklist(['inviter', 'invitee']) })), v.minLength(1), v.maxLength(MAX_OFFERED_TALLIES))
  }),
  v.strictObject({ t: v.literal('history'), cert: v.unknown(), tally: IdSchema, after: Seq, limit: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_HISTORY_PAGE)) }),
  v.strictObject({ t: v.literal('reseat'), cert: v.unknown(), tally: IdSchema, action: v.unknown() })
])

const ResponseSchema = v.variant('t', [
  v.strictObject({ t: v.literal('ok'), accepted: Seq }),
  v.strictObject({ t: v.literal('certificates'), head: Seq, certificates: v.pipe(v.array(v.unknown()), v.maxLength(MAX_HISTORY_PAGE)) }),
  v.strictObject({ t: v.literal('reseated'), seq: Seq })
])

export function encodeRecovery (msg: RecoveryRequest | RecoveryResponse): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(msg))
}

function decodeJson (bytes: Uint8Array, what: string): unknown {
  if (bytes.byteLength > MAX_RECOVERY_BYTES) throw new MalformedError(`a ${what} has at most ${MAX_RECOVERY_BYTES} bytes`)
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedError(`the ${what} is not a JSON document`)
  }
}

export function decodeRecoveryRequest (bytes: Uint8Array): RecoveryRequest {
  const r = v.safeParse(RequestSchema, decodeJson(bytes, 'recovery request'))
  if (!r.success) throw new MalformedError(`malformed recovery request: ${v.summarize(r.issues)}`)
  return r.output
}

export function decodeRecoveryResponse (bytes: Uint8Array): RecoveryResponse {
  const r = v.safeParse(ResponseSchema, decodeJson(bytes, 'recovery answer'))
  if (!r.success) throw new MalformedError(`malformed recovery answer: ${v.summarize(r.issues)}`)
  return r.output
}

export async function sendRecovery (network: Network, peerId: string, msg: RecoveryRequest, addrs?: readonly string[]): Promise<RecoveryResponse> {
  const res = await network.request(peerId, RECOVERY_PROTOCOL, encodeRecovery(msg), { ...(addrs !== undefined ? { addrs } : {}), maxResponseBytes: MAX_RECOVERY_BYTES })
  return decodeRecoveryResponse(res.body)
}
