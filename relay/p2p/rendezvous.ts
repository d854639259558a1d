// The relay side of /mychips/rendezvous/1.0.0 (src/node/protocols/rendezvous.ts): a bounded, expiring
// registry of user-signed presence records, served over libp2p with the wallets' request/response framing.
//
// What the relay can and cannot do: it verifies each record it keeps (so garbage costs nothing to readers),
// but it cannot forge one (user-signed) and it never sees wallet data. It does learn who publishes and who
// looks up whom (docs/protocol.md, Recovery).
import type { Libp2p, Stream, Connection } from '@libp2p/interface'
import type { SignatureProvider } from '../../src/core/crypto/provider'
import { nobleProvider } from '../../src/core/crypto/noble'
import { ChipsError, MalformedError } from '../../src/core/errors'
import { errorFrame, okFrame } from '../../src/node/net/frame'
import { framed } from '../../src/node/net/libp2p/lp'
import type { Logger } from '../../src/node/ports'
import {
  decodeRendezvousRequest, encodeRendezvous, InvalidPresenceError, MAX_DEVICES_PER_USER, MAX_RENDEZVOUS_REQUEST_BYTES,
  RENDEZVOUS_PROTOCOL, verifyPresence, type PresenceRecord, type RendezvousResponse
} from '../../src/node/protocols/rendezvous'

export interface RendezvousConfig {
  /** A record is dropped this long after it was received (publishers refresh well before). */
  ttlMs: number
  /** Records kept in all; the least recently published goes first. */
  maxRecords: number
  /** How far a record's time may be from the relay's clock. */
  maxSkewMs: number
  /** Requests per peer per minute (a token bucket; a publish costs two signature checks). */
  publishesPerMinute: number
  lookupsPerMinute: number
}

export const DEFAULT_RENDEZVOUS_CONFIG: RendezvousConfig = {
  ttlMs: 60 * 60_000, maxRecords: 20_000, maxSkewMs: 10 * 60_000, publishesPerMinute: 10, lookupsPerMinute: 120
}

/** Peers whose buckets are remembered; beyond this the oldest are forgotten (they start full again). */
const MAX_TRACKED_PEERS = 10_000

/** Too many requests from one peer: try again later. */
export class RateLimitedError extends ChipsError {
  constructor (what: string) { super('RATE_LIMITED', `too many ${what} requests; try again later`) }
}

/** A record older than the one kept for its device, or too far from the relay's clock. */
export class StalePresenceError extends ChipsError {
  constructor (message: string) { super('STALE_PRESENCE', message) }
}

interface Kept { record: PresenceRecord, receivedAt: number }

/** The registry (no I/O: a clock is injected). handle() answers one request from a peer. */
export class RendezvousRegistry {
  /** `${userId}/${peerId}` → record, in order of reception (oldest first: eviction and expiry scan from the front). */
  readonly #kept = new Map<string, Kept>()
  /** userId → its kept keys, for the per-user bound. */
  readonly #byUser = new Map<string, Set<string>>()
  /** `${kind}/${peer}` → token bucket. */
  readonly #buckets = new Map<string, { tokens: number, at: number }>()
  readonly #config: RendezvousConfig

  constructor (private readonly deps: { crypto?: SignatureProvider, now: () => number, config?: Partial<RendezvousConfig> }) {
    this.#config = { ...DEFAULT_RENDEZVOUS_CONFIG, ...deps.config }
  }

  get size (): number { return this.#kept.size }

  async handle (bytes: Uint8Array, fromPeer: string): Promise<Uint8Array> {
    const req = decodeRendezvousRequest(bytes)
    this.#spend(req.t, fromPeer)
    const res: RendezvousResponse = req.t === 'publish'
      ? { t: 'ok', at: await this.publish(req.record, fromPeer) }
      : { t: 'records', ...this.lookup(req.users, req.since) }
    return encodeRendezvous(res)
  }

  /** Keeps a record published by the device it names. Returns the relay time it was kept at. Throws a named error. */
  async publish (raw: unknown, fromPeer: string): Promise<number> {
    const record = await verifyPresence(this.deps.crypto ?? nobleProvider, raw)
    const { userId, peerId, time } = record.body
    if (peerId !== fromPeer) throw new InvalidPresenceError('a device publishes its own presence only')
    const now = this.deps.now()
    if (Math.abs(time - now) > this.#config.maxSkewMs) throw new StalePresenceError(`the record's time is more than ${this.#config.maxSkewMs} ms from the relay's clock`)
    this.#expire(now)
    const key = `${userId}/${peerId}`
    const have = this.#kept.get(key)
    if (have !== undefined && have.record.body.time >= time) throw new StalePresenceError('a newer record of this device is kept')
    this.#drop(key)
    this.#kept.set(key, { record, receivedAt: now })
    const devices = this.#byUser.get(userId) ?? new Set<string>()
    devices.add(key)
    this.#byUser.set(userId, devices)
    // A few devices per user: the one that published least recently goes.
    if (devices.size > MAX_DEVICES_PER_USER) {
      let oldest: string | undefined
      for (const k of devices) if (oldest === undefined || this.#kept.get(k)!.receivedAt < this.#kept.get(oldest)!.receivedAt) oldest = k
      this.#drop(oldest!)
    }
    while (this.#kept.size > this.#config.maxRecords) this.#drop(this.#kept.keys().next().value!)
    return now
  }

  /** The unexpired records of these users received at or after `since` (relay clock). */
  lookup (users: readonly string[], since = 0): { records: PresenceRecord[], now: number } {
    const now = this.deps.now()
    this.#expire(now)
    const records: PresenceRecord[] = []
    for (const user of new Set(users)) {
      for (const key of this.#byUser.get(user) ?? []) {
        const kept = this.#kept.get(key)
        if (kept !== undefined && kept.receivedAt >= since) records.push(kept.record)
      }
    }
    return { records, now }
  }

  #expire (now: number): void {
    for (const [key, kept] of this.#kept) {
      if (kept.receivedAt + this.#config.ttlMs > now) break
      this.#drop(key)
    }
  }

  #drop (key: string): void {
    if (!this.#kept.delete(key)) return
    const user = key.slice(0, key.indexOf('/'))
    const devices = this.#byUser.get(user)
    devices?.delete(key)
    if (devices?.size === 0) this.#byUser.delete(user)
  }

  /** Takes one token from the peer's bucket for this kind of request, or refuses RATE_LIMITED. */
  #spend (kind: 'publish' | 'lookup', peer: string): void {
    const perMinute = kind === 'publish' ? this.#config.publishesPerMinute : this.#config.lookupsPerMinute
    const now = this.deps.now()
    const id = `${kind}/${peer}`
    const b = this.#buckets.get(id) ?? { tokens: perMinute, at: now }
    b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * perMinute / 60_000)
    b.at = now
    this.#buckets.delete(id)
    this.#buckets.set(id, b)
    while (this.#buckets.size > MAX_TRACKED_PEERS) this.#buckets.delete(this.#buckets.keys().next().value!)
    if (b.tokens < 1) throw new RateLimitedError(kind)
    b.tokens -= 1
  }
}

const READ_TIMEOUT_MS = 10_000

/** Serves the registry on a libp2p node (the relay's), one request per stream like every wallet protocol. */
export async function serveRendezvous (node: Libp2p, registry: RendezvousRegistry, logger?: Logger): Promise<void> {
  await node.handle(RENDEZVOUS_PROTOCOL, async (stream: Stream, connection: Connection) => {
    const from = connection.remotePeer.toString()
    const lp = framed(stream, MAX_RENDEZVOUS_REQUEST_BYTES)
    const signal = AbortSignal.timeout(READ_TIMEOUT_MS)
    let reply: Uint8Array
    try {
      let bytes: Uint8Array
      try {
        bytes = (await lp.read({ signal })).subarray()
      } catch (err) {
        throw new MalformedError(`the request did not arrive whole (${err instanceof Error ? err.name : 'error'})`)
      }
      reply = okFrame(await registry.handle(bytes, from))
    } catch (err) {
      logger?.log('info', 'rendezvous.refused', { peer: from, code: err instanceof ChipsError ? err.code : 'INTERNAL' })
      reply = errorFrame(err)
    }
    try {
      await lp.write(reply)
      await stream.close()
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }, { runOnLimitedConnection: false, maxInboundStreams: 8 })
}
