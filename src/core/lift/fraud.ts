// Referee decisions as the route sees them (docs/lifts.md §5): the outcome a strict majority of the named
// referees signed (as the tally machine's applyDecision counts it), and fraud proofs — one referee key
// signing both outcomes for one lift.
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { verifyEnvelope, type Signed } from '../codec/envelope'
import { ConflictingDecisionError } from '../chit/errors'
import { LIFT_DECISION_TYPE, LiftDecisionBodySchema, type LiftDecisionBody } from '../chit/types'
import { MalformedError } from '../errors'
import type { FraudProof } from './types'

/**
 * The decisions among `raw` whose signature verifies (and, when `lift` is given, that are for that lift).
 * Invalid ones are dropped: they prove nothing.
 */
export async function verifiedDecisions (p: SignatureProvider, raw: readonly unknown[], lift?: string): Promise<Array<Signed<LiftDecisionBody>>> {
  const out = await Promise.all(raw.map(async d => {
    try {
      const env = await verifyEnvelope<unknown>(p, d, { type: LIFT_DECISION_TYPE })
      const body = v.safeParse(LiftDecisionBodySchema, env.body)
      if (!body.success || (lift !== undefined && body.output.lift !== lift)) return undefined
      return { ...env, body: body.output }
    } catch {
      return undefined
    }
  }))
  return out.filter((d): d is Signed<LiftDecisionBody> => d !== undefined)
}

/**
 * Every (lift, referee) pair with both a good and a void decision, sorted by lift then referee. The inputs
 * must be VERIFIED decisions (verifiedDecisions): an unsigned pair proves nothing.
 */
export function findFraud (decisions: ReadonlyArray<Signed<LiftDecisionBody>>): FraudProof[] {
  const seen = new Map<string, { lift: string, referee: string, good?: Signed<LiftDecisionBody>, void?: Signed<LiftDecisionBody> }>()
  for (const d of decisions) {
    const id = JSON.stringify([d.body.lift, d.signer])
    const slot = seen.get(id) ?? { lift: d.body.lift, referee: d.signer }
    slot[d.body.outcome] ??= d
    seen.set(id, slot)
  }
  const proofs: FraudProof[] = []
  for (const s of seen.values()) if (s.good !== undefined && s.void !== undefined) proofs.push({ lift: s.lift, referee: s.referee, good: s.good, void: s.void })
  return proofs.sort((a, b) => a.lift < b.lift ? -1 : a.lift > b.lift ? 1 : a.referee < b.referee ? -1 : a.referee > b.referee ? 1 : 0)
}

/**
 * The outcome a strict majority of `refereeKeys` signed among (verified) decisions of one lift, or undefined
 * without a majority. Decisions by other keys are ignored; a referee signing both outcomes counts for both,
 * as in the tally machine, so two majorities throw ConflictingDecisionError.
 */
export function decisionOutcome (decisions: ReadonlyArray<Signed<LiftDecisionBody>>, refereeKeys: readonly string[]): 'good' | 'void' | undefined {
  const lifts = new Set(decisions.map(d => d.body.lift))
  if (lifts.size > 1) throw new MalformedError('decisions of several lifts counted together')
  const named = new Set(refereeKeys)
  const votes = { good: new Set<string>(), void: new Set<string>() }
  for (const d of decisions) if (named.has(d.signer)) votes[d.body.outcome].add(d.signer)
  const majority = (n: number): boolean => 2 * n > named.size
  const good = majority(votes.good.size)
  const bad = majority(votes.void.size)
  if (good && bad) throw new ConflictingDecisionError([...lifts][0]!)
  return good ? 'good' : bad ? 'void' : undefined
}
