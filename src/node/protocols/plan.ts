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
import { MAX_UNITS } from '../../core/tally/schema'
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
// planned units going out. A walk is small: the route so far is kept by the nodes on it (each remembers,
// per visit, where the walk came from and went on), and the message carries only each route node's visit
// number and the planned units on the edge it left over. A node that finds one of its own visits on the
// route cuts the loop off: it sends `reserve` round the loop, which every node completes with its hop (link,
// session key) and holds its leg for, and lifts the loop when the reservation is back. The request is
// acknowledged at once; nothing comes back.

export const PLAN_WALK_PROTOCOL = '/mychips/plan-walk/1.0.0'
/** A reservation carries up to MAX_HOPS hops of ~150 bytes and a few fields; a walk ~20 bytes per route node. */
export const MAX_PLAN_WALK_BYTES = 16 * 1024
/** Steps one walk may take in all (its visits are numbered 0, 1, …). */
export const MAX_WALK_STEPS = 4 * MAX_HOPS

const Step = v.pipe(Int, v.minValue(0), v.maxValue(MAX_WALK_STEPS))
const increasing = (steps: readonly number[]): boolean => steps.every((s, i) => i === 0 || s > steps[i - 1]!)

export const PlanWalkSchema = v.strictObject({
  v: v.literal(1),
  t: v.literal('walk'),
  /** The discovery session the loops' keys and links will belong to (the walk's starter made it). */
  session: SessionSchema,
  /** The tally the walk arrives over: linkNonce(tally, session). */
  link: NonceSchema,
  /** The receiver's visit number (the walk's steps so far). */
  step: v.pipe(Step, v.minValue(1)),
  /** The route up to the sender: per node, its visit number and the planned units it left over (its out-edge). */
  route: v.pipe(v.array(v.tuple([Step, Units])), v.minLength(1), v.maxLength(MAX_HOPS), v.check(r => increasing(r.map(e => e[0])), 'visits are in order')),
  /** The sender's clutch on the arriving tally (a loop's hop carries it). */
  clutch: v.pipe(Int, v.minValue(-1_000_000), v.maxValue(1_000_000))
})
export type PlanWalk = v.InferOutput<typeof PlanWalkSchema>

const ArrivingHop = v.strictObject({ link: NonceSchema, free: Units, clutch: v.pipe(Int, v.minValue(-1_000_000), v.maxValue(1_000_000)) })

/**
 * Before a loop is lifted, its originator sends `reserve` round it: each node completes the hop it arrived
 * over with its session key, holds what planned units it still has on its leg (at most `units`), and passes
 * the smaller figure on, so the lift that follows carries what every leg kept for it and no concurrent loop
 * takes it meanwhile. `steps`: the visit numbers of the loop's nodes in order, the originator's last;
 * `hops`: the loop's legs completed so far; `next`: the leg the message arrives over (leg `hops.length`).
 */
export const PlanReserveSchema = v.pipe(v.strictObject({
  v: v.literal(1),
  t: v.literal('reserve'),
  session: SessionSchema,
  steps: v.pipe(v.array(Step), v.minLength(2), v.maxLength(MAX_HOPS)),
  hops: v.pipe(v.array(RouteHopSchema), v.maxLength(MAX_HOPS - 1)),
  next: ArrivingHop,
  units: Units
}), v.check(r => r.hops.length < r.steps.length, 'a reservation arrives over one of its legs'))
export type PlanReserve = v.InferOutput<typeof PlanReserveSchema>

/**
 * A leg of a reservation had too little left: the reservation is given back, backward over the legs that hold
 * for it. `link` names the leg the receiver gives on (and releases); `steps` the visit numbers of the loop's
 * nodes before the receiver (empty: the receiver is the loop's originator, where the release stops).
 */
export const PlanReleaseSchema = v.strictObject({
  v: v.literal(1),
  t: v.literal('release'),
  session: SessionSchema,
  link: NonceSchema,
  steps: v.pipe(v.array(Step), v.maxLength(MAX_HOPS))
})
export type PlanRelease = v.InferOutput<typeof PlanReleaseSchema>

const PlanWalkMessageSchema = v.variant('t', [PlanWalkSchema, PlanReserveSchema, PlanReleaseSchema])
export type PlanWalkMessage = PlanWalk | PlanReserve | PlanRelease

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
