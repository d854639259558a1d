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
import * as v from 'valibot'
import type { RouteAnswer, RouteQuery } from '../../core/lift/types'
import { MAX_BUDGET_MS, MAX_HOPS, NonceSchema, RouteAnswerSchema, RouteQuerySchema, SessionSchema, decodeLiftJson } from '../../core/lift/schema'
import { UnitsSchema } from '../../core/tally/schema'
import { TooLargeError } from '../../core/errors'
import type { Network, PeerLink } from '../net/network'

export const ROUTE_PROTOCOL = '/mychips/route/1.0.0'
/** A query is a few hashes and numbers (~350 bytes); anything near this is not a query. */
export const MAX_ROUTE_QUERY_BYTES = 2 * 1024
/** MAX_PLANS plans of MAX_HOPS hops of ~150 bytes each fit in ~160 KiB. */
export const MAX_ROUTE_ANSWER_BYTES = 192 * 1024

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

// ---- /mychips/route-mark/1.0.0: the marks of a circular discovery ----
//
// Before its circular query goes out, the originator marks the nodes that can reach it in a few legs: it
// sends a RouteMark with `dist` 0 to each partner that can give to it (free lading ≥ units, clutch ≤ 0), over
// their tally; a node at distance d ≤ CIRCULAR_MARK_RADIUS from the originator sends marks with `dist` d to
// each partner that can give to it, and so on. Every node thus learns, for each partner it can give to in the
// session, how many legs that partner is from the originator (when within the radius). A query's sender then
// asks only partners that can close the cycle within the depth left (docs/lifts.md §4), so a deep circular
// search costs a shallow flood forward plus a shallow flood backward. A mark is answered (an empty ack) once
// the marks it caused were answered, so the originator knows when marking is done.

export const ROUTE_MARK_PROTOCOL = '/mychips/route-mark/1.0.0'
/** A mark is a session, a nonce and three numbers (~200 bytes). */
export const MAX_ROUTE_MARK_BYTES = 1024

/** The receiver can give to the sender on the tally `link` names; the sender is `dist` legs from the circular originator. */
export interface RouteMark {
  v: 1
  session: string
  /** Least free lading on every edge of the session. */
  units: number
  /** Legs from the sender to the originator (0: the sender is the originator). */
  dist: number
  /** Time the receiver has to pass the mark on and answer, ms. */
  budgetMs: number
  /** linkNonce(tally, session) of the tally the mark came over. */
  link: string
}

export const RouteMarkSchema = v.strictObject({
  v: v.literal(1),
  session: SessionSchema,
  units: UnitsSchema,
  dist: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_HOPS)),
  budgetMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_BUDGET_MS)),
  link: NonceSchema
})

const MarkAckSchema = v.strictObject({ v: v.literal(1) })
const MARK_ACK = encoder.encode(JSON.stringify({ v: 1 }))

export function encodeRouteMark (mark: RouteMark): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(mark))
  if (bytes.byteLength > MAX_ROUTE_MARK_BYTES) throw new TooLargeError(bytes.byteLength, MAX_ROUTE_MARK_BYTES, 'route mark')
  return bytes
}

/** Untrusted bytes → a RouteMark of known shape. Throws TooLargeError / MalformedError. */
export function decodeRouteMark (bytes: Uint8Array): RouteMark {
  return decodeLiftJson(bytes, RouteMarkSchema, 'route mark', MAX_ROUTE_MARK_BYTES)
}

export type RouteMarkHandler = (mark: RouteMark, from: PeerLink) => Promise<void>

/** Serves /mychips/route-mark/1.0.0: every mark is decoded and validated before the handler sees it. */
export function serveRouteMark (network: Network, handler: RouteMarkHandler): void {
  network.handle(ROUTE_MARK_PROTOCOL, async (bytes, from) => {
    await handler(decodeRouteMark(bytes), from)
    return MARK_ACK
  }, { maxRequestBytes: MAX_ROUTE_MARK_BYTES })
}

export function unserveRouteMark (network: Network): void {
  network.unhandle(ROUTE_MARK_PROTOCOL)
}

/** Sends one mark; resolves once the partner passed it on and answered (rejects with its named refusal). */
export async function sendRouteMark (
  network: Network, peerId: string, mark: RouteMark, options: { signal?: AbortSignal, addrs?: readonly string[] } = {}
): Promise<void> {
  const { body } = await network.request(peerId, ROUTE_MARK_PROTOCOL, encodeRouteMark(mark), { ...options, maxResponseBytes: 64 })
  decodeLiftJson(body, MarkAckSchema, 'route mark answer', 64)
}
