// valibot schemas for every lift record and message crossing the network (./types.ts), with bounded sizes,
// and the helpers that parse untrusted values into them. Shape only: signatures and the rules that relate
// fields to each other live in record.ts, promise.ts and referee.ts.
import * as v from 'valibot'
import { LiftDecisionBodySchema, MAX_REFEREES } from '../chit/types'
import { MalformedError, TooLargeError } from '../errors'
import { HashSchema, IdSchema, KeySchema, MAX_UNITS, PPM, UnitsSchema } from '../tally/schema'
import { LIFT_DECISION_TYPE } from '../chit/types'
import { LIFT_PROMISE_TYPE, LIFT_RECORD_TYPE } from './types'
import type {
  FraudProof, LiftMessage, LiftPromiseBody, LiftRecordBody, RefereeAnswer, RefereeRequest, RouteAnswer, RoutePlan, RouteQuery
} from './types'

/** Most legs in a lift, hops in a plan, and the deepest discovery (planned clearing cycles reach ~60 legs at 1,000 users: docs/lifts.md §10). */
export const MAX_HOPS = 64
/** Most plans one route answer carries. */
export const MAX_PLANS = 16
/** Most decisions one message carries (every referee twice: room for a fraud proof, as the tally machine allows). */
export const MAX_DECISIONS = 2 * MAX_REFEREES + 1
/** Longest discovery budget a query may ask for, ms. */
export const MAX_BUDGET_MS = 600_000
/** Upper bound on the JSON of any lift protocol message. */
export const MAX_LIFT_MESSAGE_BYTES = 256 * 1024

const Int = v.pipe(v.number(), v.safeInteger())
const Time = v.pipe(Int, v.minValue(0))
/** 32 random bytes, base64url. */
export const SessionSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'a session is 43 base64url characters'))
/** linkNonce / targetToken: a sha256, base64url. */
export const NonceSchema = HashSchema
const Kind = v.picklist(['circular', 'linear'])
const Free = v.pipe(Int, v.minValue(0), v.maxValue(MAX_UNITS))
const Clutch = v.pipe(Int, v.minValue(-PPM), v.maxValue(PPM))
const SigSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{86}$/, 'a signature is 86 base64url characters'))
const CodeSchema = v.pipe(v.string(), v.regex(/^[A-Z0-9_]{1,64}$/, 'a reason is an error code'))

/** A signed envelope of `type` whose body has the given shape. */
export function signedSchema<const T extends string, S extends v.GenericSchema> (type: T, body: S) {
  return v.strictObject({ v: v.literal(1), type: v.literal(type), body, signer: KeySchema, sig: SigSchema })
}

// ---- discovery ----

export const RouteTargetSchema = v.strictObject({ kind: Kind, token: NonceSchema })

export const RouteQuerySchema = v.strictObject({
  v: v.literal(1),
  session: SessionSchema,
  target: RouteTargetSchema,
  units: UnitsSchema,
  depth: v.pipe(Int, v.minValue(1), v.maxValue(MAX_HOPS)),
  budgetMs: v.pipe(Int, v.minValue(0), v.maxValue(MAX_BUDGET_MS)),
  link: NonceSchema
})

export const RouteHopSchema = v.strictObject({ link: NonceSchema, key: KeySchema, free: Free, clutch: Clutch })
export const RoutePlanSchema = v.strictObject({ hops: v.pipe(v.array(RouteHopSchema), v.maxLength(MAX_HOPS)) })

export const RouteAnswerSchema = v.strictObject({
  v: v.literal(1),
  key: KeySchema,
  target: v.optional(v.literal(true)),
  plans: v.pipe(v.array(RoutePlanSchema), v.maxLength(MAX_PLANS))
})

// ---- execution ----

const distinct = <T>(f: (x: T) => string) => (xs: T[]): boolean => new Set(xs.map(f)).size === xs.length

export const RefereeRefSchema = v.strictObject({
  key: KeySchema,
  peer: v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{16,128}$/, 'a peer id is 16–128 alphanumeric characters')),
  addrs: v.optional(v.pipe(v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(256))), v.maxLength(8)))
})

export const LiftLegSchema = v.strictObject({ link: NonceSchema, units: UnitsSchema, key: KeySchema })

export const LiftRecordBodySchema = v.strictObject({
  id: IdSchema,
  session: SessionSchema,
  kind: Kind,
  origin: KeySchema,
  legs: v.pipe(v.array(LiftLegSchema), v.minLength(1), v.maxLength(MAX_HOPS)),
  referees: v.pipe(
    v.array(RefereeRefSchema), v.minLength(1), v.maxLength(MAX_REFEREES),
    v.check(distinct(r => r.key), 'a referee is named twice')
  ),
  expires: Time,
  created: Time
})

export const LiftRecordSchema = signedSchema(LIFT_RECORD_TYPE, LiftRecordBodySchema)

export const LiftPromiseBodySchema = v.strictObject({
  lift: IdSchema,
  record: HashSchema,
  leg: v.pipe(Int, v.minValue(0), v.maxValue(MAX_HOPS - 1)),
  verdict: v.picklist(['promise', 'refuse']),
  reason: v.optional(CodeSchema)
})

export const LiftPromiseSchema = signedSchema(LIFT_PROMISE_TYPE, LiftPromiseBodySchema)
export const LiftDecisionSchema = signedSchema(LIFT_DECISION_TYPE, LiftDecisionBodySchema)

const Promises = v.pipe(v.array(LiftPromiseSchema), v.maxLength(MAX_HOPS))
const Decisions = v.pipe(v.array(LiftDecisionSchema), v.minLength(1), v.maxLength(MAX_DECISIONS))

export const LiftMessageSchema = v.variant('type', [
  v.strictObject({ v: v.literal(1), type: v.literal('promise'), record: LiftRecordSchema, promises: Promises, leg: v.pipe(Int, v.minValue(0), v.maxValue(MAX_HOPS - 1)) }),
  v.strictObject({ v: v.literal(1), type: v.literal('decision'), lift: IdSchema, decisions: Decisions })
])

export const RefereeRequestSchema = v.variant('type', [
  v.strictObject({ v: v.literal(1), type: v.literal('call'), record: LiftRecordSchema, promises: Promises }),
  v.strictObject({ v: v.literal(1), type: v.literal('refuse'), record: LiftRecordSchema, refusal: LiftPromiseSchema }),
  v.strictObject({ v: v.literal(1), type: v.literal('query'), record: LiftRecordSchema })
])

export const RefereeAnswerSchema = v.variant('status', [
  v.strictObject({ v: v.literal(1), status: v.literal('pending') }),
  v.strictObject({ v: v.literal(1), status: v.literal('decided'), decision: LiftDecisionSchema })
])

export const FraudProofSchema = v.strictObject({ lift: IdSchema, referee: KeySchema, good: LiftDecisionSchema, void: LiftDecisionSchema })

// The schemas' outputs are the wire types (a compile-time check that both stay in step). Envelopes parse to
// a literal `type`, a subtype of Signed<T>'s string, so messages holding them are checked one way only.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Fits<A, B> = [A] extends [B] ? true : false
const agree: [
  Same<v.InferOutput<typeof RouteQuerySchema>, RouteQuery>, Same<v.InferOutput<typeof RouteAnswerSchema>, RouteAnswer>,
  Same<v.InferOutput<typeof RoutePlanSchema>, RoutePlan>, Same<v.InferOutput<typeof LiftRecordBodySchema>, LiftRecordBody>,
  Same<v.InferOutput<typeof LiftPromiseBodySchema>, LiftPromiseBody>, Fits<v.InferOutput<typeof LiftMessageSchema>, LiftMessage>,
  Fits<v.InferOutput<typeof RefereeRequestSchema>, RefereeRequest>, Fits<v.InferOutput<typeof RefereeAnswerSchema>, RefereeAnswer>,
  Fits<v.InferOutput<typeof FraudProofSchema>, FraudProof>
] = [true, true, true, true, true, true, true, true, true]
void agree

/** Parses an untrusted value; throws MalformedError naming `what` and the first problems found. */
export function parseLiftWire<T> (schema: v.GenericSchema<unknown, T>, value: unknown, what: string): T {
  const r = v.safeParse(schema, value)
  if (!r.success) throw new MalformedError(`${what}: ${v.summarize(r.issues).split('\n').slice(0, 4).join('; ')}`)
  return r.output
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Decodes a protocol message: size cap, strict UTF-8, JSON, then the schema. Throws TooLargeError / MalformedError. */
export function decodeLiftJson<T> (bytes: Uint8Array, schema: v.GenericSchema<unknown, T>, what: string, maxBytes = MAX_LIFT_MESSAGE_BYTES): T {
  if (bytes.length > maxBytes) throw new TooLargeError(bytes.length, maxBytes, what)
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(bytes))
  } catch (e) {
    throw new MalformedError(`${what}: not UTF-8 JSON`, { cause: e })
  }
  return parseLiftWire(schema, value, what)
}
