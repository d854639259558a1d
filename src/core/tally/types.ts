// The tally document: a bilateral credit agreement signed by both parties' root keys (DESIGN.md §2).
// All money is integer units (1 CHIP = 1000 units); reward and clutch are integers in parts per million.
import type { Member, Party } from '../diary/machine'
import type { Sealed } from '../crypto/seal'

export type Side = Party

export function otherSide (side: Side): Side {
  return side === 'stock' ? 'foil' : 'stock'
}

/** Credit terms one side grants its partner. */
export interface Terms {
  /** The most the partner may owe this side, in units. */
  limit: number
  /** Days of notice the partner gets to pay down after a call. */
  call: number
}

/** A side's trading variables (research §1.2): what lifts may do to its balance, and at what fee. */
export interface TradingVars {
  /** Ideal balance to reach through lifts, units, 0 ≤ target ≤ bound. */
  target: number
  /** The most lifts may accrue, units. */
  bound: number
  /** Fee for lifts beyond target, ppm in [−1 000 000, 1 000 000]. */
  reward: number
  /** Fee for drops (movements that reduce the holder's credit), ppm in [−1 000 000, 1 000 000]; reward + clutch ≥ 0. */
  clutch: number
}

/** Who a party is, as embedded in the tally. Personal details are sealed with the tally key. */
export interface PartyCert {
  userId: string
  /** The name shown to the partner. */
  name: string
  details?: Sealed
}

/** A party's identity and keys for this tally (filled in by the party itself). */
export interface PartyInfo {
  cert: PartyCert
  /** Public key of the party's first chain key (index 0) for this tally. */
  chain: string
  /** X25519 public key of the party's seal key for this tally. */
  seal: string
  /** The party's initial tally-network members (its nodes). */
  members: Member[]
}

export interface TallySide {
  /** Terms this side grants its partner. */
  terms: Terms
  vars: TradingVars
  /** Absent on the partner's side of a draft until the invitation is redeemed. */
  party?: PartyInfo
}

export interface TallyDoc {
  /** Chosen by the drafter (from injected randomness); stays across revisions. */
  id: string
  /** Starts at 1; every counter-offer or revision increments it. */
  revision: number
  /** ms since epoch, from the drafter's clock. */
  date: number
  /** hashOf(contract document): the contract is referenced by hash. */
  contract: string
  memo?: Sealed
  stock: TallySide
  foil: TallySide
}

/** Signatures of the parties' root keys over ('tally', doc); base64url. */
export interface TallySigs {
  stock?: string
  foil?: string
}

/** A tally as exchanged during negotiation and kept as the diary's genesis: the document and its signatures. */
export interface SignedTally {
  doc: TallyDoc
  sigs: TallySigs
}

export const DEFAULT_VARS: TradingVars = { target: 0, bound: 0, reward: 0, clutch: 0 }
