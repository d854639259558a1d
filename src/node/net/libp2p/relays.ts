// Keeps this node connected to its configured relays and tracks each one's RelayStatus:
// connecting → connected → reserved (a circuit-relay slot is held), or down with a reason and retryAt.
// The circuit-relay transport makes the reservation once we are connected (one '/p2p-circuit' listen
// address per relay); this service dials, notices reservations appear and vanish (relay restart, limit,
// expiry), and redials with exponential backoff and jitter on the injected timers.
import type { Connection, Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { RelayStatus } from '../../api'
import type { Clock, Logger, Random, TimerHandle, Timers } from '../../ports'
import type { BackoffPolicy } from '../backoff'
import { DEFAULT_BACKOFF, backoffDelay } from '../backoff'
import { deadline } from '../deadline'
import { Emitter } from '../emitter'
import { describeError } from '../errors'

export const RELAY_DIAL_TIMEOUT_MS = 10_000
/** While connected without a reservation, look again this often (address events can coalesce away). */
export const RESERVATION_CHECK_MS = 1_000

export interface RelayManagerDeps {
  clock: Clock
  timers: Timers
  random: Random
  logger: Logger
  backoff?: BackoffPolicy
}

/** What the node facade needs from relay management (libp2p or not). */
export interface RelayMonitor {
  status (): RelayStatus[]
  onChange (listener: (relays: RelayStatus[]) => void): () => void
}

interface Tracked {
  addr: string
  ma?: Multiaddr
  relayId?: string
  status: RelayStatus
  failures: number
  retry?: TimerHandle
  check?: TimerHandle
}

export class RelayManager implements RelayMonitor {
  readonly #relays: Tracked[]
  readonly #events = new Emitter<{ change: RelayStatus[] }>()
  #running = false

  constructor (private readonly node: Libp2p, addrs: readonly string[], private readonly deps: RelayManagerDeps) {
    this.#relays = addrs.map(addr => parseRelay(addr))
  }

  status (): RelayStatus[] {
    return this.#relays.map(r => ({ ...r.status }))
  }

  onChange (listener: (relays: RelayStatus[]) => void): () => void {
    return this.#events.on('change', listener)
  }

  start (): void {
    if (this.#running) return
    this.#running = true
    this.node.addEventListener('connection:close', this.#onClose)
    this.node.addEventListener('self:peer:update', this.#onSelfUpdate)
    this.node.addEventListener('transport:listening', this.#onSelfUpdate)
    this.node.addEventListener('transport:close', this.#onSelfUpdate)
    for (const relay of this.#relays) {
      if (relay.ma !== undefined) void this.#attempt(relay)
    }
  }

  stop (): void {
    this.#running = false
    this.node.removeEventListener('connection:close', this.#onClose)
    this.node.removeEventListener('self:peer:update', this.#onSelfUpdate)
    this.node.removeEventListener('transport:listening', this.#onSelfUpdate)
    this.node.removeEventListener('transport:close', this.#onSelfUpdate)
    for (const relay of this.#relays) {
      if (relay.retry !== undefined) this.deps.timers.clearTimeout(relay.retry)
      if (relay.check !== undefined) this.deps.timers.clearTimeout(relay.check)
      relay.retry = undefined
      relay.check = undefined
    }
  }

  async #attempt (relay: Tracked): Promise<void> {
    if (!this.#running || relay.ma === undefined) return
    relay.retry = undefined
    this.#set(relay, { addr: relay.addr, state: 'connecting' })
    const limit = deadline(this.deps.timers, RELAY_DIAL_TIMEOUT_MS)
    try {
      await this.node.dial(relay.ma, { signal: limit.signal })
      if (!this.#running) return
      relay.failures = 0
      this.#refresh(relay)
    } catch (err) {
      const why = limit.timedOut() ? `no answer within ${RELAY_DIAL_TIMEOUT_MS / 1000} s` : describeError(err)
      this.#down(relay, `relay unreachable: ${why}`)
    } finally {
      limit.clear()
    }
  }

  #down (relay: Tracked, error: string): void {
    if (!this.#running) return
    const delay = backoffDelay(this.deps.backoff ?? DEFAULT_BACKOFF, relay.failures, this.deps.random)
    relay.failures++
    if (relay.retry !== undefined) this.deps.timers.clearTimeout(relay.retry)
    relay.retry = this.deps.timers.setTimeout(() => { void this.#attempt(relay) }, delay)
    this.#set(relay, { addr: relay.addr, state: 'down', error, retryAt: this.deps.clock.now() + delay })
    this.deps.logger.log('warn', 'relay.down', { relay: relay.addr, error, retryInMs: delay })
  }

  /** connected ⇄ reserved from this node's current addresses; keeps looking while not reserved. */
  #refresh (relay: Tracked): void {
    if (!this.#running) return
    const reserved = this.#reserved(relay)
    this.#set(relay, { addr: relay.addr, state: reserved ? 'reserved' : 'connected' })
    if (!reserved && relay.check === undefined) {
      relay.check = this.deps.timers.setTimeout(() => {
        relay.check = undefined
        const s = relay.status.state
        if (s === 'connected' || s === 'reserved') this.#refresh(relay)
      }, RESERVATION_CHECK_MS)
    }
  }

  #reserved (relay: Tracked): boolean {
    const marker = `/p2p/${relay.relayId ?? ''}/p2p-circuit`
    return this.node.getMultiaddrs().some(ma => ma.toString().includes(marker))
  }

  #set (relay: Tracked, status: RelayStatus): void {
    const before = relay.status
    relay.status = status
    if (before.state !== status.state || before.error !== status.error || before.retryAt !== status.retryAt) {
      this.deps.logger.log('info', 'relay.state', { relay: relay.addr, state: status.state })
      this.#events.emit('change', this.status())
    }
  }

  readonly #onClose = (evt: CustomEvent<Connection>): void => {
    const peer = evt.detail.remotePeer.toString()
    for (const relay of this.#relays) {
      if (relay.relayId !== peer || relay.status.state === 'down' || relay.status.state === 'connecting') continue
      if (this.node.getConnections(evt.detail.remotePeer).some(c => c.status === 'open')) continue
      // Reconnect soon: the first retry after a working link uses the shortest delay.
      relay.failures = 0
      this.#down(relay, 'the connection to the relay closed')
    }
  }

  readonly #onSelfUpdate = (): void => {
    for (const relay of this.#relays) {
      const s = relay.status.state
      if (s !== 'connected' && s !== 'reserved') continue
      this.#refresh(relay)
    }
  }
}

function parseRelay (addr: string): Tracked {
  try {
    const ma = multiaddr(addr)
    const relayId = ma.getComponents().findLast(c => c.name === 'p2p')?.value
    if (relayId === undefined) {
      return { addr, failures: 0, status: { addr, state: 'down', error: 'the relay address does not name the relay (/p2p/<peer id> is missing)' } }
    }
    return { addr, ma, relayId, failures: 0, status: { addr, state: 'connecting' } }
  } catch {
    return { addr, failures: 0, status: { addr, state: 'down', error: 'not a valid relay address' } }
  }
}

