// The replicated state of an open tally (what every member node computes from the certified diary), its
// genesis from the fully signed tally, and the money views: balances from each side, available credit.
import type { SignatureProvider } from '../crypto/provider'
import type { Member, MemberSet } from '../diary/machine'
import type { Genesis } from '../diary/head'
import type { ChainPosition } from '../keys/chain'
import { hashOf } from '../codec/hash'
import { MalformedError } from '../errors'
import { verifyTallySig } from './document'
import { parseTallyDoc } from './rules'
import type { ChitIndex } from './chit-index'
import { otherSide, type Side, type SignedTally, type Terms, type TradingVars } from './types'

export type TallyStatus = 'open' | 'closing' | 'closed'

export interface PartyState {
  userId: string
  terms: Terms
  vars: TradingVars
  chain: ChainPosition
  members: Member[]
  /** The key allowed to sign this side's lift chits without the recovery secret (a cloud node's), if any. */
  liftKey?: string
}

export interface PendingInvoice { kind: 'invoice', by: Side, units: number }
export interface PendingLift { kind: 'lift', by: Side, units: number, lift: string, referees: string[], expires: number }
export type PendingChit = PendingInvoice | PendingLift

export interface TallyState {
  tally: string
  /** hashOf(the signed tally document). */
  doc: string
  status: TallyStatus
  /** Units the foil owes the stock, from good chits only (the stock's view; the foil sees −balance). */
  balance: number
  stock: PartyState
  foil: PartyState
  /** Invoices awaiting the payer and conditional lift chits awaiting a decision, by chit id. */
  pending: Record<string, PendingChit>
  chits: ChitIndex
  /** Actions applied (accepted or refused). */
  actions: number
}

/** The diary's genesis: checks the document and both root signatures, then starts the tally open at zero. */
export async function openTally (p: SignatureProvider, signed: SignedTally): Promise<TallyState> {
  const doc = parseTallyDoc(signed.doc, true)
  for (const side of ['stock', 'foil'] as const) {
    const sig = signed.sigs[side]
    if (sig === undefined) throw new MalformedError(`the ${side} signature is missing`)
    await verifyTallySig(p, doc, side, sig)
  }
  const party = (side: Side): PartyState => {
    const info = doc[side].party!
    return { userId: info.cert.userId, terms: doc[side].terms, vars: doc[side].vars, chain: { index: 0, next: info.chain }, members: info.members }
  }
  return { tally: doc.id, doc: hashOf(doc), status: 'open', balance: 0, stock: party('stock'), foil: party('foil'), pending: {}, chits: {}, actions: 0 }
}

/** The diary's Genesis for a fully signed tally: entry 1 chains onto hashOf(doc). */
export async function tallyGenesis (p: SignatureProvider, signed: SignedTally): Promise<Genesis<TallyState>> {
  const state = await openTally(p, signed)
  return { tally: state.tally, hash: state.doc, state }
}

export function memberSet (s: TallyState): MemberSet {
  return { stock: s.stock.members, foil: s.foil.members }
}

/** The side's balance from its own perspective: positive = it is owed. Good chits only. */
export function balanceOf (s: TallyState, side: Side): number {
  return side === 'stock' ? s.balance : -s.balance
}

/** Units of conditional lift chits the side has pending as giver. */
export function pendingGiven (s: TallyState, side: Side): number {
  let n = 0
  for (const c of Object.values(s.pending)) if (c.kind === 'lift' && c.by === side) n += c.units
  return n
}

/** The side's debt if every pending lift chit resolves against it (pending lifts count against the holder only). */
export function worstDebt (s: TallyState, side: Side): number {
  return -balanceOf(s, side) + pendingGiven(s, side)
}

/**
 * What `side` can still pay its partner: the limit the partner grants, less its worst-case debt. Unpaid
 * invoices never count, either way.
 */
export function availableCredit (s: TallyState, side: Side): number {
  return Math.max(0, s[otherSide(side)].terms.limit - worstDebt(s, side))
}

/** How much more lifts may move toward `side` before its credit passes max(target, bound). */
export function liftRoom (s: TallyState, side: Side): number {
  const ceiling = Math.max(s[side].vars.target, s[side].vars.bound)
  return Math.max(0, ceiling - (balanceOf(s, side) + pendingGiven(s, otherSide(side))))
}
