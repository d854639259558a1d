// Turns what the relay does into structured log events and live counters: connections, reservations
// (granted, refreshed, refused, expired), relayed circuits and the limits that end them.
import { RELAY_V2_STOP_CODEC } from '@libp2p/circuit-relay-v2'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Logger } from '../../src/node/ports'
import type { ClientInfo } from '../http/ws-bridge'
import type { RelayNode } from './node'

export interface RelayStats {
  connections: number
  reservations: number
  /** Relayed connections currently open. */
  circuits: number
  totals: {
    connections: number
    reservationsGranted: number
    reservationsRefused: number
    circuits: number
    durationLimitHits: number
    dataLimitHits: number
  }
}

export interface Observer {
  /** Hook for the connection gater: a reservation request from this peer is being decided. */
  onReservationRequest (peer: PeerId): void
  /** Starts listening to the node (call once it exists). */
  attach (node: RelayNode): void
  stats (): RelayStats
  detach (): void
}

export interface ObserverOptions {
  log: Logger
  clientFor: (loopbackPort: number) => ClientInfo | undefined
}

export function observer (opts: ObserverOptions): Observer {
  const { log } = opts
  let node: RelayNode | undefined
  let circuits = 0
  const totals = { connections: 0, reservationsGranted: 0, reservationsRefused: 0, circuits: 0, durationLimitHits: 0, dataLimitHits: 0 }
  const watched = new WeakSet<AbortSignal>()
  const cleanups: Array<() => void> = []

  const clientOf = (conn: Connection): ClientInfo | undefined => {
    const tcp = conn.remoteAddr.getComponents().find((c) => c.name === 'tcp')
    return tcp?.value != null ? opts.clientFor(Number(tcp.value)) : undefined
  }

  const onReservationRequest = (peer: PeerId): void => {
    const before = node?.services.relay.reservations.get(peer)
    // The relay server decides synchronously right after the gater returns; look once it has.
    setImmediate(() => {
      const r = node?.services.relay.reservations.get(peer)
      if (r == null) {
        totals.reservationsRefused++
        log.log('warn', 'reservation.refused', { peer: peer.toString(), reason: 'full', reservations: node?.services.relay.reservations.size })
        return
      }
      if (before != null) {
        log.log('debug', 'reservation.refreshed', { peer: peer.toString() })
        return
      }
      totals.reservationsGranted++
      log.log('info', 'reservation.granted', { peer: peer.toString(), expiresAt: r.expiry.toISOString(), reservations: node?.services.relay.reservations.size })
      if (!watched.has(r.signal)) {
        watched.add(r.signal)
        r.signal.addEventListener('abort', () => {
          if (node?.status !== 'started') return
          log.log('info', 'reservation.expired', { peer: peer.toString() })
        }, { once: true })
      }
    })
  }

  return {
    onReservationRequest,
    attach (n) {
      node = n
      const onOpen = (evt: CustomEvent<Connection>): void => {
        const c = evt.detail
        totals.connections++
        const client = clientOf(c)
        log.log('info', 'connection.opened', { peer: c.remotePeer.toString(), direction: c.direction, ...(client ?? {}), connections: n.getConnections().length })
      }
      const onClose = (evt: CustomEvent<Connection>): void => {
        const c = evt.detail
        log.log('info', 'connection.closed', { peer: c.remotePeer.toString(), durationMs: Date.now() - c.timeline.open, connections: n.getConnections().length })
      }
      n.addEventListener('connection:open', onOpen)
      n.addEventListener('connection:close', onClose)
      cleanups.push(() => { n.removeEventListener('connection:open', onOpen); n.removeEventListener('connection:close', onClose) })

      // The relay opens one STOP stream to the destination for every relayed connection; it is
      // aborted with DurationLimitError / TransferLimitError when a limit ends the circuit.
      n.use(RELAY_V2_STOP_CODEC, (stream: Stream, connection: Connection, next) => {
        const opened = Date.now()
        const dst = connection.remotePeer.toString()
        circuits++
        totals.circuits++
        log.log('info', 'circuit.opened', { dst, circuits })
        stream.addEventListener('close', (evt) => {
          circuits--
          const name = (evt as Event & { error?: Error }).error?.name
          const fields = { dst, durationMs: Date.now() - opened, circuits }
          if (name === 'DurationLimitError') {
            totals.durationLimitHits++
            log.log('info', 'circuit.limit', { ...fields, limit: 'duration' })
          } else if (name === 'TransferLimitError') {
            totals.dataLimitHits++
            log.log('info', 'circuit.limit', { ...fields, limit: 'data' })
          } else {
            log.log('debug', 'circuit.closed', fields)
          }
        }, { once: true })
        next(stream, connection)
      })
      cleanups.push(() => { n.unuse(RELAY_V2_STOP_CODEC) })
    },
    stats () {
      return {
        connections: node?.getConnections().length ?? 0,
        reservations: node?.services.relay.reservations.size ?? 0,
        circuits,
        totals: { ...totals }
      }
    },
    detach () {
      for (const c of cleanups.splice(0)) c()
    }
  }
}
