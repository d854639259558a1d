// /mychips/referee/1.0.0 — a lift's participants ask its referees for the decision (docs/lifts.md §5).
//
// Requests: `call` (the terminus: the record and a promise for every leg), `refuse` (a participant's signed
// refusal) and `query` (anyone holding the record). The answer is the referee's signed decision, or
// `pending` while it has none. A referee persists its decision before it answers.
import * as v from 'valibot'
import type { RefereeAnswer, RefereeRequest } from '../../core/lift/types'
import type { Network, PeerLink } from '../net/network'
import { decodeJson, encodeJson, LiftDecisionSchema, LiftPromiseSchema, LiftRecordSchema, MAX_LIFT_MESSAGE_BYTES, Promises } from './lift'

export const REFEREE_PROTOCOL = '/mychips/referee/1.0.0'
export const MAX_REFEREE_ANSWER_BYTES = 4 * 1024

export const RefereeRequestSchema = v.variant('type', [
  v.strictObject({ v: v.literal(1), type: v.literal('call'), record: LiftRecordSchema, promises: Promises }),
  v.strictObject({ v: v.literal(1), type: v.literal('refuse'), record: LiftRecordSchema, refusal: LiftPromiseSchema }),
  v.strictObject({ v: v.literal(1), type: v.literal('query'), record: LiftRecordSchema })
])

export const RefereeAnswerSchema = v.variant('status', [
  v.strictObject({ v: v.literal(1), status: v.literal('pending') }),
  v.strictObject({ v: v.literal(1), status: v.literal('decided'), decision: LiftDecisionSchema })
])

export function encodeRefereeRequest (request: RefereeRequest): Uint8Array {
  return encodeJson(request, MAX_LIFT_MESSAGE_BYTES, 'referee request')
}

export function decodeRefereeRequest (bytes: Uint8Array): RefereeRequest {
  return decodeJson(RefereeRequestSchema, bytes, MAX_LIFT_MESSAGE_BYTES, 'referee request') as RefereeRequest
}

export function decodeRefereeAnswer (bytes: Uint8Array): RefereeAnswer {
  return decodeJson(RefereeAnswerSchema, bytes, MAX_REFEREE_ANSWER_BYTES, 'referee answer') as RefereeAnswer
}

export type RefereeHandler = (request: RefereeRequest, from: PeerLink) => Promise<RefereeAnswer>

export function serveReferee (network: Network, handler: RefereeHandler): void {
  network.handle(REFEREE_PROTOCOL, async (bytes, from) => encodeJson(await handler(decodeRefereeRequest(bytes), from), MAX_REFEREE_ANSWER_BYTES, 'referee answer'),
    { maxRequestBytes: MAX_LIFT_MESSAGE_BYTES })
}

export async function askReferee (network: Network, peerId: string, request: RefereeRequest, options: { addrs?: readonly string[] } = {}): Promise<RefereeAnswer> {
  const { body } = await network.request(peerId, REFEREE_PROTOCOL, encodeRefereeRequest(request), { ...options, maxResponseBytes: MAX_REFEREE_ANSWER_BYTES })
  return decodeRefereeAnswer(body)
}
