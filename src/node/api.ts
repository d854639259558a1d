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
