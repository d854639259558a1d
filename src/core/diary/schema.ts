// Shapes of the diary's records as they arrive from outside (network, storage, another device).
// Strict objects: an unknown field is a malformed record, never silently ignored (it would not be signed).
import * as v from 'valibot'

export const MAX_ACTIONS_PER_ENTRY = 256

const Key = v.pipe(v.string(), v.length(43), v.regex(/^[A-Za-z0-9_-]+$/))
const Hash = Key
const Seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const Code = v.pipe(v.string(), v.minLength(1), v.maxLength(64))

export const HeadRefSchema = v.strictObject({ seq: Seq, hash: Hash })

/** A recovery round (round 0 is the field absent). */
export const RoundSchema = v.strictObject({ n: v.pipe(v.number(), v.safeInteger(), v.minValue(1)), by: Key })

export const EntryBodySchema = v.strictObject({
  tally: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  seq: v.pipe(Seq, v.minValue(1)),
  prev: Hash,
  author: Key,
  attempt: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  actions: v.pipe(v.array(v.unknown()), v.maxLength(MAX_ACTIONS_PER_ENTRY)),
  refused: v.array(v.strictObject({ index: v.pipe(v.number(), v.safeInteger(), v.minValue(0)), code: Code })),
  checkpoint: v.optional(Hash)
})

const AnswerCommon = {
  tally: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  seq: v.pipe(Seq, v.minValue(1)),
  entry: Hash,
  round: v.optional(RoundSchema)
}

export const AnswerBodySchema = v.variant('verdict', [
  v.strictObject({ ...AnswerCommon, verdict: v.literal('approve') }),
  v.strictObject({ ...AnswerCommon, verdict: v.literal('stale'), head: HeadRefSchema }),
  v.strictObject({ ...AnswerCommon, verdict: v.literal('conflict'), reserved: Hash }),
  v.strictObject({
    ...AnswerCommon,
    verdict: v.literal('reject'),
    reason: v.strictObject({ code: Code, message: v.pipe(v.string(), v.maxLength(512)) })
  })
])

/** A member's promise not to answer rounds below `round` at `seq`, with its latest vote there. */
export const PromiseBodySchema = v.strictObject({
  tally: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  seq: v.pipe(Seq, v.minValue(1)),
  round: RoundSchema,
  vote: v.optional(v.strictObject({ entry: Hash, round: v.optional(RoundSchema) }))
})

const Envelope = v.looseObject({ v: v.literal(1), type: v.string(), body: v.unknown(), signer: v.string(), sig: v.string() })

export const CertificateSchema = v.strictObject({
  entry: Envelope,
  approvals: v.pipe(v.array(Envelope), v.maxLength(256))
})

/** CertificateSchema without its envelopes' shapes, for a verifier that checks each envelope fully anyway. */
export const CertificateShapeSchema = v.strictObject({
  entry: v.unknown(),
  approvals: v.pipe(v.array(v.unknown()), v.maxLength(256))
})

export const ReleaseProofSchema = v.strictObject({
  entry: Envelope,
  refusals: v.pipe(v.array(Envelope), v.maxLength(256)),
  certificate: v.optional(CertificateSchema)
})
