// The chit rules: what each operation does to an open tally, or the named error that refuses it. Pure
// functions of (state, side, op); signatures and the key chain are checked before (tally/machine.ts).
import { ForbiddenTransitionError } from '../tally/errors'
import { checkMembers, checkTradingVars } from '../tally/rules'
import { getChit, putChit, type ChitRecord } from '../tally/chit-index'
import { availableCredit, balanceOf, liftRoom, pendingGiven, type PendingChit, type TallyState } from '../tally/state'
import { otherSide, type Side } from '../tally/types'
import { ClosingError, DuplicateChitError, InvoiceMismatchError, OverBoundError, OverLimitError, UnknownInvoiceError } from './errors'
import type { DeclineOp, InvoiceOp, LiftOp, MembersOp, PayOp, ReseatOp, SetOp } from './types'
import type { MemberSet } from '../diary/machine'

function fresh (s: TallyState, id: string): void {
  if (getChit(s.chits, id) !== undefined || s.pending[id] !== undefined) throw new DuplicateChitError(id)
}

function record (s: TallyState, id: string, rec: ChitRecord): TallyState {
  return { ...s, chits: putChit(s.chits, id, rec) }
}

function withoutPending (s: TallyState, id: string): Record<string, PendingChit> {
  const { [id]: _gone, ...rest } = s.pending
  return rest
}

/** The balance moves `units` against `giver` (its debt grows). */
function move (s: TallyState, giver: Side, units: number): TallyState {
  return { ...s, balance: s.balance + (giver === 'foil' ? units : -units) }
}

/** While closing, a chit may only bring the giver's worst-case debt toward zero, never across it. */
function checkClosing (s: TallyState, giver: Side, units: number): void {
  if (s.status !== 'closing') return
  if (-balanceOf(s, giver) + pendingGiven(s, giver) + units > 0) throw new ClosingError()
}

function checkLimit (s: TallyState, giver: Side, units: number): void {
  const available = availableCredit(s, giver)
  if (units > available) throw new OverLimitError(units, available)
}

/** closing → closed once the balance is zero and no lift chit is pending; pending invoices lapse (void). */
export function settle (s: TallyState): TallyState {
  if (s.status !== 'closing' || s.balance !== 0 || Object.values(s.pending).some(c => c.kind === 'lift')) return s
  let chits = s.chits
  for (const [id, c] of Object.entries(s.pending)) chits = putChit(chits, id, { kind: 'invoice', by: c.by, units: c.units, status: 'void' })
  return { ...s, status: 'closed', pending: {}, chits }
}

export function pay (s: TallyState, side: Side, op: PayOp): TallyState {
  fresh(s, op.chit)
  let next = s
  if (op.invoice !== undefined) {
    const inv = s.pending[op.invoice]
    if (inv === undefined || inv.kind !== 'invoice' || inv.by !== otherSide(side)) throw new UnknownInvoiceError(op.invoice)
    if (inv.units !== op.units) throw new InvoiceMismatchError(inv.units, op.units)
    next = { ...record(s, op.invoice, { kind: 'invoice', by: inv.by, units: inv.units, status: 'good' }), pending: withoutPending(s, op.invoice) }
  }
  checkClosing(s, side, op.units)
  checkLimit(s, side, op.units)
  return settle(record(move(next, side, op.units), op.chit, { kind: 'tran', by: side, units: op.units, status: 'good' }))
}

export function invoice (s: TallyState, side: Side, op: InvoiceOp): TallyState {
  fresh(s, op.chit)
  checkClosing(s, otherSide(side), op.units)
  return { ...s, pending: { ...s.pending, [op.chit]: { kind: 'invoice', by: side, units: op.units } } }
}

export function decline (s: TallyState, side: Side, op: DeclineOp): TallyState {
  const inv = s.pending[op.invoice]
  if (inv === undefined || inv.kind !== 'invoice' || inv.by !== otherSide(side)) throw new UnknownInvoiceError(op.invoice)
  return { ...record(s, op.invoice, { kind: 'invoice', by: inv.by, units: inv.units, status: 'void' }), pending: withoutPending(s, op.invoice) }
}

export function setting (s: TallyState, side: Side, op: SetOp): TallyState {
  fresh(s, op.chit)
  if (op.vars !== undefined) checkTradingVars(op.vars)
  if (op.close === true && s.status !== 'open') throw new ForbiddenTransitionError(s.status, 'ask to close')
  let next = record(s, op.chit, { kind: 'set', by: side, status: 'good' })
  if (op.vars !== undefined) next = { ...next, [side]: { ...next[side], vars: op.vars } }
  if (op.liftKey === null) {
    const { liftKey: _revoked, ...rest } = next[side]
    next = { ...next, [side]: rest }
  } else if (op.liftKey !== undefined) {
    next = { ...next, [side]: { ...next[side], liftKey: op.liftKey } }
  }
  if (op.close === true) next = settle({ ...next, status: 'closing' })
  return next
}

export function lift (s: TallyState, side: Side, op: LiftOp): TallyState {
  fresh(s, op.chit)
  checkClosing(s, side, op.units)
  checkLimit(s, side, op.units)
  const room = liftRoom(s, otherSide(side))
  if (op.units > room) throw new OverBoundError(op.units, room)
  return { ...s, pending: { ...s.pending, [op.chit]: { kind: 'lift', by: side, units: op.units, lift: op.lift, referees: op.referees, expires: op.expires } } }
}

/** A referee majority decided: every pending chit of that lift on this tally becomes good (value moves) or void. */
export function resolveLift (s: TallyState, chitId: string, outcome: 'good' | 'void'): TallyState {
  const c = s.pending[chitId]
  if (c === undefined || c.kind !== 'lift') return s
  let next: TallyState = { ...s, pending: withoutPending(s, chitId) }
  if (outcome === 'good') next = move(next, c.by, c.units)
  return settle(record(next, chitId, { kind: 'lift', by: c.by, units: c.units, status: outcome }))
}

export function members (s: TallyState, op: MembersOp): TallyState {
  checkMemberSet(op.members)
  return { ...s, stock: { ...s.stock, members: op.members.stock }, foil: { ...s.foil, members: op.members.foil } }
}

export function reseat (s: TallyState, side: Side, op: ReseatOp): TallyState {
  checkMembers(op.members, `${side} members`, s[otherSide(side)].members)
  return { ...s, [side]: { ...s[side], members: op.members } }
}

export function checkMemberSet (set: MemberSet): void {
  checkMembers(set.stock, 'stock members')
  checkMembers(set.foil, 'foil members', set.stock)
}
