// How the node's status reads to a person. Pure: derived from NodeStatus and whether the browser
// says it is online, so the words and the data-phase attribute the e2e tests read are tested here.
import type { NodeStatus, PeerStatus } from '../../worker/api'

/** data-phase values of the node status badge. */
export type DisplayPhase = 'starting' | 'connecting' | 'connected' | 'reserved' | 'offline' | 'stopped' | 'failed'

export interface StatusView {
  phase: DisplayPhase
  /** Words shown in the badge: "starting", "connecting to relay", "relay connected", "reservation held", "offline"… */
  text: string
  /** Badge tone. */
  tone: 'ok' | 'busy' | 'warn' | 'bad'
  /** A longer sentence for the offline banner, when there is something to say. */
  detail?: string
}

const TEXT: Record<DisplayPhase, string> = {
  starting: 'starting',
  connecting: 'connecting to relay',
  connected: 'relay connected',
  reserved: 'reservation held',
  offline: 'offline',
  stopped: 'stopped',
  failed: 'failed'
}

const TONE: Record<DisplayPhase, StatusView['tone']> = {
  starting: 'busy', connecting: 'busy', connected: 'busy', reserved: 'ok', offline: 'warn', stopped: 'warn', failed: 'bad'
}

function view (phase: DisplayPhase, detail?: string): StatusView {
  return detail === undefined ? { phase, text: TEXT[phase], tone: TONE[phase] } : { phase, text: TEXT[phase], tone: TONE[phase], detail }
}

export function statusView (status: NodeStatus | undefined, online: boolean): StatusView {
  if (!online) return view('offline', 'This device is offline. Your wallet is safe here and reconnects when the network is back.')
  if (status === undefined) return view('starting')
  switch (status.phase) {
    case 'failed': return view('failed', status.error ?? 'The wallet node stopped with an error.')
    case 'stopping':
    case 'stopped': return view('stopped')
    case 'starting':
    case 'running': break
  }
  const relays = status.relays
  if (relays.some(r => r.state === 'reserved')) return view('reserved')
  if (relays.some(r => r.state === 'connected')) return view('connected')
  if (relays.some(r => r.state === 'connecting')) return view('connecting')
  if (relays.length > 0) {
    const why = relays.find(r => r.error !== undefined)?.error
    return view('offline', `The relay is unreachable${why !== undefined ? ` (${why})` : ''}. Retrying; your wallet keeps working.`)
  }
  return status.phase === 'starting' ? view('starting') : view('offline', 'No relay is configured, so other wallets cannot reach this one.')
}

/** Peers with a live link (direct or relayed). */
export function connectedPeerCount (status: NodeStatus | undefined): number {
  return status?.peers.filter(p => p.link !== 'none').length ?? 0
}

/** The sentence of a peer row: "connected to Bob", "relayed" when the link goes through the relay. */
export function peerText (peer: PeerStatus): string {
  const who = peer.name ?? shortId(peer.peerId)
  const parts: string[] = []
  switch (peer.hello) {
    case 'verified': parts.push(`connected to ${who}`); break
    case 'pending': parts.push(`saying hello to ${who}…`); break
    case 'failed': parts.push(`hello to ${who} failed${peer.error !== undefined ? `: ${peer.error}` : ''}`); break
  }
  if (peer.link === 'relayed') parts.push('relayed')
  else if (peer.link === 'direct') parts.push('direct')
  else if (peer.link === 'none') parts.push('not connected')
  return parts.join(' · ')
}

/** A long id shortened for display: first and last characters. */
export function shortId (id: string, keep = 6): string {
  return id.length <= keep * 2 + 1 ? id : `${id.slice(0, keep)}…${id.slice(-keep)}`
}
