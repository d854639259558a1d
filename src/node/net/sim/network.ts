// An in-process simulated network: many nodes in one process, messages delivered on the injected
// Timers after a latency drawn from a seeded Random, with loss, partitions and message counters.
// Request/response semantics and the wire frame are those of the libp2p adapter (size limits, refusals
// carried back as {code, message}, timeouts), so protocol handlers behave the same on both.
import { ChipsError, MalformedError, TooLargeError } from '../../../core/errors'
import type { Logger, Random, Timers } from '../../ports'
import { silentLogger } from '../../ports'
import type { HandlerOptions, Network, NetworkEvents, PeerLink, RequestHandler, RequestOptions } from '../network'
import { unitFloat } from '../backoff'
import { Emitter } from '../emitter'
import { NetworkStoppedError, PeerUnreachableError, RequestTimeoutError, UnsupportedProtocolError } from '../errors'
import { errorFrame, okFrame, openFrame } from '../frame'

export const SIM_REQUEST_TIMEOUT_MS = 15_000
export const SIM_MAX_RESPONSE_BYTES = 64 * 1024

export interface SimNetworkOptions {
  timers: Timers
  /** Seeded in tests: latency and loss draws come from here. */
  random: Random
  /** One-way latency range in ms (uniform). */
  latency?: { minMs: number, maxMs: number }
  /** Probability in [0, 1] that a message is lost. */
  loss?: number
  requestTimeoutMs?: number
  logger?: Logger
}

export interface SimCounters {
  /** Messages handed to the network (requests and responses). */
  sent: number
  delivered: number
  /** Lost to the loss rate. */
  lost: number
  /** Dropped because sender and receiver were partitioned or the receiver was stopped. */
  blocked: number
  bytes: number
}

export class SimNetwork {
  readonly #nodes = new Map<string, SimNode>()
  /** peerId → partition group; nodes in different groups cannot reach each other. */
  #groups = new Map<string, number>()
  readonly counters: SimCounters = { sent: 0, delivered: 0, lost: 0, blocked: 0, bytes: 0 }

  constructor (readonly options: SimNetworkOptions) {}

  /** A node endpoint with this peer id (create it once per node). */
  node (peerId: string): SimNode {
    if (this.#nodes.has(peerId)) throw new Error(`simulated node ${peerId} exists already`)
    const node = new SimNode(this, peerId)
    this.#nodes.set(peerId, node)
    return node
  }

  /** Splits the network: each group reaches only itself. Nodes not listed form one more group. */
  partition (groups: ReadonlyArray<readonly string[]>): void {
    this.#groups = new Map()
    groups.forEach((g, i) => { for (const id of g) this.#groups.set(id, i + 1) })
    for (const node of this.#nodes.values()) node.dropUnreachable()
  }

  heal (): void {
    this.#groups = new Map()
  }

  reachable (a: string, b: string): boolean {
    const nb = this.#nodes.get(b)
    if (nb === undefined || !nb.running) return false
    return (this.#groups.get(a) ?? 0) === (this.#groups.get(b) ?? 0)
  }

  /** @internal */
  get (peerId: string): SimNode | undefined { return this.#nodes.get(peerId) }

  /** @internal Delivers fn after a latency unless lost or blocked; returns whether it was scheduled. */
  send (from: string, to: string, bytes: number, fn: () => void): void {
    this.counters.sent++
    this.counters.bytes += bytes
    const { latency = { minMs: 5, maxMs: 20 }, loss = 0 } = this.options
    if (loss > 0 && unitFloat(this.options.random) < loss) { this.counters.lost++; return }
    const delay = latency.minMs + Math.floor(unitFloat(this.options.random) * (latency.maxMs - latency.minMs + 1))
    this.options.timers.setTimeout(() => {
      if (!this.reachable(from, to)) { this.counters.blocked++; return }
      this.counters.delivered++
      fn()
    }, delay)
  }
}

export class SimNode implements Network {
  readonly #events = new Emitter<NetworkEvents>()
  readonly #handlers = new Map<string, { handler: RequestHandler, options: HandlerOptions }>()
  readonly #links = new Set<string>()
  running = false

  constructor (private readonly net: SimNetwork, readonly peerId: string) {}

  async start (): Promise<void> { this.running = true }

  async stop (): Promise<void> {
    this.running = false
    for (const peer of [...this.#links]) {
      this.#unlink(peer)
      const other = this.net.get(peer)
      if (other !== undefined) other.#unlink(this.peerId)
    }
  }

  handle (protocol: string, handler: RequestHandler, options: HandlerOptions): void {
    this.#handlers.set(protocol, { handler, options })
  }

  unhandle (protocol: string): void { this.#handlers.delete(protocol) }

  link (peerId: string): PeerLink | undefined {
    return this.#links.has(peerId) ? simLink(peerId) : undefined
  }

  addrs (): string[] { return [`/memory/${this.peerId}`] }

  on<K extends keyof NetworkEvents> (event: K, listener: (detail: NetworkEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  async request (peerId: string, protocol: string, body: Uint8Array, options: RequestOptions = {}): Promise<{ body: Uint8Array, link: PeerLink }> {
    if (!this.running) throw new NetworkStoppedError()
    if (typeof peerId !== 'string' || peerId.length === 0) throw new MalformedError('not a peer id')
    if (!this.net.reachable(this.peerId, peerId)) throw new PeerUnreachableError(peerId, 'no route in the simulated network')
    const remote = this.net.get(peerId)
    if (remote === undefined) throw new PeerUnreachableError(peerId, 'unknown peer')
    this.#linkTo(peerId)
    remote.#linkTo(this.peerId)
    const timeoutMs = this.net.options.requestTimeoutMs ?? SIM_REQUEST_TIMEOUT_MS
    const maxResponse = options.maxResponseBytes ?? SIM_MAX_RESPONSE_BYTES
    const { timers } = this.net.options
    return await new Promise((resolve, reject) => {
      let done = false
      const finish = (fn: () => void): void => {
        if (done) return
        done = true
        timers.clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
        fn()
      }
      const timer = timers.setTimeout(() => { finish(() => { reject(new RequestTimeoutError(protocol, timeoutMs)) }) }, timeoutMs)
      const onAbort = (): void => { finish(() => { reject(options.signal?.reason ?? new Error('aborted')) }) }
      if (options.signal?.aborted === true) { onAbort(); return }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      const request = body.slice()
      this.net.send(this.peerId, peerId, request.byteLength, () => {
        void remote.#serve(protocol, request, this.peerId).then(frame => {
          this.net.send(peerId, this.peerId, frame.byteLength, () => {
            finish(() => {
              try {
                if (frame.byteLength - 1 > maxResponse) throw new TooLargeError(frame.byteLength - 1, maxResponse, 'response')
                resolve({ body: openFrame(frame, peerId), link: simLink(peerId) })
              } catch (err) { reject(err) }
            })
          })
        })
      })
    })
  }

  /** @internal Closes links that a new partition cut. */
  dropUnreachable (): void {
    for (const peer of [...this.#links]) if (!this.net.reachable(this.peerId, peer)) this.#unlink(peer)
  }

  async #serve (protocol: string, request: Uint8Array, from: string): Promise<Uint8Array> {
    const entry = this.#handlers.get(protocol)
    try {
      if (entry === undefined) throw new UnsupportedProtocolError(protocol)
      if (request.byteLength > entry.options.maxRequestBytes) throw new TooLargeError(request.byteLength, entry.options.maxRequestBytes, 'request')
      return okFrame(await entry.handler(request, simLink(from)))
    } catch (err) {
      ;(this.net.options.logger ?? silentLogger).log('warn', 'net.request-refused', {
        protocol, peer: from, code: err instanceof ChipsError ? err.code : 'INTERNAL'
      })
      return errorFrame(err)
    }
  }

  #linkTo (peerId: string): void {
    if (this.#links.has(peerId)) return
    this.#links.add(peerId)
    this.#events.emit('peer:link', simLink(peerId))
  }

  #unlink (peerId: string): void {
    if (!this.#links.delete(peerId)) return
    this.#events.emit('peer:gone', { peerId })
  }
}

function simLink (peerId: string): PeerLink {
  return { peerId, kind: 'memory', remoteAddr: `/memory/${peerId}` }
}
