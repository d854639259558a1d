// The seams between the node's lift services (design: docs/lifts.md): the route service (discovery,
// /mychips/route/1.0.0), the lift service (execution, /mychips/lift/1.0.0, and the LiftApi facade), the
// referee service (/mychips/referee/1.0.0) and the ledger port through which all of them read tallies and
// get lift chits and decisions certified (implemented over the TallyService and the diary).
import type { Signed } from '../../../core/codec/envelope'
import type { LiftDecisionBody, LiftOp } from '../../../core/chit/types'
import type { LiftKind, RefereeRef, RoutePlan } from '../../../core/lift/types'
import type { TallyState } from '../../../core/tally/state'
import type { Side } from '../../../core/tally/types'
import type { NodeServiceDeps } from '../deps'

/** An open tally as the lift services see it. */
export interface LedgerTally {
  id: string
  /** My side. */
  side: Side
  /** The partner's user id and the peer ids of its member nodes (where to send lift messages). */
  partner: { userId: string, peers: string[] }
  /** The certified state (after the diary head). */
  state: TallyState
}

/** Outcome of getting one lift chit or decision certified. */
export interface LedgerOutcome {
  /** Certified in the diary (possibly as a refusal). false: still queued when the wait ended. */
  certified: boolean
  /** The tally's refusal code, when it refused the action. */
  refused?: string
}

export interface LiftLedger {
  /** Open tallies with a certified state. */
  tallies (): LedgerTally[]
  tally (id: string): LedgerTally | undefined
  /** Signs `op` (a lift chit of my side) with my chain key and waits up to waitMs for its certificate. */
  submitLift (tally: string, op: LiftOp, waitMs: number): Promise<LedgerOutcome>
  /** Records a referee decision in the tally's diary (anyone may; idempotent: a decided lift is a no-op). */
  submitDecision (tally: string, lift: string, decisions: Array<Signed<LiftDecisionBody>>, waitMs: number): Promise<LedgerOutcome>
  /** Called after every certificate applied on a tally. */
  onCertified (listener: (tally: string) => void): () => void
  /**
   * Called with the referee decisions of every decision action certified (and not refused) on a tally,
   * whoever submitted it: a node that was away learns the outcome from its diary. Optional (additive).
   */
  onDecision? (listener: (tally: string, lift: string, decisions: Array<Signed<LiftDecisionBody>>) => void): () => void
}

export interface LiftConfig {
  /** Longest route, in legs (payments; also circular lifts unless clearDepth says otherwise). */
  maxDepth: number
  /**
   * Longest circular route (clear()), in legs; default maxDepth. Circular discovery marks the nodes near the
   * originator first and asks only partners that can close the cycle (protocols/route.ts route marks), so a
   * deeper circular search costs far less than a deeper payment search.
   */
  clearDepth?: number
  /** Budget each hop of a discovery takes off the time its children get, ms. */
  perHopMs: number
  /** Most plans an answer carries. */
  maxPlans: number
  /** Life of a lift from its creation to its expiry, ms. */
  lifeMs: number
  /** After expiry + graceMs, a node still holding a pending lift chit asks the referees. */
  graceMs: number
  /** How long a lift waits for one chit's certificate before it refuses, ms. */
  certifyWaitMs: number
  /** Auto-clearing period (jittered ±25 %), ms. */
  autoClearMs: number
  /** Smallest lift worth making, units. */
  minUnits: number
  /**
   * Good lifts one clear() makes before it stops (it discovers again after each), default 1: on the bench's
   * random networks draining a node's cycles in one go cleared no more (100 and 300 users) or less (30 users)
   * than one lift per clear, the first node taking lading that better cycles of later nodes needed.
   */
  clearLifts?: number
  /**
   * Clearing plan (docs/lifts.md §10, /mychips/plan/1.0.0): how long the partners push planned units before
   * lifting, ms; 0 (default): no plan, clear() lifts greedily. With a plan, clear() starts (or joins) a plan
   * epoch, waits for it to settle, then walks the plan and lifts the loops the walks close (plan-walk.ts).
   */
  planMs?: number
  /** Time a plan epoch spreads over the tallies before the pushes start, ms (default 2,000). */
  planJoinMs?: number
  /** How long after the pushes stop the plan bounds circular lifts, ms (default 60,000). */
  planLiftMs?: number
  /** How long a loop reservation holds planned units after its session's last one, ms (default 20,000). */
  planHoldMs?: number
  /** Referees of the lifts this node originates; default: this node's own referee. */
  referees?: RefereeRef[]
  /** Whether this node takes part in a lift with these referees (default: any odd, non-empty set). */
  acceptReferees?: (referees: readonly RefereeRef[]) => boolean
}

export const DEFAULT_LIFT_CONFIG: LiftConfig = {
  maxDepth: 6,
  perHopMs: 400,
  maxPlans: 4,
  lifeMs: 120_000,
  graceMs: 5_000,
  certifyWaitMs: 10_000,
  autoClearMs: 60_000,
  minUnits: 1
}

export interface RouteRequest {
  kind: LiftKind
  /** The payee's user id (linear). */
  to?: string
  /** Least free lading per edge. */
  units: number
  maxDepth?: number
  /** Overall time budget, ms (default maxDepth × perHopMs). */
  budgetMs?: number
}

export interface Discovery {
  session: string
  /** This node's session key (the route's first node). */
  key: string
  /** Routes from this node: hops[0].link is linkNonce(one of my tallies, session). Best first. */
  plans: RoutePlan[]
  /** Route messages this discovery caused that reached this node (queries sent + answers received). */
  messages: number
}

/** Discovery (/mychips/route/1.0.0): answers others' queries and runs this node's own. */
export interface RouteService {
  start (): void
  stop (): void
  find (request: RouteRequest): Promise<Discovery>
}

/** Secrets of this node for lifts (derived from its member secret; nothing stored). */
export interface LiftKeys {
  /** Session key pair for a discovery session (pseudonym + promise key). */
  session (session: string): { secret: Uint8Array, key: string }
  /** This node's referee key pair. */
  referee: { secret: Uint8Array, key: string }
}

export interface LiftServiceDeps extends NodeServiceDeps {
  ledger: LiftLedger
  keys: LiftKeys
  config?: Partial<LiftConfig>
  /** The clearing plan (plan-service.ts), when config.planMs > 0. */
  plan?: ClearingPlan
}

/**
 * The clearing plan as the other lift services see it (plan-service.ts): planned units per tally edge, which
 * circular lifts claim while the plan is in force, so that concurrent lifts keep within it together.
 */
export interface ClearingPlan {
  start (): void
  stop (): void
  /** Starts a plan epoch, or joins the one under way; resolves once its pushes stopped (undefined: stopped). */
  settle (): Promise<void>
  /** Whether a settled plan bounds circular lifts now. */
  inForce (): boolean
  /** Planned units neither claimed nor held on a tally where my side gives; undefined when no plan is in force. */
  left (tally: string): number | undefined
  /** Planned units not yet claimed on a tally where my side gives, held or not; undefined when no plan is in force. */
  unclaimed (tally: string): number | undefined
  /**
   * Holds planned units on a tally for a walk's session (plan-walk.ts) for a while, so that other walks leave
   * them to the loops this walk closes; a lift of that session claims from its hold first.
   */
  hold (session: string, tally: string, units: number): void
  /** Releases what is held for a session on one tally (its walk ended there without a loop). */
  unhold (session: string, tally: string): void
  /**
   * Claims `units` of the plan on a tally for a lift of `session` (idempotent per lift and tally); false when
   * fewer are left (unclaimed, not held for other sessions).
   */
  claim (lift: string, tally: string, units: number, session?: string): boolean
  /** Gives back a lift's claims (it ended void or failed). */
  release (lift: string): void
}
