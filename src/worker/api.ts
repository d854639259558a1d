// The typed RPC contract between the UI (main thread) and the wallet worker, served with comlink.
// Only plain data crosses; listeners are passed as comlink proxies. The UI imports types from here,
// never from src/node.
import type { ContactCard, IdentityInfo, NodeStatus, PeerStatus } from '../node/api'

export type { ContactCard, IdentityInfo, NodeStatus, PeerStatus }

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
}

export interface CreatedWallet {
  identity: IdentityInfo
  /** The BIP-39 recovery phrase, shown once for the user to write down. */
  phrase: string
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
}
