// /mychips/referee/1.0.0 — a lift's participants ask its referees for the decision (docs/lifts.md §5).
//
// Requests (core/lift/schema RefereeRequestSchema): `call` (the terminus: the record and a promise for
// every leg), `refuse` (a participant's signed refusal) and `query` (anyone holding the record). The answer
// is the referee's signed decision, or `pending` while it has none. A referee persists its decision before
// it answers (services/lifts/referee-service.ts).
import { decodeLiftJson, MAX_LIFT_MESSAGE_BYTES, RefereeAnswerSchema, RefereeRequestSchema } from '../../core/lift/schema'
import type { RefereeAnswer, RefereeRequest } from '../../core/lift/types'
import type { Network, PeerLink } from '../net/network'
import { encodeJson } from './lift'

export const REFEREE_PROTOCOL = '/mychips/referee/1.0.0'
/** A signed decision and its wrapping. */
export const MAX_REFEREE_ANSWER_BYTES = 4 * 1024

export function encodeRefereeRequest (request: RefereeRequest): Uint8Array {
  return encodeJson(request, MAX_LIFT_MESSAGE_BYTES, 'referee request')
}

export function decodeRefereeRequest (bytes: Uint8Array): RefereeRequest {
  return decodeLiftJson(bytes, RefereeRequestSchema, 'referee request') as RefereeRequest
}

export function decodeRefereeAnswer (bytes: Uint8Array): RefereeAnswer {
  return decodeLiftJson(bytes, RefereeAnswerSchema, 'referee answer', MAX_REFEREE_ANSWER_BYTES) as RefereeAnswer
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
