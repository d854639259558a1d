// A member's signed answer to an entry: approve, or one of the refusals (stale / conflict / reject).
// One answer per (seq, entry hash) per member; a refusal is never turned into an approval.
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { signEnvelope, verifyEnvelope, type Signed } from '../codec/envelope'
import { MalformedError } from '../errors'
import type { Round } from './round'
import { AnswerBodySchema } from './schema'

export const ANSWER_TYPE = 'diary.answer'

export type Verdict = 'approve' | 'stale' | 'conflict' | 'reject'

interface AnswerCommon {
  tally: string
  seq: number
  /** The hash of the entry answered. */
  entry: string
  /** The round answered; absent = round 0 (the fast round). */
  round?: Round
}

/** Valid, and the member now holds a reservation for it at this seq. */
export interface ApproveBody extends AnswerCommon { verdict: 'approve' }
/** The member already holds a certified entry at this seq; its head is given. Sticky: any round. */
export interface StaleBody extends AnswerCommon { verdict: 'stale', head: { seq: number, hash: string } }
/** The member voted for another entry in this round at this seq (round 0: its reservation). About ordering, not sticky across rounds. */
export interface ConflictBody extends AnswerCommon { verdict: 'conflict', reserved: string }
/** The entry is invalid on its merits; `reason.code` names the rule. Sticky: it is never approved in any round. */
export interface RejectBody extends AnswerCommon { verdict: 'reject', reason: { code: string, message: string } }

export type AnswerBody = ApproveBody | StaleBody | ConflictBody | RejectBody
export type Answer = Signed<AnswerBody>

export function signAnswer (p: SignatureProvider, secret: Uint8Array, body: AnswerBody): Promise<Answer> {
  return signEnvelope(p, secret, ANSWER_TYPE, body)
}

/** Shape and signature of an untrusted answer. Throws a named error. */
export async function verifyAnswer (p: SignatureProvider, answer: unknown): Promise<Answer> {
  const env = await verifyEnvelope<unknown>(p, answer, { type: ANSWER_TYPE })
  return { ...env, body: parseAnswerBody(env.body) }
}

export function parseAnswerBody (body: unknown): AnswerBody {
  const r = v.safeParse(AnswerBodySchema, body)
  if (!r.success) throw new MalformedError(`malformed diary answer: ${v.summarize(r.issues)}`)
  return r.output
}

export function isRefusal (a: Answer): boolean {
  return a.body.verdict !== 'approve'
}

/**
 * Sticky refusals hold in every round: `reject` (the entry breaks a rule, judged on the certified head alone)
 * and `stale` (the seq is certified). A `conflict` is about ordering within one round only.
 */
export function isStickyRefusal (a: Answer): boolean {
  return a.body.verdict === 'reject' || a.body.verdict === 'stale'
}
