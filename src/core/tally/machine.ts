// The tally as a ReplicatedMachine (src/core/diary/machine.ts): apply() authenticates one action (shape,
// tally, forward key chain, signature) and then applies the tally and chit rules.
//
// Throw vs refuse: an action that cannot be attributed to its party at this point of the chain (malformed,
// other tally, used or unknown chain key, bad signature, a membership change without both signatures) is
// thrown: the diary rejects the whole entry and nothing is recorded. An authenticated action that breaks a
// rule (over limit, forbidden transition, duplicate chit, …) is a refusal: it stays in the diary with its
// code and its chain key counts as used, so the chain goes on.
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { verifyEnvelope, type Signed } from '../codec/envelope'
import { canonicalJson } from '../codec/canonical'
import type { Applied, Party, ReplicatedMachine } from '../diary/machine'
import { ChipsError, MalformedError } from '../errors'
import { checkChainStep, UnknownKeyError } from '../keys/chain'
import * as rules from '../chit/rules'
import { ConflictingDecisionError, LiftNotPendingError, NoRefereeMajorityError } from '../chit/errors'
import {
  ACTION_TYPE, LIFT_ACTION_TYPE, LIFT_DECISION_TYPE, LiftActionBodySchema, LiftDecisionBodySchema, PartyActionBodySchema,
  type LiftActionBody, type LiftDecisionBody, type PartyAction, type PartyActionBody, type TallyAction
} from '../chit/types'
import { DuplicateChitError } from '../chit/errors'
import { getChit } from './chit-index'
import { ForbiddenTransitionError, MembershipNotSignedByBothError, WrongTallyError } from './errors'
import { memberSet, type TallyState } from './state'
import { otherSide, type Side } from './types'

const ActionSchema = v.variant('kind', [
  v.strictObject({ kind: v.literal('party'), action: v.unknown() }),
  v.strictObject({ kind: v.literal('lift'), action: v.unknown() }),
  v.strictObject({ kind: v.literal('members'), stock: v.optional(v.unknown()), foil: v.optional(v.unknown()) }),
  v.strictObject({ kind: v.literal('decision'), lift: v.string(), decisions: v.pipe(v.array(v.unknown()), v.minLength(1), v.maxLength(31)) })
])

/** Authenticates a party action against the chain position of its side: returns its body. Throws. */
async function authenticate (p: SignatureProvider, s: TallyState, raw: unknown, side?: Side): Promise<PartyActionBody> {
  const shape = v.safeParse(v.object({ body: PartyActionBodySchema, signer: v.string() }), raw)
  if (!shape.success) throw new MalformedError(`tally action: ${v.summarize(shape.issues)}`)
  const { body, signer } = shape.output as { body: PartyActionBody, signer: string }
  if (body.tally !== s.tally) throw new WrongTallyError(s.tally, body.tally)
  if (side !== undefined && body.side !== side) throw new MalformedError(`a ${side} signature slot holds a ${body.side} action`)
  checkChainStep(s[body.side].chain, body.index, signer)
  if (body.next === signer) throw new MalformedError('the next chain key must differ from the signing key')
  await verifyEnvelope(p, raw, { type: ACTION_TYPE, signer })
  return body
}

function advance (s: TallyState, body: PartyActionBody): TallyState {
  return { ...s, [body.side]: { ...s[body.side], chain: { index: body.index + 1, next: body.next } } }
}

function refusal (state: TallyState, e: unknown): Applied<TallyState> {
  if (e instanceof ChipsError) return { state, refusal: { code: e.code, message: e.message } }
  throw e
}

function applyOp (s: TallyState, body: PartyActionBody): TallyState {
  if (s.status === 'closed') throw new ForbiddenTransitionError('closed', body.op.op)
  const op = body.op
  switch (op.op) {
    case 'pay': return rules.pay(s, body.side, op)
    case 'invoice': return rules.invoice(s, body.side, op)
    case 'decline': return rules.decline(s, body.side, op)
    case 'set': return rules.setting(s, body.side, op)
    case 'lift': return rules.lift(s, body.side, op)
    case 'reseat': return rules.reseat(s, body.side, op)
    case 'members': throw new MembershipNotSignedByBothError('a membership change needs both parties\' signatures')
  }
}

async function applyParty (p: SignatureProvider, s: TallyState, raw: unknown): Promise<Applied<TallyState>> {
  const body = await authenticate(p, s, raw)
  if (body.op.op === 'members') throw new MembershipNotSignedByBothError('a membership change needs both parties\' signatures')
  const used = { ...advance(s, body), actions: s.actions + 1 }
  try {
    return { state: applyOp(used, body) }
  } catch (e) {
    return refusal(used, e)
  }
}

/**
 * A lift chit signed by the side's authorized lift key: no chain key is involved, so a replay (same chit id)
 * is thrown rather than refused, and rule violations are refused as usual.
 */
async function applyLiftKey (p: SignatureProvider, s: TallyState, raw: unknown): Promise<Applied<TallyState>> {
  const shape = v.safeParse(v.object({ body: LiftActionBodySchema, signer: v.string() }), raw)
  if (!shape.success) throw new MalformedError(`lift action: ${v.summarize(shape.issues)}`)
  const { body, signer } = shape.output as { body: LiftActionBody, signer: string }
  if (body.tally !== s.tally) throw new WrongTallyError(s.tally, body.tally)
  const key = s[body.side].liftKey
  if (key === undefined || signer !== key) throw new UnknownKeyError(`the ${body.side} has not authorized this lift key`)
  await verifyEnvelope(p, raw, { type: LIFT_ACTION_TYPE, signer })
  if (getChit(s.chits, body.op.chit) !== undefined || s.pending[body.op.chit] !== undefined) throw new DuplicateChitError(body.op.chit)
  const counted = { ...s, actions: s.actions + 1 }
  try {
    if (s.status === 'closed') throw new ForbiddenTransitionError('closed', 'lift')
    return { state: rules.lift(counted, body.side, body.op) }
  } catch (e) {
    return refusal(counted, e)
  }
}

async function applyMembers (p: SignatureProvider, s: TallyState, a: { stock?: unknown, foil?: unknown }): Promise<Applied<TallyState>> {
  if (a.stock === undefined || a.foil === undefined) throw new MembershipNotSignedByBothError(`the ${a.stock === undefined ? 'stock' : 'foil'} signature is missing`)
  const stock = await authenticate(p, s, a.stock, 'stock')
  const foil = await authenticate(p, s, a.foil, 'foil')
  if (stock.op.op !== 'members' || foil.op.op !== 'members') throw new MalformedError('a membership change holds two members operations')
  if (canonicalJson(stock.op.members) !== canonicalJson(foil.op.members)) throw new MembershipNotSignedByBothError('the two parties signed different member sets')
  const used = { ...advance(advance(s, stock), foil), actions: s.actions + 1 }
  try {
    if (s.status === 'closed') throw new ForbiddenTransitionError('closed', 'change the members of')
    return { state: rules.members(used, stock.op) }
  } catch (e) {
    return refusal(used, e)
  }
}

async function applyDecision (p: SignatureProvider, s: TallyState, lift: string, raw: unknown[]): Promise<Applied<TallyState>> {
  const decisions: Array<Signed<LiftDecisionBody>> = []
  for (const d of raw) {
    const env = await verifyEnvelope<unknown>(p, d, { type: LIFT_DECISION_TYPE })
    const body = v.safeParse(LiftDecisionBodySchema, env.body)
    if (!body.success || body.output.lift !== lift) throw new MalformedError(`a decision for lift ${lift} holds another body`)
    decisions.push({ ...env, body: body.output })
  }
  const chits = Object.entries(s.pending).filter(([, c]) => c.kind === 'lift' && c.lift === lift)
  const used = { ...s, actions: s.actions + 1 }
  try {
    if (chits.length === 0) throw new LiftNotPendingError(lift)
    let next = used
    for (const [id, c] of chits) {
      if (c.kind !== 'lift') continue
      const named = new Set(c.referees)
      const votes = { good: new Set<string>(), void: new Set<string>() }
      for (const d of decisions) if (named.has(d.signer)) votes[d.body.outcome].add(d.signer)
      const majority = (n: number): boolean => 2 * n > named.size
      if (majority(votes.good.size) && majority(votes.void.size)) throw new ConflictingDecisionError(lift)
      const outcome = majority(votes.good.size) ? 'good' : majority(votes.void.size) ? 'void' : undefined
      if (outcome === undefined) throw new NoRefereeMajorityError(`lift ${lift}: ${votes.good.size} good and ${votes.void.size} void of ${named.size} referees`)
      next = rules.resolveLift(next, id, outcome)
    }
    return { state: next }
  } catch (e) {
    return refusal(used, e)
  }
}

/**
 * Checks every signature inside an action without looking at any state (so a verifier can run it for many
 * actions in parallel). With a verifyOnceCache provider shared with the machine, apply() then finds these
 * signatures already verified. Throws like apply() for a bad signature or shape; the chain and the rules
 * are still checked by apply().
 */
export async function preverifyAction (p: SignatureProvider, action: unknown): Promise<void> {
  const a = v.safeParse(ActionSchema, action)
  if (!a.success) throw new MalformedError(`tally action: ${v.summarize(a.issues)}`)
  const act = a.output
  const envelopes = act.kind === 'party' ? [[ACTION_TYPE, act.action]] : act.kind === 'lift' ? [[LIFT_ACTION_TYPE, act.action]] : act.kind === 'members' ? [[ACTION_TYPE, act.stock], [ACTION_TYPE, act.foil]] : act.decisions.map(d => [LIFT_DECISION_TYPE, d])
  await Promise.all(envelopes.filter(([, e]) => e !== undefined).map(([type, e]) => verifyEnvelope(p, e, { type: type as string })))
}

export type TallyMachine = ReplicatedMachine<TallyState, TallyAction>

export function tallyMachine (p: SignatureProvider): TallyMachine {
  return {
    async apply (state, action) {
      const a = v.safeParse(ActionSchema, action)
      if (!a.success) throw new MalformedError(`tally action: ${v.summarize(a.issues)}`)
      const act = a.output
      switch (act.kind) {
        case 'party': return applyParty(p, state, act.action)
        case 'lift': return applyLiftKey(p, state, act.action)
        case 'members': return applyMembers(p, state, act)
        case 'decision': return applyDecision(p, state, act.lift, act.decisions)
      }
    },
    members: memberSet,
    quorum (_state, actions) {
      // A re-seat (and nothing else) of one side is certified by the partner's majority alone.
      const sides = new Set<Side>()
      for (const a of actions) {
        const body = a.kind === 'party' ? (a.action as Partial<PartyAction> | undefined)?.body : undefined
        if (body?.op?.op !== 'reseat') return ['stock', 'foil'] as Party[]
        sides.add(body.side)
      }
      if (sides.size !== 1) return ['stock', 'foil'] as Party[]
      return [otherSide([...sides][0]!)]
    }
  }
}

/** Applies actions in order from a state; a thrown action stops the replay (it could never be certified). */
export async function replay (machine: TallyMachine, state: TallyState, actions: readonly TallyAction[]): Promise<{ state: TallyState, refusals: Array<{ at: number, code: string }> }> {
  const refusals: Array<{ at: number, code: string }> = []
  let s = state
  for (const [at, a] of actions.entries()) {
    const r = await machine.apply(s, a)
    s = r.state
    if (r.refusal !== undefined) refusals.push({ at, code: r.refusal.code })
  }
  return { state: s, refusals }
}
