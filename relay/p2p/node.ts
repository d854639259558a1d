// The relay's libp2p node: WebSockets in, Noise, yamux, identify, ping and a circuit relay v2 server
// with wallet-sized limits. It listens on an internal loopback port only (see http/ws-bridge.ts) and
// announces the public addresses. It never dials out: it only relays over connections clients opened.
import { createServer } from 'node:net'
import { circuitRelayServer, type CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { identify, type Identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { ping, type Ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { ConnectionGater, PeerId, PrivateKey } from '@libp2p/interface'
import type { RelayLimits } from '../config'
import { RendezvousRegistry, serveRendezvous, type RendezvousConfig } from './rendezvous'

export type RelayServices = { identify: Identify, ping: Ping, relay: CircuitRelayService }
export type RelayNode = Libp2p<RelayServices>

export interface RelayNodeOptions {
  privateKey: PrivateKey
  /** Loopback port for the libp2p WebSocket listener. */
  internalPort: number
  /** Public multiaddrs (without /p2p/) clients dial and reservations advertise. */
  announce: string[]
  limits: RelayLimits
  /** Called for every reservation request before the relay decides (for logging). */
  onReservationRequest?: (peer: PeerId) => void
  /** The rendezvous registry (/mychips/rendezvous/1.0.0, ./rendezvous.ts) tuning; `false` leaves it out. */
  rendezvous?: Partial<RendezvousConfig> | false
}

export const INTERNAL_HOST = '127.0.0.1'

export async function createRelayNode (opts: RelayNodeOptions): Promise<RelayNode> {
  const gater: ConnectionGater = {
    // The relay only answers; refusing every outbound dial means no client can make it connect anywhere.
    denyDialMultiaddr: () => true,
    denyDialPeer: () => true,
    denyInboundRelayReservation: (peer) => { opts.onReservationRequest?.(peer); return false }
  }
  const node = await createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: [`/ip4/${INTERNAL_HOST}/tcp/${opts.internalPort}/ws`], announce: opts.announce },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gater,
    connectionManager: {
      maxConnections: opts.limits.maxConnections,
      // Every client reaches libp2p from 127.0.0.1 (through the bridge or a reverse proxy), so the
      // per-host limits (default 5 new connections per second, 10 pending) would throttle everyone
      // together. Rate-limit per client at the proxy instead (docs/relay.md).
      inboundConnectionThreshold: 1000,
      maxIncomingPendingConnections: 256
    },
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: opts.limits.maxReservations,
          reservationTtl: opts.limits.reservationTtlMs,
          applyDefaultLimit: true,
          defaultDurationLimit: opts.limits.relayDurationMs,
          defaultDataLimit: BigInt(opts.limits.relayDataBytes)
        }
      })
    }
  })
  // Where a user's devices can be found (wallet recovery): user-signed presence records, bounded and expiring.
  if (opts.rendezvous !== false) await serveRendezvous(node, new RendezvousRegistry({ now: () => Date.now(), config: opts.rendezvous ?? {} }))
  return node
}

/** A free loopback port for the internal listener (bound and released; the caller retries on a clash). */
export async function freeLoopbackPort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, INTERNAL_HOST, () => {
      const addr = srv.address()
      srv.close(() => {
        if (typeof addr === 'object' && addr != null) resolve(addr.port)
        else reject(new Error('no loopback port'))
      })
    })
  })
}
