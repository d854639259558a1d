// The referee's rules, sans I/O (docs/lifts.md §5). One decision per lift, ever: the service looks up the
// entry of the lift (`prior`), calls refereeStep, and persists a returned `entry` BEFORE it sends `answer`,
// so a crash can never let it sign a second, different decision.
//
//   none ── call, complete promises, now < expires ──▶ good   (sticky)
//   none ── refuse with a valid refusal of a leg key ─▶ void   (sticky)
//   none ── any request at or after expires ──────────▶ void   (sticky)
//   none ── anything else ─────────────────────────────▶ none (answer: pending)
import type { SignatureProvider } from '../crypto/provider'
import type { Signed } from '../codec/envelope'
import { toBase64url } from '../codec/base64url'
import { signLiftDecision } from '../chit/sign'
import type { LiftDecisionBody } from '../chit/types'
import { InvalidRefusalError, RecordMismatchError, RefereeNotNamedError } from './errors'
import { promisesComplete, verifyLiftPromise } from './promise'
import { recordHash, verifyLiftRecord } from './record'
import { parseLiftWire, RefereeRequestSchema } from './schema'
import type { LiftRecordBody, RefereeAnswer } from './types'

/** What a referee keeps per lift (persisted before answering). */
export interface RefereeEntry {
  lift: string
  /** recordHash of the record decided on: a request with another record for this lift id is refused. */
  record: string
  outcome: 'good' | 'void'
  decision: Signed<LiftDecisionBody>
  /** When the decision was made, ms. */
  at: number
}

export interface RefereeStep {
  /** Present only when a new decision was made: persist it before sending `answer`. */
  entry?: RefereeEntry
  answer: RefereeAnswer
  /** The verified record the request carried (for the service's bookkeeping). */
  record: LiftRecordBody
}

/** The lift id a request is about, read without verifying anything (to look the prior entry up). Undefined when malformed. */
export function refereeRequestLift (request: unknown): string | undefined {
  const id = (request as { record?: { body?: { id?: unknown } } } | null | undefined)?.record?.body?.id
  return typeof id === 'string' ? id : undefined
}

/**
 * One request to the referee holding `refereeSecret`. `prior` is its stored entry for the request's lift id
 * (refereeRequestLift), if any. Throws MalformedError and the record's verification errors,
 * RefereeNotNamedError, RecordMismatchError (a decided lift id asked about with another record), or
 * InvalidRefusalError / the promise's verification errors for a bad `refuse`.
 */
export async function refereeStep (p: SignatureProvider, refereeSecret: Uint8Array, prior: RefereeEntry | undefined, request: unknown, now: number): Promise<RefereeStep> {
  const req = parseLiftWire(RefereeRequestSchema, request, 'referee request')
  const record = await verifyLiftRecord(p, req.record)
  const me = toBase64url(await p.publicKey(refereeSecret))
  if (!record.referees.some(r => r.key === me)) throw new RefereeNotNamedError(record.id, me)
  const hash = recordHash(record)
  if (prior !== undefined) {
    if (prior.lift !== record.id || prior.record !== hash) throw new RecordMismatchError(`lift ${record.id} was decided on another record`)
    return { answer: { v: 1, status: 'decided', decision: prior.decision }, record }
  }
  const decide = async (outcome: 'good' | 'void'): Promise<RefereeStep> => {
    const decision = await signLiftDecision(p, refereeSecret, { lift: record.id, outcome })
    return { entry: { lift: record.id, record: hash, outcome, decision, at: now }, answer: { v: 1, status: 'decided', decision }, record }
  }
  // At or after expiry, whatever the request carries: void (the lift can no longer be good).
  if (now >= record.expires) return decide('void')
  if (req.type === 'refuse') {
    const refusal = await verifyLiftPromise(p, req.refusal, record, hash)
    if (refusal.verdict !== 'refuse') throw new InvalidRefusalError(`a refuse request for lift ${record.id} carries a promise`)
    return decide('void')
  }
  if (req.type === 'call' && await promisesComplete(p, record, req.promises)) return decide('good')
  return { answer: { v: 1, status: 'pending' }, record }
}
