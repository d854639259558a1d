// /mychips/route/1.0.0 — distributed route discovery between tally partners (docs/lifts.md §4).
//
// One request, one response (JSON). The request is a RouteQuery sent by a node W to its partner X over a
// tally on which W can give to X; the response is X's RouteAnswer (its session key and the routes it found
// from itself to the target). Both are size-capped and checked against the core schemas
// (src/core/lift/schema.ts) here, so garbage never reaches the route service. Neither carries a user id:
// the target is a per-session token, tallies are per-session link nonces and nodes per-session keys.
//
// Depth: the originator sends depth = its route limit (maxDepth legs); a receiver of depth d that is not the
// target forwards with d − 1 only when d > 1, so it answers routes of at most d − 1 legs from itself and a
// route never has more than maxDepth legs. Budget: each hop forwards budgetMs − perHopMs and answers by its
// own budget (less a margin), so answers reach each sender before its own deadline when a round trip is
// shorter than perHopMs.
import type { RouteAnswer, RouteQuery } from '../../core/lift/types'
import { RouteAnswerSchema, RouteQuerySchema, decodeLiftJson } from '../../core/lift/schema'
import { TooLargeError } from '../../core/errors'
import type { Network, PeerLink } from '../net/network'

export const ROUTE_PROTOCOL = '/mychips/route/1.0.0'
/** A query is a few hashes and numbers (~350 bytes); anything near this is not a query. */
export const MAX_ROUTE_QUERY_BYTES = 2 * 1024
/** MAX_PLANS plans of MAX_HOPS hops of ~150 bytes each fit in ~40 KiB. */
export const MAX_ROUTE_ANSWER_BYTES = 48 * 1024

const encoder = new TextEncoder()

function encode (message: RouteQuery | RouteAnswer, limit: number, what: string): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(message))
  if (bytes.byteLength > limit) throw new TooLargeError(bytes.byteLength, limit, what)
  return bytes
}

export function encodeRouteQuery (query: RouteQuery): Uint8Array {
  return encode(query, MAX_ROUTE_QUERY_BYTES, 'route query')
}

export function encodeRouteAnswer (answer: RouteAnswer): Uint8Array {
  return encode(answer, MAX_ROUTE_ANSWER_BYTES, 'route answer')
}

/** Untrusted bytes → a RouteQuery of known shape. Throws TooLargeError / MalformedError. */
export function decodeRouteQuery (bytes: Uint8Array): RouteQuery {
  return decodeLiftJson(bytes, RouteQuerySchema, 'route query', MAX_ROUTE_QUERY_BYTES)
}

/** Untrusted bytes → a RouteAnswer of known shape. Throws TooLargeError / MalformedError. */
export function decodeRouteAnswer (bytes: Uint8Array): RouteAnswer {
  return decodeLiftJson(bytes, RouteAnswerSchema, 'route answer', MAX_ROUTE_ANSWER_BYTES)
}

export type RouteHandler = (query: RouteQuery, from: PeerLink) => Promise<RouteAnswer>

/** Serves /mychips/route/1.0.0: every query is decoded and validated before the handler sees it. */
export function serveRoute (network: Network, handler: RouteHandler): void {
  network.handle(ROUTE_PROTOCOL, async (bytes, from) => encodeRouteAnswer(await handler(decodeRouteQuery(bytes), from)), {
    maxRequestBytes: MAX_ROUTE_QUERY_BYTES
  })
}

export function unserveRoute (network: Network): void {
  network.unhandle(ROUTE_PROTOCOL)
}

/** Sends one query; resolves with the partner's validated answer (rejects with its named refusal). */
export async function askRoute (
  network: Network, peerId: string, query: RouteQuery, options: { signal?: AbortSignal, addrs?: readonly string[] } = {}
): Promise<RouteAnswer> {
  const { body } = await network.request(peerId, ROUTE_PROTOCOL, encodeRouteQuery(query), {
    ...options, maxResponseBytes: MAX_ROUTE_ANSWER_BYTES
  })
  return decodeRouteAnswer(body)
}
