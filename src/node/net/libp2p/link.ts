// What kind of link a libp2p connection is. A connection through a circuit relay is 'relayed' (and
// usually limited by the relay); WebRTC, even when signalled through a relay, and WebSockets are 'direct'.
import type { Connection } from '@libp2p/interface'
import type { LinkKind, PeerLink } from '../network'

export function linkKind (conn: Connection): Exclude<LinkKind, 'memory'> {
  return conn.limits != null || !conn.direct ? 'relayed' : 'direct'
}

export function toPeerLink (conn: Connection): PeerLink {
  return { peerId: conn.remotePeer.toString(), kind: linkKind(conn), remoteAddr: conn.remoteAddr.toString() }
}

/** The open connection to use for a new stream: a direct one if there is one, else a relayed one. */
export function bestConnection (conns: readonly Connection[]): Connection | undefined {
  const open = conns.filter(c => c.status === 'open')
  return open.find(c => linkKind(c) === 'direct') ?? open[0]
}
