// The typed RPC contract between the UI (main thread) and the wallet worker, served with comlink.
// Only plain data crosses; listeners are passed as comlink proxies. The UI imports types from here,
// never from src/node.
import type {
  AutoClearView, LiftQuote, LiftView, PayAnyoneRequest,
  ChitView, ContactCard, CounterRequest, IdentityInfo, InvitationView, InviteRequest, NodeStatus, OfferView, PeerStatus, TallyView,
  TradeVarsRequest
} from '../node/api'
import type { ContractDocument } from '../node/services/tallies/contract'

export type { ContactCard, IdentityInfo, NodeStatus, PeerStatus }
export type { ChitView, ContractDocument, CounterRequest, InvitationView, InviteRequest, OfferView, TallyView, TradeVarsRequest }
export type { TallyViewStatus, TallyTermsView, TradingVarsView, ChitViewKind, ChitViewStatus, SideName } from '../node/api'
export type {
  AutoClearView, LiftEffectView, LiftQuote, LiftRole, LiftView, LiftViewKind, LiftViewStatus, PayAnyoneRequest
} from '../node/api'

export interface StartOptions {
  /** Relay multiaddrs to use (the page reads its origin's relay document and the user's settings). */
  relays: string[]
  /** ICE servers recommended by the relay; [] in tests. */
  iceServers: RTCIceServer[]
  /** Whether to attempt direct WebRTC links (false: stay on relayed connections). */
  webrtc: boolean
  /**
   * Allow ws:// and loopback/private addresses (the browser's default connection gater refuses them).
   * Default: on only when a relay is plain ws:// at a loopback or private address (a page served by a
   * local relay, as in tests); never needed for wss:// relays.
   */
  allowInsecureLoopback?: boolean
  /** The auto-clearing period, ms (1 s … 1 day; default the node's). For tests and diagnostics (?autoClearMs=). */
  liftAutoClearMs?: number
}

export interface CreatedWallet {
  identity: IdentityInfo
  /** The BIP-39 recovery phrase, shown once for the user to write down. */
  phrase: string
}

/** Who a payment to anyone goes to, read from a pasted or scanned contact link, contact card or user id. */
export interface PayeeView {
  userId: string
  /** From the contact link, or from a tally with them. */
  name?: string
  /** This wallet has a tally with them (a plain tally payment is cheaper than a lift). */
  partner?: true
}

/** Errors cross the boundary as { code, message } (a ChipsError's stable code). */
export interface RpcErrorShape { code: string, message: string }

export interface WalletApi {
  /** Opens the store and claims the writer epoch. Call once the tab holds the wallet's Web Lock. */
  open (): Promise<IdentityInfo | undefined>
  create (name: string): Promise<CreatedWallet>
  restore (phrase: string, name: string): Promise<IdentityInfo>
  /** The recovery phrase, for a backup screen. */
  recoveryPhrase (): Promise<string>
  start (options: StartOptions): Promise<NodeStatus>
  status (): Promise<NodeStatus | undefined>
  /** Calls listener with every status change; returns a subscription id for unsubscribe. */
  subscribe (listener: (status: NodeStatus) => void): Promise<number>
  unsubscribe (id: number): Promise<void>
  contactLink (baseUrl: string): Promise<{ link: string, card: ContactCard }>
  /** Parses a contact link (or raw card JSON), connects and exchanges hellos. */
  connect (link: string): Promise<PeerStatus>
  hello (peerId: string): Promise<PeerStatus>
  /** Stops the node and closes the store (before a take-over or an update reload). */
  shutdown (): Promise<void>

  // ---- Tallies (docs/tallies.md). Amounts are integer units: 1 CHIP = 1000 units. ----

  /** Makes an invitation: a draft tally, a token and a signed link `<baseUrl>#invite=…` (one-time unless reuse). */
  invite (baseUrl: string, request: InviteRequest): Promise<InvitationView>
  invitations (): Promise<InvitationView[]>
  /** Verifies an invitation link offline: who invites, the terms, the contract, the expiry. */
  previewInvitation (link: string): Promise<OfferView>
  /** Redeems the invitation with the inviter's node; resolves with the tally awaiting my answer. */
  redeemInvitation (link: string): Promise<TallyView>
  /** Accept the partner's offer: I sign too, the tally opens (the partner learns it now or when back online). */
  acceptOffer (tally: string): Promise<TallyView>
  /** Counter the partner's offer with other limits (revision + 1, back to the partner). */
  counterOffer (tally: string, request: CounterRequest): Promise<TallyView>
  refuseOffer (tally: string, reason?: string): Promise<TallyView>
  /** Withdraw the offer on the table back to draft (revision + 1, signatures cleared); the partner is told and can no longer accept it. */
  reviseOffer (tally: string): Promise<TallyView>
  /** After a revise: offer the draft again, with the limits changed as asked. */
  offerAgain (tally: string, request?: CounterRequest): Promise<TallyView>
  tallies (): Promise<TallyView[]>
  tally (id: string): Promise<TallyView>
  /** The tally's chits, newest first (certified, then pending ones on top). */
  chits (tally: string, options?: { limit?: number }): Promise<ChitView[]>
  /** Pay the partner `units`. Resolves 'final' once certified, or 'pending' if the partner is offline (it completes later). */
  pay (tally: string, units: number, memo?: string): Promise<ChitView>
  /** Ask the partner to pay `units`. */
  invoice (tally: string, units: number, memo?: string): Promise<ChitView>
  acceptInvoice (tally: string, invoice: string): Promise<ChitView>
  declineInvoice (tally: string, invoice: string, reason?: string): Promise<ChitView>
  setTradingVars (tally: string, vars: TradeVarsRequest): Promise<ChitView>
  /** Ask to close: the tally then accepts only chits toward zero and closes at zero balance. */
  requestClose (tally: string): Promise<ChitView>
  /** The contract text for a hash this app knows (the default contract), or undefined. */
  contract (hash: string): Promise<ContractDocument | undefined>
  /** The contract a new invitation carries (shown on the invite form before anything is signed). */
  defaultContract (): Promise<{ hash: string, contract: ContractDocument }>
  /** Calls listener with a tally's view on every change; returns a subscription id. */
  subscribeTallies (listener: (tally: TallyView) => void): Promise<number>
  unsubscribeTallies (id: number): Promise<void>

  // ---- Lifts (docs/lifts.md): circular clearing and payments to anyone. Amounts are integer units. ----

  /** Reads a contact link, contact card or user id (OWN_PAYEE for this wallet's own). */
  liftPayee (text: string): Promise<PayeeView>
  /** Finds a route to the payee and prices it (NO_ROUTE when there is none). */
  liftQuote (request: { to: string, units: number }): Promise<LiftQuote>
  /** Pays the payee along a route; resolves once the referees decided, or 'pending' after the wait. */
  liftPay (request: PayAnyoneRequest): Promise<LiftView>
  /** Looks for one circular lift now and makes it; undefined when there is nothing to clear. */
  liftClear (): Promise<LiftView | undefined>
  /** Lifts this wallet took part in, newest first. */
  lifts (): Promise<LiftView[]>
  lift (id: string): Promise<LiftView>
  autoClear (): Promise<AutoClearView>
  /** Turns automatic clearing on or off (kept by the node across restarts). */
  setAutoClear (on: boolean): Promise<AutoClearView>
  /** Calls listener with a lift's view on every change; returns a subscription id. */
  subscribeLifts (listener: (lift: LiftView) => void): Promise<number>
  unsubscribeLifts (id: number): Promise<void>
}
