// /mychips/diary/1.0.0 — certified diary replication between the member nodes of a tally (DESIGN.md §5).
//
// One request, one response, JSON over the Network's framed request/response. Every message names its
// tally. The records inside (entries, answers, certificates, release proofs, pending views) are signed and
// checked by src/core/diary; this file checks the envelope of the message itself (shape, sizes) so that
// garbage never reaches the diary. Requests:
//   propose      a proposer asks a member to answer an entry (with the answers already given to it; in a
//                recovery round also the round, the promises and the entries they vote for)
//                → answer (signed) | behind (the member's head) | certified (that seq is final here)
//                  | outranked (it promised a higher round)
//   prepare      phase 1 of a recovery round → promise (signed, with the entry it voted for) | outranked
//                  | certified | behind
//   certificate  a certified entry, disseminated to every member           → applied | behind
//   release      a proof that an entry can never be certified               → released
//   query        what a member knows of a pending seq (any member may drive a pending entry)
//                → pending (head + view) | certified | behind
//   fetch        certified entries after a seq (catch-up; verified offline by the fetcher) → certificates
//   handoff      signed actions handed to the preferred proposer           → accepted
import * as v from 'valibot'
import { MalformedError, TooLargeError } from '../../core/errors'

export const DIARY_PROTOCOL = '/mychips/diary/1.0.0'
/** One entry holds at most 256 actions; a signed tally action is well under 2 KiB. */
export const MAX_DIARY_MESSAGE_BYTES = 1024 * 1024
/** Certificates per fetch response (further limited by bytes). */
export const MAX_FETCH_CERTIFICATES = 256
/** Actions per handoff (one entry's worth). */
export const MAX_HANDOFF_ACTIONS = 256

const TallyId = v.pipe(v.string(), v.minLength(1), v.maxLength(128))
const Seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const Hash = v.pipe(v.string(), v.length(43), v.regex(/^[A-Za-z0-9_-]+$/))
const HeadRefSchema = v.strictObject({ seq: Seq, hash: Hash })
/** A signed record: checked in full by the diary core; here only "an object". */
const Record = v.looseObject({})

export const DiaryRequestSchema = v.variant('t', [
  v.strictObject({
    t: v.literal('propose'),
    tally: TallyId,
    entry: Record,
    answers: v.pipe(v.array(Record), v.maxLength(256)),
    /** A recovery round (absent = round 0), the signed promises that justify the proposer's choice, and the entries they vote for. */
    round: v.optional(Record),
    promises: v.optional(v.pipe(v.array(Record), v.maxLength(256))),
    votes: v.optional(v.pipe(v.array(Record), v.maxLength(64)))
  }),
  v.strictObject({ t: v.literal('prepare'), tally: TallyId, seq: v.pipe(Seq, v.minValue(1)), round: Record }),
  v.strictObject({ t: v.literal('certificate'), tally: TallyId, certificate: Record }),
  v.strictObject({ t: v.literal('release'), tally: TallyId, proof: Record }),
  v.strictObject({ t: v.literal('query'), tally: TallyId, seq: v.pipe(Seq, v.minValue(1)) }),
  v.strictObject({ t: v.literal('fetch'), tally: TallyId, after: Seq, limit: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_FETCH_CERTIFICATES)) }),
  v.strictObject({ t: v.literal('handoff'), tally: TallyId, actions: v.pipe(v.array(v.unknown()), v.minLength(1), v.maxLength(MAX_HANDOFF_ACTIONS)) })
])
export type DiaryRequest = v.InferOutput<typeof DiaryRequestSchema>

export const DiaryResponseSchema = v.variant('t', [
  v.strictObject({ t: v.literal('answer'), answer: Record }),
  v.strictObject({ t: v.literal('behind'), head: HeadRefSchema }),
  v.strictObject({ t: v.literal('certified'), seq: Seq }),
  v.strictObject({ t: v.literal('applied'), head: HeadRefSchema }),
  v.strictObject({ t: v.literal('released'), held: v.boolean() }),
  v.strictObject({ t: v.literal('pending'), head: HeadRefSchema, view: Record }),
  v.strictObject({ t: v.literal('certificates'), head: HeadRefSchema, certificates: v.pipe(v.array(Record), v.maxLength(MAX_FETCH_CERTIFICATES)) }),
  v.strictObject({ t: v.literal('promise'), promise: Record, entry: v.optional(Record) }),
  v.strictObject({ t: v.literal('outranked'), seq: Seq, promised: Record }),
  v.strictObject({ t: v.literal('accepted'), count: v.pipe(v.number(), v.safeInteger(), v.minValue(0)) })
])
export type DiaryResponse = v.InferOutput<typeof DiaryResponseSchema>

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export function encodeDiaryMessage (message: DiaryRequest | DiaryResponse): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(message))
  if (bytes.byteLength > MAX_DIARY_MESSAGE_BYTES) throw new TooLargeError(bytes.byteLength, MAX_DIARY_MESSAGE_BYTES, 'diary message')
  return bytes
}

function decode<T> (schema: v.GenericSchema<unknown, T>, bytes: Uint8Array, what: string): T {
  if (bytes.byteLength > MAX_DIARY_MESSAGE_BYTES) throw new TooLargeError(bytes.byteLength, MAX_DIARY_MESSAGE_BYTES, what)
  let json: unknown
  try {
    json = JSON.parse(decoder.decode(bytes))
  } catch {
    throw new MalformedError(`the ${what} is not a JSON document`)
  }
  const r = v.safeParse(schema, json)
  if (!r.success) throw new MalformedError(`malformed ${what}: ${v.summarize(r.issues)}`)
  return r.output
}

/** Untrusted request bytes → a request of known shape (its signed records still unchecked). Throws a named error. */
export function decodeDiaryRequest (bytes: Uint8Array): DiaryRequest {
  return decode(DiaryRequestSchema, bytes, 'diary request')
}

/** Untrusted response bytes → a response of known shape. Throws a named error. */
export function decodeDiaryResponse (bytes: Uint8Array): DiaryResponse {
  return decode(DiaryResponseSchema, bytes, 'diary response')
}
