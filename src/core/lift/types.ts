// Lift records and messages (DESIGN.md §7; design: docs/lifts.md). Plain data that crosses the network:
// every field is validated at the boundary with the schemas in ./schema.ts. Units are integers; fees and
// trading variables are integer ppm. Identities never appear on a route: links are per-session nonces and
// nodes are per-session keys.
import type { Signed } from '../codec/envelope'

export type LiftKind = 'circular' | 'linear'

/** What one tally edge "giver → receiver" can carry (./lading.ts). */
export interface Lading {
  /** Units lifts may move to the receiver at no fee (up to its target), within the giver's credit. */
  free: number
  /** Units up to max(target, bound) of the receiver (the part above `free` would be rewarded). */
  max: number
  /** The giver's fee for giving, ppm. */
  clutch: number
  /** The receiver's fee for value above its target, ppm. */
  reward: number
}

// ---- discovery (/mychips/route/1.0.0) ----

export interface RouteTarget {
  kind: LiftKind
  /** targetToken(session, userId): the route ends at the node of this user (the originator when circular). */
  token: string
}

export interface RouteQuery {
  v: 1
  /** 32 random bytes (base64url), fresh per discovery. */
  session: string
  target: RouteTarget
  /** Least free lading wanted on every edge. */
  units: number
  /** Hops still allowed from the receiver of this query (≥ 1). */
  depth: number
  /** Time the receiver has to answer, ms. */
  budgetMs: number
  /** linkNonce(tally, session) of the tally the query came over (the sender gives to the receiver on it). */
  link: string
}

/** One leg of a discovered route, as the node before it sees it. */
export interface RouteHop {
  /** linkNonce of the tally of this leg. */
  link: string
  /** Session key of the leg's receiver. */
  key: string
  /** Free lading of the leg. */
  free: number
  /** The leg giver's clutch, ppm. */
  clutch: number
}

export interface RoutePlan {
  hops: RouteHop[]
}

export interface RouteAnswer {
  v: 1
  /** The answering node's session key. */
  key: string
  /** The answering node is the target. */
  target?: true
  /** Routes from the answering node to the target (an empty hop list when it is the target). */
  plans: RoutePlan[]
}

// ---- execution (/mychips/lift/1.0.0) and referees (/mychips/referee/1.0.0) ----

export interface RefereeRef {
  /** The referee's Ed25519 public key (base64url): it signs decisions. */
  key: string
  /** Its node's peer id. */
  peer: string
  /** Where to dial it (multiaddrs), when known. */
  addrs?: string[]
}

export interface LiftLeg {
  link: string
  units: number
  /** Session key of the leg's receiver: it signs the leg's promise. */
  key: string
}

export interface LiftRecordBody {
  id: string
  session: string
  kind: LiftKind
  /** The originator's session key: the record's signer. */
  origin: string
  legs: LiftLeg[]
  /** An odd number (1..MAX_REFEREES) of referees. */
  referees: RefereeRef[]
  /** ms since epoch: referees decide void at or after this time unless already good. */
  expires: number
  created: number
}

export type LiftRecord = Signed<LiftRecordBody>
export const LIFT_RECORD_TYPE = 'lift-record'

export type PromiseVerdict = 'promise' | 'refuse'

export interface LiftPromiseBody {
  lift: string
  /** hashOf(the record body). */
  record: string
  leg: number
  verdict: PromiseVerdict
  /** Why a refusal (a ChipsError code). */
  reason?: string
}

export type LiftPromise = Signed<LiftPromiseBody>
export const LIFT_PROMISE_TYPE = 'lift-promise'

/** Messages between the tally partners of a lift. */
export type LiftMessage =
  | { v: 1, type: 'promise', record: LiftRecord, promises: LiftPromise[], leg: number }
  | { v: 1, type: 'decision', lift: string, decisions: Array<Signed<{ lift: string, outcome: 'good' | 'void' }>> }

/** Requests to a referee. */
export type RefereeRequest =
  | { v: 1, type: 'call', record: LiftRecord, promises: LiftPromise[] }
  | { v: 1, type: 'refuse', record: LiftRecord, refusal: LiftPromise }
  | { v: 1, type: 'query', record: LiftRecord }

export type RefereeAnswer =
  | { v: 1, status: 'pending' }
  | { v: 1, status: 'decided', decision: Signed<{ lift: string, outcome: 'good' | 'void' }> }

/** Two signed decisions of one referee for one lift with different outcomes. */
export interface FraudProof {
  lift: string
  referee: string
  good: Signed<{ lift: string, outcome: 'good' | 'void' }>
  void: Signed<{ lift: string, outcome: 'good' | 'void' }>
}
