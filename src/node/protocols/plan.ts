// /mychips/plan/1.0.0 — the clearing plan between tally partners (docs/lifts.md §10).
//
// One request, one response (JSON), only between the two partners of a tally, named by
// linkNonce(tally, epoch). `join` spreads a plan epoch over the tallies (with the sender's view of the free
// lading both ways, so both ends plan the same capacity); `push` moves planned units over one tally (the
// sender's price with it); `price` tells a partner that the sender's price rose. The answer says whether a
// join or push was taken and carries the receiver's price (and its lading view, for a join). Nothing names a
// user or another tally: a partner learns only the planned units and prices on the tallies it shares.
import * as v from 'valibot'
import { MAX_HOPS, NonceSchema, RouteHopSchema, SessionSchema, decodeLiftJson } from '../../core/lift/schema'
import { KeySchema, MAX_UNITS } from '../../core/tally/schema'
import type { Network, PeerLink } from '../net/network'
import { encodeJson } from './lift'

export const PLAN_PROTOCOL = '/mychips/plan/1.0.0'
/** Every plan message is a few numbers and two hashes (~250 bytes). */
export const MAX_PLAN_MESSAGE_BYTES = 1024
/** Longest plan phase a join may ask for, ms. */
export const MAX_PLAN_MS = 600_000
/** Prices rise by a few units per leg of the longest undo path; far below this. */
export const MAX_PLAN_PRICE = 1_000_000_000

const Int = v.pipe(v.number(), v.safeInteger())
const Units = v.pipe(Int, v.minValue(0), v.maxValue(MAX_UNITS))
const Price = v.pipe(Int, v.minValue(0), v.maxValue(MAX_PLAN_PRICE))
const Ms = v.pipe(Int, v.minValue(0), v.maxValue(MAX_PLAN_MS))

export const PlanMessageSchema = v.variant('t', [
  v.strictObject({
    v: v.literal(1),
    t: v.literal('join'),
    epoch: SessionSchema,
    link: NonceSchema,
    /** Time until the partners start pushing, ms (as the sender counts it). */
    startInMs: Ms,
    /** How long they push, ms. */
    planMs: Ms,
    /** The sender's free lading giving to the receiver, and receiving from it (0: no edge that way). */
    give: Units,
    take: Units
  }),
  v.strictObject({
    v: v.literal(1),
    t: v.literal('push'),
    epoch: SessionSchema,
    link: NonceSchema,
    /** Change of the planned units on the tally's edge, + when its giver is to give more. */
    delta: v.pipe(Int, v.minValue(-MAX_UNITS), v.maxValue(MAX_UNITS), v.check(d => d !== 0, 'a push moves some units')),
    price: Price
  }),
  v.strictObject({ v: v.literal(1), t: v.literal('price'), epoch: SessionSchema, link: NonceSchema, price: Price })
])
export type PlanMessage = v.InferOutput<typeof PlanMessageSchema>

export const PlanAnswerSchema = v.strictObject({
  v: v.literal(1),
  /** The join or push was taken (a price note is always taken). */
  ok: v.boolean(),
  price: Price,
  /** A join's answer: the receiver's free lading giving to the sender, and receiving from it. */
  give: v.optional(Units),
  take: v.optional(Units)
})
export type PlanAnswer = v.InferOutput<typeof PlanAnswerSchema>

export function encodePlanMessage (m: PlanMessage): Uint8Array { return encodeJson(m, MAX_PLAN_MESSAGE_BYTES, 'plan message') }

export function decodePlanMessage (bytes: Uint8Array): PlanMessage {
  return decodeLiftJson(bytes, PlanMessageSchema, 'plan message', MAX_PLAN_MESSAGE_BYTES)
}

export function decodePlanAnswer (bytes: Uint8Array): PlanAnswer {
  return decodeLiftJson(bytes, PlanAnswerSchema, 'plan answer', MAX_PLAN_MESSAGE_BYTES)
}

export type PlanHandler = (message: PlanMessage, from: PeerLink) => Promise<PlanAnswer>

/** Serves /mychips/plan/1.0.0: every message is decoded and validated before the handler sees it. */
export function servePlan (network: Network, handler: PlanHandler): void {
  network.handle(PLAN_PROTOCOL, async (bytes, from) => encodeJson(await handler(decodePlanMessage(bytes), from), MAX_PLAN_MESSAGE_BYTES, 'plan answer'), {
    maxRequestBytes: MAX_PLAN_MESSAGE_BYTES
  })
}

export function unservePlan (network: Network): void {
  network.unhandle(PLAN_PROTOCOL)
}

/** Sends one plan message; resolves with the partner's validated answer (rejects with its named refusal). */
export async function sendPlan (network: Network, peerId: string, message: PlanMessage, options: { signal?: AbortSignal, addrs?: readonly string[] } = {}): Promise<PlanAnswer> {
  const { body } = await network.request(peerId, PLAN_PROTOCOL, encodePlanMessage(message), { ...options, maxResponseBytes: MAX_PLAN_MESSAGE_BYTES })
  return decodePlanAnswer(body)
}

// ---- /mychips/plan-walk/1.0.0: lifting the plan's cycles ----
//
// Once a plan is frozen, its planned units form (nearly) a circulation, and a walk that follows planned
// units from node to node finds its cycles without any search: a node that has planned units coming in has
// planned units going out. A walk carries the route so far (hops with the receivers' session keys, as a
// discovery answer would); the receiver completes the arriving hop with its own key, and when its key is
// already on the route (or is the walk's origin) it cuts the loop off as a circular lift of its own and
// walks on with the route before the loop. The request is acknowledged at once; nothing comes back.

export const PLAN_WALK_PROTOCOL = '/mychips/plan-walk/1.0.0'
/** MAX_HOPS hops of ~150 bytes and a few fields. */
export const MAX_PLAN_WALK_BYTES = 16 * 1024

export const PlanWalkSchema = v.strictObject({
  v: v.literal(1),
  t: v.literal('walk'),
  /** The discovery session the route's keys and links belong to (the walk's starter made it). */
  session: SessionSchema,
  /** Session key of the node the route starts at (the giver of the first hop). */
  origin: KeySchema,
  /** The route so far, up to the sender (every hop's key is its receiver's). */
  hops: v.pipe(v.array(RouteHopSchema), v.maxLength(MAX_HOPS)),
  /** The hop to the receiver, without its key: linkNonce(tally, session), the sender's planned units on it, its clutch. */
  next: v.strictObject({ link: NonceSchema, free: Units, clutch: v.pipe(Int, v.minValue(-1_000_000), v.maxValue(1_000_000)) }),
  /** Hops the walk may still take. */
  ttl: v.pipe(Int, v.minValue(0), v.maxValue(4 * MAX_HOPS))
})
export type PlanWalk = v.InferOutput<typeof PlanWalkSchema>

/** A walk ended short of closing a loop: the nodes before it release what they hold for it, back to its start. */
export const PlanWalkEndSchema = v.strictObject({ v: v.literal(1), t: v.literal('end'), session: SessionSchema, link: NonceSchema })
export type PlanWalkEnd = v.InferOutput<typeof PlanWalkEndSchema>

/**
 * Before a loop is lifted, its originator sends `reserve` around it: each node holds what planned units it
 * still has on its leg (at most `units`) and passes the smaller figure on, so the lift that follows carries
 * what every leg has kept for it and no concurrent loop takes it meanwhile. `at`: the hop the message came over.
 */
export const PlanReserveSchema = v.strictObject({
  v: v.literal(1),
  t: v.literal('reserve'),
  session: SessionSchema,
  hops: v.pipe(v.array(RouteHopSchema), v.minLength(2), v.maxLength(MAX_HOPS)),
  at: v.pipe(Int, v.minValue(0), v.maxValue(MAX_HOPS - 1)),
  units: Units,
  /**
   * A leg had too little left: the reservation is given back instead, all the way round (through the
   * originator) to the node that fell short, which received it over hop `release`.
   */
  release: v.optional(v.pipe(Int, v.minValue(0), v.maxValue(MAX_HOPS - 1)))
})
export type PlanReserve = v.InferOutput<typeof PlanReserveSchema>

const PlanWalkMessageSchema = v.variant('t', [PlanWalkSchema, PlanWalkEndSchema, PlanReserveSchema])
export type PlanWalkMessage = PlanWalk | PlanWalkEnd | PlanReserve

const WalkAckSchema = v.strictObject({ v: v.literal(1) })

export function decodePlanWalk (bytes: Uint8Array): PlanWalkMessage {
  return decodeLiftJson(bytes, PlanWalkMessageSchema, 'plan walk', MAX_PLAN_WALK_BYTES)
}

/** Serves /mychips/plan-walk/1.0.0 (the handler runs after the acknowledgement is sent). */
export function servePlanWalk (network: Network, handler: (walk: PlanWalkMessage, from: PeerLink) => void): void {
  network.handle(PLAN_WALK_PROTOCOL, async (bytes, from) => {
    const walk = decodePlanWalk(bytes)
    handler(walk, from)
    return encodeJson({ v: 1 }, 64, 'plan walk ack')
  }, { maxRequestBytes: MAX_PLAN_WALK_BYTES })
}

export function unservePlanWalk (network: Network): void {
  network.unhandle(PLAN_WALK_PROTOCOL)
}

export async function sendPlanWalk (network: Network, peerId: string, walk: PlanWalkMessage, options: { addrs?: readonly string[] } = {}): Promise<void> {
  const { body } = await network.request(peerId, PLAN_WALK_PROTOCOL, encodeJson(walk, MAX_PLAN_WALK_BYTES, 'plan walk'), { ...options, maxResponseBytes: 64 })
  decodeLiftJson(body, WalkAckSchema, 'plan walk ack', 64)
}
