// The node's view of the network: request/response protocols between peers. Two implementations:
// libp2p (browsers, relay, integration tests) and an in-process simulated network (fast multi-node
// tests and the lift simulator). Protocol handlers in src/node/protocols are written against this
// interface only.

/** How bytes reach a peer: a direct link (WebRTC, WebSockets), a relayed circuit, or in-process. */
export type LinkKind = 'direct' | 'relayed' | 'memory'

export interface PeerLink {
  /** The remote libp2p peer id (string form). */
  readonly peerId: string
  readonly kind: LinkKind
  /** The remote multiaddr as seen on the connection (for diagnostics). */
  readonly remoteAddr: string
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Addresses to dial if no connection to the peer is open yet (multiaddr strings). */
  addrs?: readonly string[]
  /** Largest response accepted, in bytes. */
  maxResponseBytes?: number
}

export interface HandlerOptions {
  /** Largest request accepted, in bytes; larger ones are refused with TooLargeError. */
  maxRequestBytes: number
}

/** Answers one request. Throwing a ChipsError sends its code and message back to the requester. */
export type RequestHandler = (request: Uint8Array, from: PeerLink) => Promise<Uint8Array>

export interface NetworkEvents {
  /** A connection to a peer opened or changed kind (e.g. upgraded from relayed to direct). */
  'peer:link': PeerLink
  'peer:gone': { peerId: string }
  /** This node's own dialable addresses changed (e.g. a relay reservation was made or lost). */
  'addrs:change': { addrs: string[] }
}

export interface Network {
  readonly peerId: string
  start (): Promise<void>
  stop (): Promise<void>
  handle (protocol: string, handler: RequestHandler, options: HandlerOptions): void
  unhandle (protocol: string): void
  /** Sends one request and waits for its response. Rejects with a ChipsError sent by the remote handler. */
  request (peerId: string, protocol: string, body: Uint8Array, options?: RequestOptions): Promise<{ body: Uint8Array, link: PeerLink }>
  /** The best open link to a peer, if any. */
  link (peerId: string): PeerLink | undefined
  /** Addresses others can dial this node at (circuit and /webrtc addresses); absent on in-process networks. */
  addrs? (): string[]
  on<K extends keyof NetworkEvents> (event: K, listener: (detail: NetworkEvents[K]) => void): () => void
}
