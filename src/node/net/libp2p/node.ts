// Builds the libp2p node for each host. Browser worker: WebSockets to reach relays, circuit relay for
// reservations and signalling, WebRTC for direct links (through the RTC bridge the worker installs
// before this module loads @libp2p/webrtc, which reads globalThis.RTCPeerConnection once at load).
// Node (tests, cloud nodes): WebSockets + circuit relay, WebRTC optional (node-datachannel).
import { createLibp2p } from 'libp2p'
import type { Libp2pOptions } from 'libp2p'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { FaultTolerance } from '@libp2p/interface'

export type Libp2pHost = 'browser' | 'node'

export interface Libp2pNodeOptions {
  host: Libp2pHost
  /** This device's libp2p key (random per install). */
  privateKey: PrivateKey
  /** How many relay reservations to hold (one per configured relay). */
  reservations: number
  /** Attempt direct WebRTC links (default: true in the browser, false in Node). */
  webrtc?: boolean
  /** ICE servers for WebRTC; [] keeps everything local (tests). */
  iceServers?: RTCIceServer[]
  /** Extra listen addresses, e.g. ['/ip4/127.0.0.1/tcp/0/ws'] for a Node peer others dial directly. */
  listen?: string[]
  /**
   * Allow dialling ws:// and private or loopback addresses. The browser's default connection gater
   * refuses them; local tests need them. Leave false in production (relays are wss:// on public names).
   */
  allowInsecureLoopback?: boolean
}

export async function createLibp2pNode (options: Libp2pNodeOptions): Promise<Libp2p> {
  const useWebrtc = options.webrtc ?? options.host === 'browser'
  const transports: NonNullable<Libp2pOptions['transports']> = [webSockets(), circuitRelayTransport()]
  if (useWebrtc) {
    // Loaded only when wanted, and only now: the worker has installed its RTC bridge by this time.
    const { webRTC } = await import('@libp2p/webrtc')
    transports.push(webRTC({ rtcConfiguration: { iceServers: options.iceServers ?? [] } }))
  }
  // One '/p2p-circuit' per relay: each asks the circuit-relay transport for one reservation.
  const circuits = Array.from({ length: Math.max(0, options.reservations) }, () => '/p2p-circuit')
  return await createLibp2p({
    start: false,
    privateKey: options.privateKey,
    addresses: { listen: [...(options.listen ?? []), ...circuits, ...(useWebrtc ? ['/webrtc'] : [])] },
    transports,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // A relay that is down must not stop the node from starting: listening is best effort.
    transportManager: { faultTolerance: FaultTolerance.NO_FATAL },
    ...(options.allowInsecureLoopback === true ? { connectionGater: { denyDialMultiaddr: async () => false } } : {}),
    services: { identify: identify(), ping: ping() }
  })
}
