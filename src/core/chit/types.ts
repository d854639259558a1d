// Tally actions (DESIGN.md §2, §6). A party action is an envelope signed by the party's current chain key;
// its body names the tally, the side, the chain index and the NEXT chain public key, and one operation.
// Operations that move value are chits: `pay` and accepted `invoice`s are `tran` chits, `set` changes
// trading variables or asks to close, `lift` is a conditional leg of a lift.
import * as v from 'valibot'
import type { Signed } from '../codec/envelope'
import type { MemberSet, Member } from '../diary/machine'
import { SealedSchema, type Sealed } from '../crypto/seal'
import { IdSchema, KeySchema, MemberListSchema, MemberSetSchema, TradingVarsSchema, UnitsSchema } from '../tally/schema'
import type { Side, TradingVars } from '../tally/types'

export const ACTION_TYPE = 'tally-action'
export const MAX_REFEREES = 15

/** A payment: `side` gives `units` to its partner (a `tran` chit issued by the payer). Pays an invoice when `invoice` is set. */
export interface PayOp { op: 'pay', chit: string, units: number, invoice?: string, memo?: Sealed, ref?: Sealed }
/** A request for payment: the partner is asked to pay `side` `units`. Never counts as capacity until paid. */
export interface InvoiceOp { op: 'invoice', chit: string, units: number, memo?: Sealed, ref?: Sealed }
/** The payer declines a pending invoice of the partner. */
export interface DeclineOp { op: 'decline', invoice: string, reason?: Sealed }
/**
 * A setting chit: new trading variables for `side`, a close request, and/or the key allowed to sign lift
 * chits for `side` without the recovery secret (a cloud node's lift key; null revokes it).
 */
export interface SetOp { op: 'set', chit: string, vars?: TradingVars, close?: true, liftKey?: string | null }
/** A conditional lift chit: `side` gives `units` if the lift's referees decide `good`. */
export interface LiftOp { op: 'lift', chit: string, lift: string, units: number, referees: string[], expires: number }
/** Half of a membership change; both parties sign the same member set. */
export interface MembersOp { op: 'members', members: MemberSet }
/** Replace the signer's own members (recovery after losing a majority); certified by the partner's majority. */
export interface ReseatOp { op: 'reseat', members: Member[] }

export type Op = PayOp | InvoiceOp | DeclineOp | SetOp | LiftOp | MembersOp | ReseatOp

export interface PartyActionBody {
  tally: string
  side: Side
  /** Chain index of the signing key. */
  index: number
  /** Public key (base64url) of this party's chain key index + 1. */
  next: string
  op: Op
}

export type PartyAction = Signed<PartyActionBody>

/** A referee's signed verdict on a lift. */
export interface LiftDecisionBody { lift: string, outcome: 'good' | 'void' }
export const LIFT_DECISION_TYPE = 'lift-decision'

/** A lift chit signed by the side's authorized lift key (set chit `liftKey`), outside the key chain. */
export interface LiftActionBody { tally: string, side: Side, op: LiftOp }
export type LiftAction = Signed<LiftActionBody>
export const LIFT_ACTION_TYPE = 'tally-lift'

/** What a diary entry carries: one party's action, a lift chit by a lift key, a two-party membership change, or a lift decision. */
export type TallyAction =
  | { kind: 'party', action: PartyAction }
  | { kind: 'lift', action: LiftAction }
  | { kind: 'members', stock?: PartyAction, foil?: PartyAction }
  | { kind: 'decision', lift: string, decisions: Signed<LiftDecisionBody>[] }

const ChitId = IdSchema
const Units = UnitsSchema

export const LiftOpSchema = v.strictObject({
  op: v.literal('lift'), chit: ChitId, lift: IdSchema, units: Units,
  referees: v.pipe(v.array(KeySchema), v.minLength(1), v.maxLength(MAX_REFEREES), v.check(r => new Set(r).size === r.length, 'a referee is named twice')),
  expires: v.pipe(v.number(), v.safeInteger(), v.minValue(0))
})

export const OpSchema = v.variant('op', [
  v.strictObject({ op: v.literal('pay'), chit: ChitId, units: Units, invoice: v.optional(ChitId), memo: v.optional(SealedSchema), ref: v.optional(SealedSchema) }),
  v.strictObject({ op: v.literal('invoice'), chit: ChitId, units: Units, memo: v.optional(SealedSchema), ref: v.optional(SealedSchema) }),
  v.strictObject({ op: v.literal('decline'), invoice: ChitId, reason: v.optional(SealedSchema) }),
  v.pipe(
    v.strictObject({ op: v.literal('set'), chit: ChitId, vars: v.optional(TradingVarsSchema), close: v.optional(v.literal(true)), liftKey: v.optional(v.nullable(KeySchema)) }),
    v.check(o => o.vars !== undefined || o.close === true || o.liftKey !== undefined, 'a set chit changes trading variables, the lift key, or asks to close')
  ),
  LiftOpSchema,
  v.strictObject({ op: v.literal('members'), members: MemberSetSchema }),
  v.strictObject({ op: v.literal('reseat'), members: MemberListSchema })
])

export const PartyActionBodySchema = v.strictObject({
  tally: IdSchema,
  side: v.picklist(['stock', 'foil']),
  index: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  next: KeySchema,
  op: OpSchema
})

export const LiftDecisionBodySchema = v.strictObject({ lift: IdSchema, outcome: v.picklist(['good', 'void']) })

export const LiftActionBodySchema = v.strictObject({ tally: IdSchema, side: v.picklist(['stock', 'foil']), op: LiftOpSchema })
