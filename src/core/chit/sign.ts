// Building party actions: a device holding the user secret derives chain key `index` and names key
// index + 1 as next. After a KeyUsedError (another device of the same user won the race for that key),
// re-sign the same operation with the index it reports.
import type { SignatureProvider } from '../crypto/provider'
import { signEnvelope, type Signed } from '../codec/envelope'
import { chainPublicKey, deriveChainSecret } from '../keys/chain'
import type { Side } from '../tally/types'
import { ACTION_TYPE, LIFT_ACTION_TYPE, LIFT_DECISION_TYPE, type LiftAction, type LiftDecisionBody, type LiftOp, type Op, type PartyAction, type TallyAction } from './types'

export async function signPartyAction (p: SignatureProvider, userSecret: Uint8Array, args: { tally: string, side: Side, index: number, op: Op }): Promise<PartyAction> {
  const next = await chainPublicKey(p, userSecret, args.tally, args.index + 1)
  return signEnvelope(p, deriveChainSecret(userSecret, args.tally, args.index), ACTION_TYPE, { tally: args.tally, side: args.side, index: args.index, next, op: args.op })
}

export function partyAction (action: PartyAction): TallyAction {
  return { kind: 'party', action }
}

export async function signLiftDecision (p: SignatureProvider, refereeSecret: Uint8Array, body: LiftDecisionBody): Promise<Signed<LiftDecisionBody>> {
  return signEnvelope(p, refereeSecret, LIFT_DECISION_TYPE, body)
}

/** A lift chit signed by the side's authorized lift key (e.g. a cloud node's), outside the key chain. */
export async function signLiftAction (p: SignatureProvider, liftSecret: Uint8Array, args: { tally: string, side: Side, op: LiftOp }): Promise<LiftAction> {
  return signEnvelope(p, liftSecret, LIFT_ACTION_TYPE, { tally: args.tally, side: args.side, op: args.op })
}
