// The node facade the worker serves to the UI (through the typed RPC in src/worker). Everything here
// is plain, structured-clone-safe data: it crosses the worker boundary as is.
import type { LinkKind } from './net/network'

export type NodePhase = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed'

/** One relay the node uses: connecting → connected → reserved (a circuit-relay slot is held). */
export type RelayState = 'connecting' | 'connected' | 'reserved' | 'down'

export interface RelayStatus {
  /** The relay's multiaddr including /p2p/<relay peer id>. */
  addr: string
  state: RelayState
  /** Why the last attempt failed, in words for people. */
  error?: string
  /** When the next retry is due (ms since epoch), while state is 'down'. */
  retryAt?: number
}

export type HelloState = 'pending' | 'verified' | 'failed'

export interface PeerStatus {
  peerId: string
  /** Known once a hello was verified. */
  userId?: string
  name?: string
  link: LinkKind | 'none'
  hello: HelloState
  error?: string
  /** Last verified hello (ms since epoch). */
  lastHelloAt?: number
}

export interface NodeStatus {
  phase: NodePhase
  userId: string
  name: string
  peerId: string
  /** Addresses others can dial (circuit addresses through held reservations, plus /webrtc ones). */
  addrs: string[]
  relays: RelayStatus[]
  peers: PeerStatus[]
  error?: string
}

/** What a contact link carries: who, and how to reach their node. */
export interface ContactCard {
  v: 1
  userId: string
  name: string
  peerId: string
  addrs: string[]
}

export interface WalletNode {
  status (): NodeStatus
  /** Called on every status change; returns an unsubscribe function. */
  onStatus (listener: (status: NodeStatus) => void): () => void
  contact (): ContactCard
  /** Dials the card's node, exchanges signed hellos and resolves with the verified peer. */
  connect (card: ContactCard): Promise<PeerStatus>
  /** Sends a fresh hello on the existing link (proves the link still works, e.g. after the relay stopped). */
  hello (peerId: string): Promise<PeerStatus>
  stop (): Promise<void>
  /** The tally service (absent when the node was started without it). */
  readonly tallies?: TallyApi
  /** Called with a tally's view whenever it changes (negotiation, certified chits, queue); returns an unsubscribe function. */
  onTallies? (listener: (tally: TallyView) => void): () => void
  /** The lift service (absent without the tally service or when started without it). */
  readonly lifts?: LiftApi
}

/** The wallet's identity as kept by its node. Secrets never leave the worker. */
export interface Identity {
  userId: string
  name: string
  /** Ed25519 secret of the user's root key (derived from the recovery phrase). */
  userSecret: Uint8Array
  /** This device's libp2p private key (protobuf bytes); random per install, never derived from the phrase. */
  peerKey: Uint8Array
  peerId: string
  /** The user key's signature binding this device's peer id to the user (a signed envelope, as JSON). */
  deviceCert: unknown
  createdAt: number
}

/** Public, clone-safe view of the identity for the UI. */
export interface IdentityInfo {
  userId: string
  name: string
  peerId: string
  createdAt: number
}

// ---- Tallies (src/node/services/tallies): plain data for the UI. Amounts are integer units (1 CHIP = 1000). ----

export type SideName = 'stock' | 'foil'

/**
 * Where a tally stands for this wallet. Negotiation: 'draft' (an invitation is out, nobody redeemed it yet),
 * 'offer' (signed by one side: see `awaiting`), 'void' (refused). Then 'open', 'closing' (a close was asked,
 * it closes at zero balance) and 'closed'.
 */
export type TallyViewStatus = 'draft' | 'offer' | 'open' | 'closing' | 'closed' | 'void'

export interface TallyTermsView {
  /** Credit the stock grants the foil: the most the foil may owe (units). */
  stockLimit: number
  /** Credit the foil grants the stock: the most the stock may owe (units). */
  foilLimit: number
  stockCall: number
  foilCall: number
}

export interface TradingVarsView { target: number, bound: number, reward: number, clutch: number }

export interface TallyView {
  id: string
  status: TallyViewStatus
  /** Who must act next during negotiation: 'me' (an offer to accept, counter or refuse), 'partner', or undefined. */
  awaiting?: 'me' | 'partner'
  /** 'stock' = I extend credit (I am owed when the balance is positive), 'foil' = I receive credit. */
  mySide: SideName
  role: 'inviter' | 'invitee'
  partner?: { userId: string, name: string }
  terms: TallyTermsView
  revision: number
  contractHash: string
  /** Plain memo of the invitation, when known. */
  memo?: string
  /** Certified balance from my side: positive = the partner owes me. */
  balance: number
  /** Net effect of my chits not yet certified (queued or pending), from my side. */
  pendingEffect: number
  /** What I can still pay the partner, and what the partner can still pay me (certified state). */
  availableToMe: number
  availableToPartner: number
  myVars?: TradingVarsView
  partnerVars?: TradingVarsView
  /** Invoices waiting for my answer / for the partner's. */
  invoicesToMe: number
  invoicesToPartner: number
  chits: number
  /** Certified diary head. */
  seq: number
  /** Actions waiting to be certified; waitingForPartner when the partner's nodes cannot be reached. */
  queued: number
  waitingForPartner: boolean
  /** The last refusal of a negotiation message or action, for the UI to show. */
  error?: { code: string, message: string }
  /** A draft again because an offer was withdrawn to revise it (scenario 11): by me, or by the partner. */
  revisedBy?: 'me' | 'partner'
  /**
   * The partner's nodes refuse this device as a tally member: the wallet was restored on another device that
   * took this one's place. Final: nothing can be paid or invoiced from here (error.code 'DEVICE_REPLACED').
   */
  replaced?: boolean
  createdAt: number
  updatedAt: number
}

export type ChitViewKind = 'payment' | 'invoice' | 'settings' | 'close' | 'decline' | 'lift'
export type ChitViewStatus = 'pending' | 'final' | 'refused' | 'invoice-open' | 'invoice-declined' | 'invoice-paid'

export interface ChitView {
  id: string
  tally: string
  kind: ChitViewKind
  /** Signed units from my side: + moves value toward me (I am paid / I invoice), − away (I pay). 0 for settings. */
  units: number
  memo?: string
  by: 'me' | 'partner'
  status: ChitViewStatus
  /** The issuer's time (ms since epoch), from the sealed memo. */
  time?: number
  /** The diary seq that certified it. */
  seq?: number
  /** For a payment of an invoice: the invoice id. */
  invoice?: string
  refusal?: { code: string, message: string }
}

export interface InvitationView {
  token: string
  tally: string
  link: string
  mySide: SideName
  terms: TallyTermsView
  contractHash: string
  memo?: string
  expires: number
  reuse: boolean
  usedAt?: number
  createdAt: number
}

/** What the invited partner sees before and after redeeming: who invites, the terms and the contract. */
export interface OfferView {
  tally: string
  from: { userId: string, name: string, peerId: string }
  /** The side I would hold. */
  mySide: SideName
  terms: TallyTermsView
  contractHash: string
  /** Whether this app knows the contract text for the hash (DEFAULT_CONTRACT). */
  contractKnown: boolean
  memo?: string
  expires: number
  revision: number
}

export interface InviteRequest {
  /** 'extend' = I extend credit (I hold the stock); 'ask' = I ask for credit (I hold the foil). */
  kind: 'extend' | 'ask'
  /** Credit I grant the partner (units). */
  myLimit: number
  /** Credit I ask of the partner (units). */
  partnerLimit: number
  memo?: string
  reuse?: boolean
  /** Lifetime in ms (default 48 h). */
  lifetimeMs?: number
}

export interface CounterRequest {
  /** New limit I grant the partner (units). */
  myLimit?: number
  /** New limit I ask of the partner (units). */
  partnerLimit?: number
}

export interface TradeVarsRequest { target: number, bound: number, reward: number, clutch: number }

/** The tally operations of a running wallet node. */
export interface TallyApi {
  invite (baseUrl: string, request: InviteRequest): Promise<InvitationView>
  invitations (): Promise<InvitationView[]>
  /** Parses and verifies an invitation link without contacting anyone (what the partner sees first). */
  previewInvitation (link: string): Promise<OfferView>
  /** Redeems the invitation with the inviter's node; resolves with the offer (the tally is then awaiting me). */
  redeem (link: string): Promise<TallyView>
  accept (tally: string): Promise<TallyView>
  counter (tally: string, request: CounterRequest): Promise<TallyView>
  refuse (tally: string, reason?: string): Promise<TallyView>
  /**
   * Withdraws the offer on the table (usually mine, while the partner has not answered) back to draft with
   * revision + 1 and both signatures cleared; the partner is notified and can no longer accept it (OFFER_WITHDRAWN).
   */
  revise (tally: string): Promise<TallyView>
  /** After a revise: offers the draft again, with the limits changed as asked (the partner then accepts, counters or refuses). */
  offerAgain (tally: string, request?: CounterRequest): Promise<TallyView>
  list (): Promise<TallyView[]>
  get (tally: string): Promise<TallyView>
  chits (tally: string, options?: { limit?: number }): Promise<ChitView[]>
  pay (tally: string, units: number, memo?: string): Promise<ChitView>
  invoice (tally: string, units: number, memo?: string): Promise<ChitView>
  acceptInvoice (tally: string, invoice: string): Promise<ChitView>
  declineInvoice (tally: string, invoice: string, reason?: string): Promise<ChitView>
  setTradingVars (tally: string, vars: TradeVarsRequest): Promise<ChitView>
  requestClose (tally: string): Promise<ChitView>
  /** Called with the tally's view whenever it changes; returns an unsubscribe function. */
  onChange (listener: (tally: TallyView) => void): () => void
}

// ---- Lifts (src/node/services/lifts, docs/lifts.md): circular clearing and payments to anyone. ----

export type LiftViewKind = 'circular' | 'linear'
/** seeking: discovering a route; pending: chits promised, waiting for the referees; failed: no lift was made (no route, refused before any chit). */
export type LiftViewStatus = 'seeking' | 'pending' | 'good' | 'void' | 'failed'
export type LiftRole = 'originator' | 'intermediary' | 'payee'

/** What a lift does to one of my tallies. */
export interface LiftEffectView {
  tally: string
  /** The partner's name on that tally. */
  partner?: string
  /** Signed units from my side: + my balance rises, − it falls. */
  units: number
  status: 'pending' | 'good' | 'void'
  /** The id of the lift chit on that tally (liftChitId(lift, leg)): the tally history shows the lift's status by it. */
  chit?: string
}

export interface LiftView {
  id: string
  kind: LiftViewKind
  role: LiftRole
  status: LiftViewStatus
  /** Circular: units cleared on every leg. Linear: what the payee receives. */
  units: number
  /** Originator of a payment: total fee paid on the route; intermediary: fee earned; otherwise 0. */
  fee: number
  /** Legs of the route (known to the originator; others see 2, or 1 for a payee). */
  legs: number
  effects: LiftEffectView[]
  /** Payee user id (the payer's own view of a linear lift). */
  to?: string
  createdAt: number
  expires: number
  decidedAt?: number
  error?: { code: string, message: string }
  /** A referee signed both good and void for this lift: the fraud proof is kept. */
  fraud?: true
}

export interface LiftQuote {
  to: string
  /** What the payee receives. */
  units: number
  /** Route fee (clutches of the intermediaries); the payer gives units + fee. */
  fee: number
  legs: number
}

export interface PayAnyoneRequest {
  /** The payee's user id. */
  to: string
  units: number
  /** Refuse routes costing more (default: the quote's fee is accepted up to 1 % of units). */
  maxFee?: number
}

export interface AutoClearView {
  on: boolean
  intervalMs: number
  lastRun?: number
}

export interface LiftApi {
  /** Finds a route to a user and prices it (NO_ROUTE when there is none). */
  quote (request: { to: string, units: number }): Promise<LiftQuote>
  /** Pays a user along a route (a linear lift); resolves once decided, or pending after the wait. */
  pay (request: PayAnyoneRequest): Promise<LiftView>
  /** Looks for a circular lift now and makes it (a lift lost to a concurrent one is retried with a fresh discovery; config.clearLifts > 1 makes several): the first good one, else the last tried; undefined when there is nothing to clear. */
  clear (): Promise<LiftView | undefined>
  /** Lifts this node took part in, newest first. */
  list (): Promise<LiftView[]>
  get (id: string): Promise<LiftView>
  autoClear (): Promise<AutoClearView>
  setAutoClear (on: boolean): Promise<AutoClearView>
  onChange (listener: (lift: LiftView) => void): () => void
}
