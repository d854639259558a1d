// Checks of the signed lift records a node receives: the record (signed by its originator's session key),
// promises (signed by a leg receiver's session key, bound to the record's hash) and referee decisions.
// Shapes are already validated at the protocol boundary (protocols/lift.ts); these check signatures and
// the bindings between the parts.
import { hashOf } from '../../../core/codec/hash'
import { signEnvelope, verifyEnvelope, type Signed } from '../../../core/codec/envelope'
import type { SignatureProvider } from '../../../core/crypto/provider'
import { LIFT_DECISION_TYPE, type LiftDecisionBody } from '../../../core/chit/types'
import {
  LIFT_PROMISE_TYPE, LIFT_RECORD_TYPE, type FraudProof, type LiftPromise, type LiftPromiseBody, type LiftRecord, type LiftRecordBody, type PromiseVerdict
} from '../../../core/lift/types'
import { BadDecisionError, BadPromiseError } from './errors'

export function recordHash (record: LiftRecord): string {
  return hashOf(record.body)
}

export async function signRecord (p: SignatureProvider, secret: Uint8Array, body: LiftRecordBody): Promise<LiftRecord> {
  return await signEnvelope(p, secret, LIFT_RECORD_TYPE, body)
}

export async function verifyRecord (p: SignatureProvider, record: LiftRecord): Promise<LiftRecord> {
  await verifyEnvelope(p, record, { type: LIFT_RECORD_TYPE, signer: record.body.origin })
  return record
}

export async function signPromise (
  p: SignatureProvider, secret: Uint8Array, record: LiftRecord, leg: number, verdict: PromiseVerdict, reason?: string
): Promise<LiftPromise> {
  const body: LiftPromiseBody = { lift: record.body.id, record: recordHash(record), leg, verdict, ...(reason !== undefined ? { reason } : {}) }
  return await signEnvelope(p, secret, LIFT_PROMISE_TYPE, body)
}

/** A promise or refusal of `record`: bound to its hash and signed by the key of the leg it names (or, for a refusal, the originator). */
export async function verifyPromise (p: SignatureProvider, record: LiftRecord, promise: LiftPromise): Promise<LiftPromise> {
  const b = promise.body
  const leg = record.body.legs[b.leg]
  if (b.lift !== record.body.id || b.record !== recordHash(record)) throw new BadPromiseError('the promise is for another lift record')
  if (leg === undefined) throw new BadPromiseError(`the lift has no leg ${b.leg}`)
  const signer = promise.signer === record.body.origin && b.verdict === 'refuse' ? record.body.origin : leg.key
  if (promise.signer !== signer) throw new BadPromiseError(`the promise of leg ${b.leg} is not signed by that leg's key`)
  await verifyEnvelope(p, promise, { type: LIFT_PROMISE_TYPE, signer })
  return promise
}

/** True when `promises` holds a valid 'promise' for every leg of `record`. */
export async function promisesComplete (p: SignatureProvider, record: LiftRecord, promises: readonly LiftPromise[]): Promise<boolean> {
  const have = new Set<number>()
  for (const pr of promises) {
    if (pr.body.verdict !== 'promise') continue
    try { await verifyPromise(p, record, pr) } catch { continue }
    have.add(pr.body.leg)
  }
  return record.body.legs.every((_, k) => have.has(k))
}

/** The decisions that verify, are for this lift and signed by one of its referees (others are dropped). */
export async function validDecisions (p: SignatureProvider, lift: string, referees: readonly string[], decisions: ReadonlyArray<Signed<LiftDecisionBody>>): Promise<Array<Signed<LiftDecisionBody>>> {
  const named = new Set(referees)
  const out: Array<Signed<LiftDecisionBody>> = []
  for (const d of decisions) {
    if (d.body.lift !== lift || !named.has(d.signer)) continue
    try { await verifyEnvelope(p, d, { type: LIFT_DECISION_TYPE, signer: d.signer }) } catch { continue }
    if (!out.some(o => o.signer === d.signer && o.body.outcome === d.body.outcome)) out.push(d)
  }
  return out
}

export function assertDecisionFor (lift: string, d: Signed<LiftDecisionBody>): void {
  if (d.body.lift !== lift) throw new BadDecisionError(`a decision for lift ${d.body.lift}, not ${lift}`)
}

/** The outcome a strict majority of the referees signed, if any (a referee signing both counts for neither). */
export function majorityOutcome (referees: readonly string[], decisions: ReadonlyArray<Signed<LiftDecisionBody>>): 'good' | 'void' | undefined {
  const named = new Set(referees)
  const votes = { good: new Set<string>(), void: new Set<string>() }
  for (const d of decisions) if (named.has(d.signer)) votes[d.body.outcome].add(d.signer)
  for (const k of votes.good) if (votes.void.has(k)) { votes.good.delete(k); votes.void.delete(k) }
  if (2 * votes.good.size > named.size) return 'good'
  if (2 * votes.void.size > named.size) return 'void'
  return undefined
}

/** Referees that signed both outcomes of one lift: the proofs of their fraud. */
export function fraudProofs (lift: string, decisions: ReadonlyArray<Signed<LiftDecisionBody>>): FraudProof[] {
  const out: FraudProof[] = []
  for (const g of decisions) {
    if (g.body.outcome !== 'good' || g.body.lift !== lift) continue
    const v = decisions.find(d => d.signer === g.signer && d.body.outcome === 'void' && d.body.lift === lift)
    if (v !== undefined && !out.some(f => f.referee === g.signer)) out.push({ lift, referee: g.signer, good: g, void: v })
  }
  return out
}
