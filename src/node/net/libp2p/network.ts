// Network over libp2p: one length-prefixed request and one response frame per stream (lpStream from
// @libp2p/utils), size limits enforced on both sides, errors carried back as {code, message}.
// Protocols run on limited (relayed) connections too, so the wallet works when no direct link forms;
// a direct connection is preferred whenever one is open.
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { ChipsError, MalformedError, TooLargeError } from '../../../core/errors'
import type { Clock, Logger, Timers } from '../../ports'
import { systemClock } from '../../ports'
import type { HandlerOptions, Network, NetworkEvents, PeerLink, RequestHandler, RequestOptions } from '../network'
import { deadline } from '../deadline'
import { Emitter } from '../emitter'
import { LinkLostError, NetworkStoppedError, PeerUnreachableError, UnsupportedProtocolError, ProtocolViolationError, RequestTimeoutError, shortId, describeError } from '../errors'
import { errorFrame, okFrame, openFrame } from '../frame'
import { bestConnection, toPeerLink } from './link'
import { StreamLimitError } from './errors'
import { framed } from './lp'
import { KeyedSlots } from './slots'

export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024
/** How long a handler waits for the request bytes after the stream opened. */
export const HANDLER_READ_TIMEOUT_MS = 10_000

export interface Libp2pNetworkDeps {
  timers: Timers
  /** Defaults to the system clock. */
  clock?: Clock
  logger: Logger
  /** Default request timeout (ms). */
  requestTimeoutMs?: number
  /** Try to upgrade a relayed link to direct WebRTC when the peer has /webrtc addresses (needs the webRTC transport). */
  upgradeToDirect?: boolean
}

/**
 * Streams of ONE protocol open at once on ONE connection, each way. libp2p's defaults (32 inbound,
 * 64 outbound per protocol per connection) reset the excess streams, and many tallies between the
 * same two wallets certify at once (50 tallies × 8 payments = 400 diary requests), so the defaults
 * failed most of them. 256 stays well under yamux's cap of 1,000 streams per connection across all
 * protocols, and bounds the handlers a single peer can keep busy on one protocol.
 */
export const MAX_STREAMS_PER_PROTOCOL = 256
/**
 * Requests of one protocol in flight to one peer; the rest wait their turn here rather than open a
 * stream the peer would reset. Well below MAX_STREAMS_PER_PROTOCOL: a finished request's stream is
 * still counted on both sides until its close handshake completes.
 */
export const MAX_REQUESTS_IN_FLIGHT = 64

/** After failed upgrade attempts, wait 2 s, 4 s, … up to a minute before trying again for the same peer. */
export const UPGRADE_BACKOFF = { initialMs: 2_000, maxMs: 60_000 }

export class Libp2pNetwork implements Network {
  readonly #events = new Emitter<NetworkEvents>()
  readonly #handlers = new Map<string, { handler: RequestHandler, options: HandlerOptions }>()
  /** Addresses we learned for a peer (from a contact card), to redial after a link drops. */
  readonly #addrs = new Map<string, Multiaddr[]>()
  /** Peers with an upgrade attempt in flight or recently failed: earliest next attempt and failures so far. */
  readonly #upgrades = new Map<string, { next: number, failures: number }>()
  /** Requests in flight per peer and protocol (see MAX_REQUESTS_IN_FLIGHT). */
  readonly #slots = new KeyedSlots(MAX_REQUESTS_IN_FLIGHT)
  #running = false

  constructor (readonly node: Libp2p, private readonly deps: Libp2pNetworkDeps) {}

  get peerId (): string { return this.node.peerId.toString() }

  async start (): Promise<void> {
    if (this.#running) return
    this.node.addEventListener('connection:open', this.#onOpen)
    this.node.addEventListener('connection:close', this.#onClose)
    this.node.addEventListener('self:peer:update', this.#onSelfUpdate)
    if (this.node.status !== 'started') await this.node.start()
    for (const [protocol, { handler, options }] of this.#handlers) await this.#register(protocol, handler, options)
    this.#running = true
  }

  async stop (): Promise<void> {
    this.#running = false
    this.node.removeEventListener('connection:open', this.#onOpen)
    this.node.removeEventListener('connection:close', this.#onClose)
    this.node.removeEventListener('self:peer:update', this.#onSelfUpdate)
    await this.node.stop()
  }

  handle (protocol: string, handler: RequestHandler, options: HandlerOptions): void {
    this.#handlers.set(protocol, { handler, options })
    if (this.#running) {
      this.#register(protocol, handler, options).catch(err => {
        this.deps.logger.log('error', 'net.handle-failed', { protocol, error: String(err) })
      })
    }
  }

  unhandle (protocol: string): void {
    this.#handlers.delete(protocol)
    if (this.#running) this.node.unhandle(protocol).catch(() => undefined)
  }

  link (peerId: string): PeerLink | undefined {
    const conn = this.#best(peerId)
    return conn === undefined ? undefined : toPeerLink(conn)
  }

  addrs (): string[] {
    return this.node.getMultiaddrs().map(String)
  }

  on<K extends keyof NetworkEvents> (event: K, listener: (detail: NetworkEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  async request (peerId: string, protocol: string, body: Uint8Array, options: RequestOptions = {}): Promise<{ body: Uint8Array, link: PeerLink }> {
    if (!this.#running) throw new NetworkStoppedError()
    const timeoutMs = this.deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    const maxResponse = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    // Waiting for a slot is not part of the request's timeout (the caller's signal still cancels it):
    // each request ahead is itself bounded by the timeout, and a queue must not turn into timeouts.
    const release = await this.#slots.acquire(`${peerId} ${protocol}`, options.signal)
    const limit = deadline(this.deps.timers, timeoutMs, options.signal)
    let conn: Connection | undefined
    try {
      conn = await this.#connect(peerId, options.addrs, limit.signal)
      const link = toPeerLink(conn)
      const stream = await conn.newStream(protocol, { signal: limit.signal, runOnLimitedConnection: true, maxOutboundStreams: MAX_STREAMS_PER_PROTOCOL })
      const response = await exchange(stream, body, maxResponse, limit.signal)
      return { body: openFrame(response, peerId), link }
    } catch (err) {
      if (err instanceof ChipsError) throw err
      if (limit.timedOut()) throw new RequestTimeoutError(protocol, timeoutMs)
      if (options.signal?.aborted === true) throw err
      const name = err instanceof Error ? err.name : ''
      if (name === 'UnsupportedProtocolError') throw new UnsupportedProtocolError(protocol)
      // Our own cap (other code sharing the connection may hold streams of this protocol too).
      if (name === 'TooManyOutboundProtocolStreamsError') throw new StreamLimitError(peerId, protocol, { cause: err })
      if (conn !== undefined && conn.status !== 'open') throw new LinkLostError(peerId, toPeerLink(conn).kind, { cause: err })
      throw new ProtocolViolationError(`request ${protocol} to ${shortId(peerId)} failed: ${describeError(err)}`, { cause: err })
    } finally {
      limit.clear()
      release()
    }
  }

  /** The best open connection, or a new one dialled through the given (or remembered) addresses. */
  async #connect (peerId: string, addrs: readonly string[] | undefined, signal: AbortSignal): Promise<Connection> {
    let target
    try { target = peerIdFromString(peerId) } catch (cause) { throw new MalformedError(`not a peer id: ${peerId.slice(0, 80)}`, { cause }) }
    if (addrs !== undefined && addrs.length > 0) this.#remember(peerId, addrs)
    const existing = this.#best(peerId)
    if (existing !== undefined) {
      if (toPeerLink(existing).kind === 'relayed') this.#tryUpgrade(peerId)
      return existing
    }
    const known = this.#addrs.get(peerId)
    try {
      return await this.node.dial(known !== undefined && known.length > 0 ? known : target, { signal })
    } catch (err) {
      if (signal.aborted) throw err
      throw new PeerUnreachableError(peerId, describeError(err), { cause: err })
    }
  }

  /** Dials the peer's /webrtc addresses in the background; the new direct link is announced by #onOpen. */
  #tryUpgrade (peerId: string): void {
    if (this.deps.upgradeToDirect !== true) return
    const clock = this.deps.clock ?? systemClock
    const state = this.#upgrades.get(peerId) ?? { next: 0, failures: 0 }
    if (state.next > clock.now()) return
    const direct = (this.#addrs.get(peerId) ?? []).filter(ma => ma.toString().includes('/webrtc'))
    if (direct.length === 0) return
    this.#upgrades.set(peerId, { next: Number.POSITIVE_INFINITY, failures: state.failures })
    this.node.dial(direct, { force: true }).then(() => {
      this.#upgrades.delete(peerId)
    }, (err: unknown) => {
      const delay = Math.min(UPGRADE_BACKOFF.maxMs, UPGRADE_BACKOFF.initialMs * 2 ** state.failures)
      this.#upgrades.set(peerId, { next: clock.now() + delay, failures: state.failures + 1 })
      this.deps.logger.log('info', 'net.upgrade-failed', { peer: peerId, error: describeError(err), retryInMs: delay })
      // Keep trying while the only link is relayed: nothing else may ask for this peer soon.
      this.deps.timers.setTimeout(() => { this.#upgradeIfRelayed(peerId) }, delay)
    })
  }

  #upgradeIfRelayed (peerId: string): void {
    if (!this.#running) return
    const best = this.#best(peerId)
    if (best !== undefined && toPeerLink(best).kind === 'relayed') this.#tryUpgrade(peerId)
  }

  #remember (peerId: string, addrs: readonly string[]): void {
    const parsed: Multiaddr[] = []
    for (const a of addrs) {
      let ma: Multiaddr
      try { ma = multiaddr(a) } catch (cause) { throw new MalformedError(`not a multiaddr: ${a.slice(0, 200)}`, { cause }) }
      // A dial to a list of addresses must name the peer in each of them.
      if (ma.getComponents().findLast(c => c.name === 'p2p')?.value !== peerId) ma = ma.encapsulate(`/p2p/${peerId}`)
      parsed.push(ma)
    }
    this.#addrs.set(peerId, parsed)
  }

  #best (peerId: string): Connection | undefined {
    let id
    try { id = peerIdFromString(peerId) } catch { return undefined }
    return bestConnection(this.node.getConnections(id))
  }

  async #register (protocol: string, handler: RequestHandler, options: HandlerOptions): Promise<void> {
    await this.node.handle(protocol, async (stream, connection) => {
      await this.#serve(stream, connection, handler, options)
    }, { runOnLimitedConnection: true, force: true, maxInboundStreams: MAX_STREAMS_PER_PROTOCOL, maxOutboundStreams: MAX_STREAMS_PER_PROTOCOL })
  }

  async #serve (stream: Stream, connection: Connection, handler: RequestHandler, options: HandlerOptions): Promise<void> {
    const from = toPeerLink(connection)
    const limit = deadline(this.deps.timers, HANDLER_READ_TIMEOUT_MS)
    const lp = framed(stream, options.maxRequestBytes)
    let reply: Uint8Array
    try {
      let request: Uint8Array
      try {
        request = (await lp.read({ signal: limit.signal })).subarray()
      } catch (err) {
        throw readRefusal(err, options.maxRequestBytes, limit.timedOut())
      }
      reply = okFrame(await handler(request, from))
    } catch (err) {
      this.deps.logger.log(err instanceof ChipsError ? 'warn' : 'error', 'net.request-refused', {
        protocol: stream.protocol, peer: from.peerId, code: err instanceof ChipsError ? err.code : 'INTERNAL', error: describeError(err)
      })
      reply = errorFrame(err)
    } finally {
      limit.clear()
    }
    try {
      await lp.write(reply)
      await stream.close()
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  readonly #onOpen = (evt: CustomEvent<Connection>): void => {
    const peerId = evt.detail.remotePeer.toString()
    const link = this.link(peerId)
    if (link !== undefined) this.#events.emit('peer:link', link)
    // A dial to a card's addresses may land on the plain circuit before the /webrtc one: upgrade
    // as soon as a relayed link opens, not only when a later request happens to notice it.
    if (link?.kind === 'relayed') this.#tryUpgrade(peerId)
  }

  readonly #onClose = (evt: CustomEvent<Connection>): void => {
    const peerId = evt.detail.remotePeer.toString()
    const link = this.link(peerId)
    if (link !== undefined) this.#events.emit('peer:link', link)
    else this.#events.emit('peer:gone', { peerId })
  }

  readonly #onSelfUpdate = (): void => {
    this.#events.emit('addrs:change', { addrs: this.addrs() })
  }
}

/** Writes the request and reads one response frame; stops writing if the answer (a refusal) comes first. */
async function exchange (stream: Stream, body: Uint8Array, maxResponse: number, signal: AbortSignal): Promise<Uint8Array> {
  // +1: the frame's kind byte is not part of the response body's allowance.
  const lp = framed(stream, maxResponse + 1)
  const writing = lp.write(body, { signal }).then(() => undefined, (err: unknown) => err)
  let frame: Uint8Array
  try {
    frame = (await lp.read({ signal })).subarray()
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    if (isLengthError(err)) throw new TooLargeError((lengthOf(err) ?? maxResponse + 2) - 1, maxResponse, 'response')
    const writeErr = await Promise.race([writing, Promise.resolve(undefined)])
    throw writeErr ?? err
  }
  if (stream.writeStatus === 'writable') await stream.close({ signal }).catch(() => undefined)
  else stream.abort(new Error('response received'))
  return frame
}

function readRefusal (err: unknown, maxBytes: number, timedOut: boolean): ChipsError {
  if (isLengthError(err)) return new TooLargeError(lengthOf(err) ?? maxBytes + 1, maxBytes, 'request')
  if (timedOut) return new MalformedError(`the request did not arrive within ${HANDLER_READ_TIMEOUT_MS} ms`)
  const name = err instanceof Error ? err.name : ''
  if (name === 'InvalidDataLengthLengthError' || name === 'InvalidMessageLengthError') {
    return new MalformedError('the request is not a length-prefixed frame')
  }
  return new MalformedError(`the request ended before it was complete (${describeError(err)})`)
}

function isLengthError (err: unknown): boolean {
  return err instanceof Error && err.name === 'InvalidDataLengthError'
}

/** lpStream reports "Message length too long - <n> > <max>"; recover n for the refusal. */
function lengthOf (err: unknown): number | undefined {
  const m = err instanceof Error ? /- (\d+) >/.exec(err.message) : null
  return m?.[1] === undefined ? undefined : Number(m[1])
}

