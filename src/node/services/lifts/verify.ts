// The lift service's use of the core's signed records (core/lift/{record,promise,fraud}.ts): signing a
// record and a promise from the engine's inputs, and reading referee decisions (valid ones only, the
// majority outcome, fraud proofs).
import type { Signed } from '../../../core/codec/envelope'
import type { SignatureProvider } from '../../../core/crypto/provider'
import type { LiftDecisionBody } from '../../../core/chit/types'
import { isChipsError } from '../../../core/errors'
import { decisionOutcome, findFraud, verifiedDecisions } from '../../../core/lift/fraud'
import { signLiftPromise } from '../../../core/lift/promise'
import { recordHash } from '../../../core/lift/record'
import type { FraudProof, LiftPromise, LiftRecord, PromiseVerdict } from '../../../core/lift/types'

export async function signPromise (
  p: SignatureProvider, secret: Uint8Array, record: LiftRecord, leg: number, verdict: PromiseVerdict, reason?: string
): Promise<LiftPromise> {
  return await signLiftPromise(p, secret, { lift: record.body.id, record: recordHash(record.body), leg, verdict, ...(reason !== undefined ? { reason } : {}) })
}

/** The decisions that verify, are for this lift and signed by one of its referees, without duplicates. */
export async function validDecisions (p: SignatureProvider, lift: string, referees: readonly string[], decisions: readonly unknown[]): Promise<Array<Signed<LiftDecisionBody>>> {
  const named = new Set(referees)
  const out: Array<Signed<LiftDecisionBody>> = []
  for (const d of await verifiedDecisions(p, decisions, lift)) {
    if (!named.has(d.signer)) continue
    if (!out.some(o => o.signer === d.signer && o.body.outcome === d.body.outcome)) out.push(d)
  }
  return out
}

/**
 * The outcome a strict majority of the referees signed, if any. When both outcomes have a majority (a lying
 * majority signed both), there is no outcome: the fraud proofs say why.
 */
export function majorityOutcome (referees: readonly string[], decisions: ReadonlyArray<Signed<LiftDecisionBody>>): 'good' | 'void' | undefined {
  try {
    return decisionOutcome(decisions, referees)
  } catch (err) {
    if (isChipsError(err) && err.code === 'CONFLICTING_DECISIONS') return undefined
    throw err
  }
}

export function fraudProofs (decisions: ReadonlyArray<Signed<LiftDecisionBody>>): FraudProof[] {
  return findFraud(decisions)
}
