// The recovery service of a wallet node (docs/protocol.md, Recovery): presence at the rendezvous, the
// partner's side (watch partners, offer a new device its tallies, serve history, certify its re-seat) and the
// restored device's side (verify, re-seat, catch up). Every node runs both sides.
import type { MemberSet } from '../../../core/diary/machine'
import { Emitter } from '../../net/emitter'
import { peerIdOfMember } from '../diary/keys'
import type { PeerLink } from '../../net/network'
import { DEFAULT_RECOVERY_CONFIG, type RecoveryConfig, type RecoveryDeps } from './deps'
import { PartnerSide } from './partner'
import { PresencePublisher, PresenceWatcher } from './presence'
import { RestoredSide } from './restore'
import { decodeRecoveryRequest, encodeRecovery, MAX_RECOVERY_BYTES, RECOVERY_PROTOCOL, type RecoveryResponse } from './wire'

export interface RecoveryEvents {
  /** A tally came back from the partner: its record, diary and membership are in place. */
  restored: { tally: string }
  /** A restore attempt failed (it is tried again at the partner's next offer or the next start). */
  failed: { tally: string, code: string }
}

export class RecoveryService {
  readonly #events = new Emitter<RecoveryEvents>()
  readonly #config: RecoveryConfig
  readonly partner: PartnerSide
  readonly restored: RestoredSide
  readonly #publisher: PresencePublisher
  readonly #watcher: PresenceWatcher
  readonly #off: Array<() => void> = []

  constructor (private readonly deps: RecoveryDeps) {
    this.#config = { ...DEFAULT_RECOVERY_CONFIG, ...deps.config }
    this.partner = new PartnerSide(deps, this.#config)
    this.restored = new RestoredSide(deps, {
      restored: tally => { this.#events.emit('restored', { tally }) },
      failed: (tally, code) => { this.#events.emit('failed', { tally, code }) }
    })
    this.#publisher = new PresencePublisher(deps, this.#config)
    this.#watcher = new PresenceWatcher(deps, this.#config, { users: async () => await this.partner.partners(), seen: async r => { await this.partner.seen(r) } })
  }

  async start (): Promise<void> {
    this.deps.network.handle(RECOVERY_PROTOCOL, async (bytes, from) => encodeRecovery(await this.#serve(bytes, from)), { maxRequestBytes: MAX_RECOVERY_BYTES })
    this.#off.push(this.deps.network.on('addrs:change', () => { this.#publisher.kick(true) }))
    await this.restored.resume()
    this.#publisher.start()
    this.#watcher.start()
  }

  /** The relays (rendezvous servers) changed: publish and poll soon. */
  relaysChanged (): void {
    this.#publisher.kick(false)
    this.#watcher.kick()
  }

  /** Where to dial a member node we learnt of at the rendezvous (a partner's restored device). */
  addrsOf (memberKey: string): readonly string[] {
    try { return this.#watcher.addrsOf(peerIdOfMember(memberKey)) } catch { return [] }
  }

  /** The tally's current members per side (certified), or undefined for a tally this node does not keep. */
  members (tally: string): MemberSet | undefined {
    const s = this.deps.diary.state(tally)
    return s === undefined ? undefined : { stock: s.stock.members, foil: s.foil.members }
  }

  /** Poll the rendezvous now (tests; a tally opened). */
  async poll (): Promise<void> { await this.#watcher.poll() }

  on<K extends keyof RecoveryEvents> (event: K, listener: (detail: RecoveryEvents[K]) => void): () => void {
    return this.#events.on(event, listener)
  }

  stop (): void {
    this.deps.network.unhandle(RECOVERY_PROTOCOL)
    this.#publisher.stop()
    this.#watcher.stop()
    this.restored.stop()
    for (const off of this.#off) off()
  }

  async #serve (bytes: Uint8Array, from: PeerLink): Promise<RecoveryResponse> {
    const req = decodeRecoveryRequest(bytes)
    switch (req.t) {
      case 'offer': return await this.restored.offer(req, from)
      case 'history': return await this.partner.history(req, from)
      case 'reseat': return await this.partner.reseat(req, from)
    }
  }
}
