// This node at the rendezvous: it publishes its own presence (so partners can find a restored device) and
// watches its partners' user ids by polling with a cursor (so it sees a partner's new device).
//
// Why polling and not a long-lived watch stream: every poll is one ordinary request/response on the
// connection we keep to the relay anyway, so it survives relay restarts, reconnects and a relayed/direct
// switch without any subscription state on either side; the relay stays stateless per client. A recovery is
// rare and a few seconds of latency are fine; the cursor keeps each answer to what changed.
import { isChipsError } from '../../../core/errors'
import type { TimerHandle } from '../../ports'
import {
  lookupPresence, MAX_ADDR_CHARS, MAX_LOOKUP_USERS, MAX_PRESENCE_ADDRS, publishPresence, signPresence, type PresenceRecord
} from '../../protocols/rendezvous'
import type { DeviceCertificate } from '../../../core/keys/device'
import type { RecoveryConfig, RecoveryDeps } from './deps'

export class PresencePublisher {
  #timer: TimerHandle | undefined
  #last = 0
  #stopped = false
  /** Relays that took our current record. */
  readonly #published = new Set<string>()

  constructor (private readonly deps: RecoveryDeps, private readonly config: RecoveryConfig) {}

  start (): void { this.#schedule(0) }

  stop (): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.deps.timers.clearTimeout(this.#timer)
  }

  /** Our addresses or relays changed: publish again soon. */
  kick (addrsChanged: boolean): void {
    if (addrsChanged) this.#published.clear()
    this.#schedule(500)
  }

  #schedule (ms: number): void {
    if (this.#stopped) return
    if (this.#timer !== undefined) this.deps.timers.clearTimeout(this.#timer)
    this.#timer = this.deps.timers.setTimeout(() => { this.#timer = undefined; this.#publishSafely() }, ms)
  }

  #publishSafely (): void {
    this.#publish().catch((err: unknown) => {
      this.deps.logger.log('warn', 'rendezvous.publish-failed', { code: isChipsError(err) ? err.code : 'INTERNAL', error: err instanceof Error ? err.message : String(err) })
      this.#schedule(30_000)
    })
  }

  async #publish (): Promise<void> {
    const relays = this.deps.rendezvous().filter(r => !this.#published.has(r))
    if (relays.length === 0) { this.#refresh(); return }
    const { identity } = this.deps
    const time = Math.max(this.deps.clock.now(), this.#last + 1)
    this.#last = time
    const addrs = (this.deps.network.addrs?.() ?? []).filter(a => a.length <= MAX_ADDR_CHARS).slice(0, MAX_PRESENCE_ADDRS)
    const record = await signPresence(this.deps.crypto, identity.userSecret, {
      userId: identity.userId, peerId: identity.peerId, addrs, deviceCert: identity.deviceCert as DeviceCertificate, time
    })
    let failed = false
    for (const relay of relays) {
      try {
        await publishPresence(this.deps.network, relay, record)
        this.#published.add(relay)
      } catch (err) {
        failed = true
        this.deps.logger.log('info', 'rendezvous.publish-failed', { relay, code: isChipsError(err) ? err.code : 'INTERNAL' })
      }
    }
    if (failed) this.#schedule(5_000)
    else this.#refresh()
  }

  #refresh (): void {
    if (this.#stopped) return
    if (this.#timer !== undefined) this.deps.timers.clearTimeout(this.#timer)
    this.#timer = this.deps.timers.setTimeout(() => { this.#timer = undefined; this.#published.clear(); this.#publishSafely() }, this.config.refreshMs)
  }
}

export class PresenceWatcher {
  #timer: TimerHandle | undefined
  #stopped = false
  #failures = 0
  /** relay → cursor (the relay's `now` of our last complete poll). */
  readonly #since = new Map<string, number>()
  #users = ''
  /** The latest verified record per device of a watched user: looked at again every poll (an offer may have failed). */
  readonly #known = new Map<string, PresenceRecord>()

  constructor (
    private readonly deps: RecoveryDeps,
    private readonly config: RecoveryConfig,
    private readonly watch: { users (): Promise<string[]>, seen (record: PresenceRecord): Promise<void> }
  ) {}

  start (): void { this.#schedule(0) }

  stop (): void {
    this.#stopped = true
    if (this.#timer !== undefined) this.deps.timers.clearTimeout(this.#timer)
  }

  /** Where a watched device was last published at. */
  addrsOf (peerId: string): readonly string[] {
    return this.#known.get(peerId)?.body.addrs ?? []
  }

  /** Poll now (a relay came back, a tally opened). */
  kick (): void { this.#schedule(500) }

  #schedule (ms: number): void {
    if (this.#stopped) return
    if (this.#timer !== undefined) this.deps.timers.clearTimeout(this.#timer)
    this.#timer = this.deps.timers.setTimeout(() => { this.#timer = undefined; void this.poll().catch((err: unknown) => {
      this.#failures++
      this.deps.logger.log('warn', 'rendezvous.poll-failed', { code: isChipsError(err) ? err.code : 'INTERNAL', error: err instanceof Error ? err.message : String(err) })
    }).finally(() => { this.#next() }) }, ms)
  }

  #next (): void {
    const ms = Math.min(this.config.maxPollMs, this.config.pollMs * 2 ** Math.min(this.#failures, 10))
    this.#schedule(ms)
  }

  /** One poll of every rendezvous for every partner user (changes since the last complete poll). */
  async poll (): Promise<void> {
    if (this.deps.rendezvous().length === 0) return
    const users = (await this.watch.users()).sort()
    if (users.length === 0) return
    // A new set of users needs their current records, not only the changes.
    const key = users.join(',')
    if (key !== this.#users) {
      this.#since.clear()
      this.#users = key
      const watched = new Set(users)
      for (const [peer, r] of this.#known) if (!watched.has(r.body.userId)) this.#known.delete(peer)
    }
    let failed = false
    for (const relay of this.deps.rendezvous()) {
      try {
        let now = 0
        for (let i = 0; i < users.length; i += MAX_LOOKUP_USERS) {
          const res = await lookupPresence(this.deps.crypto, this.deps.network, relay, users.slice(i, i + MAX_LOOKUP_USERS), this.#since.get(relay))
          if (res.refused > 0) this.deps.logger.log('warn', 'rendezvous.records-refused', { relay, refused: res.refused })
          for (const r of res.records) {
            const have = this.#known.get(r.body.peerId)
            if (have === undefined || have.body.time < r.body.time) this.#known.set(r.body.peerId, r)
          }
          now = res.now
        }
        this.#since.set(relay, now)
      } catch (err) {
        failed = true
        this.deps.logger.log('info', 'rendezvous.lookup-failed', { relay, code: isChipsError(err) ? err.code : 'INTERNAL' })
      }
    }
    this.#failures = failed ? this.#failures + 1 : 0
    const stale = this.deps.clock.now() - 2 * this.config.refreshMs
    for (const [peer, r] of this.#known) {
      if (r.body.time < stale) { this.#known.delete(peer); continue }
      await this.watch.seen(r).catch(() => undefined)
    }
  }
}
