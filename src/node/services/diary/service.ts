// The diary service: keeps the certified diary (DESIGN.md §5) of every replicated record this node is a
// member of (tallies now; any ReplicatedMachine later), over the /mychips/diary/1.0.0 protocol.
//
// It drives the sans-IO member and proposer machines of src/core/diary with the node's ports: the Network
// (libp2p or simulated), the Store (one transaction per state change), injected timers and randomness.
// User actions go through a durable outbox: they survive reloads and crashes until seen in a certified entry.
//
// Storage (tables of src/node/store/store.ts; `<tally>` is the tally id, `<seq>` zero-padded to 12 digits):
//   'entries'  `<tally>/<seq>`            the certificate of entry seq (kept forever, verifies offline)
//   'pending'  `genesis/<tally>`          the Genesis the diary starts from
//   'pending'  `member/<tally>`           the member's durable record: head ref, reservation, answers, promised round
//   'pending'  `state/<tally>`            the machine state after the head (rewritten only when the head moves)
//   'outbox'   `<tally>/<n>`              an action waiting to be certified (n = zero-padded queue counter)
// The 'tallies' table is left to the tally service.
import type { ChipsError } from '../../../core/errors'
import type { Certificate } from '../../../core/diary/certificate'
import type { Genesis, HeadRef } from '../../../core/diary/head'
import type { RefusedAction } from '../../../core/diary/entry'
import type { ReplicatedMachine } from '../../../core/diary/machine'
import type { ProposerConfig } from '../../../core/diary/proposer'
import type { SignatureProvider } from '../../../core/crypto/provider'
import type { Network } from '../../net/network'
import type { Store } from '../../store/store'
import type { Clock, Logger, Random, Timers } from '../../ports'

/** The outcome of one submitted action, once it is in a certified entry. */
export interface ActionOutcome {
  /** hashOf(action): how the diary recognises an action (actions must be unique, e.g. by chit id). */
  id: string
  /** The seq and hash of the certified entry that holds it. */
  seq: number
  entry: string
  /** Its index in that entry. */
  index: number
  /** Present when the machine refused it (it stays in the diary with this stable code). */
  refused?: string
}

/** What submit resolves with: every submitted action, in order, is in a certified entry. */
export interface CertifiedEntry {
  tally: string
  /** One per submitted action, in submission order (a batch may be split across entries by rebases). */
  outcomes: ActionOutcome[]
  /** The certified head after the last of them. */
  head: HeadRef
}

/** Why an action is still in the outbox. */
export type QueuedReason =
  /** Handed to (or being handed to) the preferred proposer; waiting for its certificate. */
  | 'proposer'
  /** In an entry this node proposed, waiting for the members' answers. */
  | 'pending'
  /** No member of the partner's party can be reached: retried with backoff ("waiting for the partner"). */
  | 'partner'

/** An action in the outbox (durable until seen in a certified entry). */
export interface QueuedAction<A> {
  tally: string
  id: string
  action: A
  /** When it was submitted (Clock ms). */
  queuedAt: number
  reason: QueuedReason
  /** Delivery attempts so far and, while waiting for the partner, when the next one is due (Clock ms). */
  attempts: number
  retryAt?: number
}

export interface DiaryEvents<A> {
  /** A certificate was applied here (whoever proposed it): the head moved to `seq`. */
  certified: { tally: string, seq: number, hash: string, author: string, actions: A[], refused: RefusedAction[] }
  /** The outbox of a tally changed (added, sent, waiting for the partner, removed). */
  queued: { tally: string, queued: Array<QueuedAction<A>> }
  /** An entry holding some of our actions was proposed and awaits its certificate. */
  pending: { tally: string, seq: number, hash: string, ids: string[] }
  /** Actions dropped from the outbox for good (rejected on their merits; the submit promise rejects too). */
  failed: { tally: string, ids: string[], error: ChipsError }
}

export interface OpenOptions {
  /** Addresses to dial members at (member key → multiaddrs) when no connection is open; merged with the service's resolver. */
  addrs?: Record<string, readonly string[]>
}

/**
 * The certified diary of every tally (or other replicated record) this node is a member of.
 * Generic over the replicated machine's state S and action A. All methods are safe to call concurrently.
 */
export interface DiaryService<S, A> {
  /**
   * Starts keeping a diary (after negotiation opened a tally). Idempotent: when the store already holds this
   * tally, its state is reloaded and the genesis given must match the stored one (else GenesisMismatchError).
   * Resumes the outbox (queued actions are retried). Resolves with the certified head.
   */
  open (genesis: Genesis<S>, options?: OpenOptions): Promise<HeadRef>
  /** Reloads every tally found in the store (call once at start-up). Returns their ids. */
  resume (): Promise<string[]>
  /** The tallies this service keeps. */
  tallies (): string[]
  /**
   * Gets signed actions certified. They are first written to the outbox (one transaction), then handed to the
   * preferred proposer (the foil's first reachable member, DESIGN §5) or proposed here when that is this node
   * or it is unreachable; several queued actions are batched into one entry. Resolves once every action is in
   * a certified entry (an action the machine refuses is certified with its refusal code: see
   * ActionOutcome.refused). Rejects with a named error on final failure: ProposalRejectedError
   * (PROPOSAL_REJECTED: the entry is invalid on its merits, e.g. a malformed action — dropped from the outbox),
   * UnknownTallyError, DiaryStoppedError. While the partner's members are unreachable the actions stay queued
   * (reason 'partner') and are retried with backoff, across reloads; the promise stays pending meanwhile (and
   * is lost on a reload — watch the 'certified' event then).
   */
  submit (tally: string, actions: A[]): Promise<CertifiedEntry>
  /** What is waiting in the outbox ("waiting for the partner"), in submission order. */
  queued (tally: string): Promise<Array<QueuedAction<A>>>
  /** The certified head, or undefined for an unknown tally. */
  head (tally: string): HeadRef | undefined
  /** The machine state after the certified head, or undefined for an unknown tally. */
  state (tally: string): S | undefined
  /** The certified history from seq `from` (default 1), at most `limit` certificates, in seq order. */
  entries (tally: string, from?: number, limit?: number): Promise<Array<Certificate<A>>>
  /**
   * Fetches the certificates after our head from a member (by member key; default: every reachable member in
   * turn), verifies them offline against our head (verifyHistory rules: chain, quorum of the member set in
   * force at each seq, every action re-applied) and applies them. Resolves with the new head. A peer that
   * sends anything that does not verify is refused with the named error and nothing is applied from it.
   */
  catchUp (tally: string, fromMember?: string): Promise<HeadRef>
  on<K extends keyof DiaryEvents<A>> (event: K, listener: (detail: DiaryEvents<A>[K]) => void): () => void
  /** Stops timers and the protocol handler; pending submit promises reject with DiaryStoppedError. */
  stop (): Promise<void>
}

/** This node as a diary member: its Ed25519 device key (the libp2p key), raw. See memberIdentityFromPeerKey. */
export interface DiaryIdentity {
  /** Raw 32-byte Ed25519 secret (seed). */
  secret: Uint8Array
  /** Its public key, base64url (the Member.key of this node). */
  key: string
}

export interface DiaryServiceDeps<S, A> {
  network: Network
  store: Store
  crypto: SignatureProvider
  machine: ReplicatedMachine<S, A>
  identity: DiaryIdentity
  clock: Clock
  timers: Timers
  random: Random
  logger: Logger
  /** Addresses to dial a member at when no link is open (e.g. from contacts); may return []. */
  addrsOf?: (memberKey: string) => readonly string[]
  /**
   * Stateless check of an action another member hands us (shape, signatures; for tallies: preverifyAction).
   * Throw a named error to refuse the handoff. Default: none (the proposal rules catch a bad action later).
   * Not a state check: a handed action may build on actions still queued (its chain key ahead of the head).
   */
  check?: (action: unknown) => Promise<void>
  /**
   * Orders a batch before it is proposed. For tallies: each side's chain actions by chain index (an entry with
   * a chain key ahead of the chain is rejected whole). Default: submission / arrival order.
   */
  order?: (actions: A[]) => A[]
  /** Tuning (defaults suit a phone on a relayed link). */
  config?: Partial<DiaryConfig>
}

export interface DiaryConfig {
  /** Largest batch of actions per entry (≤ MAX_ACTIONS_PER_ENTRY). */
  maxBatch: number
  /** Largest batch in bytes of action JSON: a signed entry must stay under MAX_ENVELOPE_BYTES with its header. */
  maxBatchBytes: number
  /** How long a handed-off action may wait for its certificate before it is handed again or proposed here. */
  handoffTimeoutMs: number
  /** Backoff while the partner is unreachable. */
  retry: { baseMs: number, capMs: number }
  /** The proposer machine's tuning (resend interval, rounds before a stall, attempts, checkpoints). */
  proposer: ProposerConfig
  /** How long a member that failed to answer counts as unreachable (it is tried again after). */
  unreachableMs: number
}
