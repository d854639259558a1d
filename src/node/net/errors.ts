// Named refusals of the network layer. A remote handler's ChipsError crosses the wire as {code, message}
// and is rethrown on the requester as RemoteError carrying the same code.
import { ChipsError } from '../../core/errors'

/** The remote peer's handler refused our request; `code` is the remote's own stable code. */
export class RemoteError extends ChipsError {
  constructor (code: string, message: string, readonly peerId: string) {
    super(code, message)
  }
}

/** No connection to the peer could be opened (offline, unreachable relay, no usable address). */
export class PeerUnreachableError extends ChipsError {
  constructor (readonly peerId: string, reason: string, options?: { cause?: unknown }) {
    super('PEER_UNREACHABLE', `could not reach peer ${shortId(peerId)}: ${reason}`, options)
  }
}

/** A request got no answer in time. */
export class RequestTimeoutError extends ChipsError {
  constructor (readonly protocol: string, readonly ms: number) {
    super('TIMEOUT', `no answer on ${protocol} within ${ms} ms`)
  }
}

/** The peer broke the framing of a protocol (closed early, sent a malformed response frame). */
export class ProtocolViolationError extends ChipsError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('PROTOCOL_VIOLATION', message, options)
  }
}

/** The connection closed while a request was under way (peer gone, or a relay's limit reset the relayed link). */
export class LinkLostError extends ChipsError {
  constructor (readonly peerId: string, readonly kind: string, options?: { cause?: unknown }) {
    super('LINK_LOST', kind === 'relayed'
      ? `the relayed link to peer ${shortId(peerId)} closed during the request (the relay may have reached its limit); try again`
      : `the link to peer ${shortId(peerId)} closed during the request; try again`, options)
  }
}

/** The peer does not serve this protocol (another app, or an older or newer version). */
export class UnsupportedProtocolError extends ChipsError {
  constructor (readonly protocol: string) {
    super('UNSUPPORTED_PROTOCOL', `the peer does not speak ${protocol}`)
  }
}

/** The network was stopped (or not started) when a request was made. */
export class NetworkStoppedError extends ChipsError {
  constructor () { super('NETWORK_STOPPED', 'the node\'s network is not running') }
}

/** Peer ids are long; logs and messages show their tail. */
export function shortId (peerId: string): string {
  return peerId.length > 12 ? `…${peerId.slice(-8)}` : peerId
}

/**
 * Words for a failure from libp2p or the platform. Browsers report a refused WebSocket as a bare
 * `Event`, which libp2p wraps as "[object Event]"; AggregateErrors hide the useful part in `errors`.
 */
export function describeError (err: unknown): string {
  if (typeof Event !== 'undefined' && err instanceof Event) return `the connection failed (${err.type})`
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(describeError))].join('; ')
  }
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause
    if (err.message === '' || err.message.includes('[object Event]')) {
      return cause !== undefined && cause !== err ? describeError(cause) : 'the connection failed'
    }
    return err.message
  }
  const text = String(err)
  return text === '[object Event]' ? 'the connection failed' : text
}
