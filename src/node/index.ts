// The node runtime's public entry: what the worker (and Node hosts: tests, cloud nodes) import.
// In the browser worker, install the RTC bridge first, then import this module; @libp2p/webrtc itself
// is loaded only when a libp2p node with WebRTC is built (startWalletNode), after the bridge is in place.
export type { WalletNode, NodeStatus, NodePhase, RelayStatus, RelayState, PeerStatus, HelloState, ContactCard, Identity, IdentityInfo } from './api'
export type { Clock, Timers, Random, Logger, LogLevel } from './ports'
export { systemClock, systemTimers, systemRandom, silentLogger } from './ports'

export { startWalletNode, NodeStartError } from './wallet-node'
export type { WalletNodeOptions, Libp2pNetworkChoice, GivenNetworkChoice } from './wallet-node'

export { createIdentity, restoreIdentity, loadIdentity, loadRecoveryPhrase, identityInfo } from './identity/identity'
export type { IdentityDeps, CreatedIdentity } from './identity/identity'
export { IdentityExistsError, NoIdentityError } from './identity/errors'

export type { Store } from './store/store'
export { openIdbStore, deleteIdbStore, IDB_SCHEMA_VERSION } from './store/idb'
export type { IdbStoreOptions } from './store/idb'
export { openMemoryStore, MemoryDatabase } from './store/memory'
export { StaleWriterError, StoreClosedError } from './store/errors'
export type { StoreCloseReason } from './store/errors'

export { contactLink, parseContactLink, validateCard } from './contact/card'
export { HELLO_PROTOCOL, HelloMismatchError, HelloStaleError } from './protocols/hello'
export { RemoteError, LinkLostError, UnsupportedProtocolError, PeerUnreachableError, RequestTimeoutError, ProtocolViolationError, NetworkStoppedError } from './net/errors'

// Tallies: the service behind WalletNode.tallies, invitation links, the negotiation protocol, the default contract
export type {
  TallyApi, TallyView, TallyViewStatus, TallyTermsView, TradingVarsView, ChitView, ChitViewKind, ChitViewStatus, InvitationView, OfferView,
  InviteRequest, CounterRequest, TradeVarsRequest, SideName
} from './api'
export type { TallyOptions } from './wallet-node'
export { TallyService } from './services/tallies/service'
export { DEFAULT_CONTRACT, DEFAULT_CONTRACT_HASH, knownContract } from './services/tallies/contract'
export type { ContractDocument } from './services/tallies/contract'
export { UnknownTallyError, OfferMismatchError, OwnInvitationError, WrongPeerError, TallyNotOpenError, DiaryUnavailableError, ChitRefusedError } from './services/tallies/errors'
export { invitationLink, invitationProtocolUrl, isInvitationLink, parseInvitationLink, INVITE_PARAM, PROTOCOL_SCHEME } from './tally-link/invitation'
export { NEGOTIATE_PROTOCOL, MAX_NEGOTIATE_BYTES } from './protocols/negotiate'

// Recovery: a restored wallet gets its tallies back from its partners through the relays' rendezvous
export type { RecoveryOptions } from './wallet-node'
export { RecoveryService, DEFAULT_RECOVERY_CONFIG, RECOVERY_PROTOCOL } from './services/recovery/index'
export type { RecoveryConfig, RecoveryEvents } from './services/recovery/index'
export {
  NotTallyPartnerError, NotOurTallyError, InvalidReseatError, ReseatRefusedError, ReseatPendingError, NotReseatedError, IncompleteHistoryError
} from './services/recovery/index'
export { RENDEZVOUS_PROTOCOL, InvalidPresenceError, signPresence, verifyPresence } from './protocols/rendezvous'
export type { PresenceBody, PresenceRecord } from './protocols/rendezvous'
