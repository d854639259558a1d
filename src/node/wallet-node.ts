// The WalletNode facade (api.ts) over small services: the Network (libp2p or simulated), relay
// management, the hello protocol, the peer directory and the contacts table. The worker calls
// startWalletNode with its injected ports; tests and the simulator do the same with their own.
import { ChipsError } from '../core/errors'
import type { ContactCard, NodePhase, NodeStatus, PeerStatus, WalletNode } from './api'
import type { Network } from './net/network'
import type { BackoffPolicy } from './net/backoff'
import type { Libp2pHost } from './net/libp2p/node'
import type { RelayMonitor } from './net/libp2p/relays'
import { Emitter } from './net/emitter'
import { MAX_CARD_ADDRS, validateCard } from './contact/card'
import { HelloMismatchError, sendHello, serveHello } from './protocols/hello'
import type { HelloDeps } from './protocols/hello'
import { PeerDirectory } from './services/peers'
import { saveContact } from './services/contacts'
import { StaleWriterError } from './store/errors'
import type { TallyView } from './api'
import type { TallyAction } from '../core/chit/types'
import type { TallyState } from '../core/tally/state'
import { tallyMachine } from '../core/tally/machine'
import { verifyOnceCache } from '../core/crypto/cache'
import { nativeSha256 } from './native-hash'
import type { DiaryServiceDeps } from './services/diary/service'
import type { TallyDiary } from './services/tallies/deps'
import { TallyService } from './services/tallies/service'
import { nodeMemberIdentity } from './services/tallies/member'
import { createDiaryService } from './services/diary/diary-service'
import { tallyDiaryHooks } from './services/diary/tally-hooks'
import { RecoveryService } from './services/recovery/service'
import type { NodeServiceDeps } from './services/deps'
import type { RecoveryConfig } from './services/recovery/deps'
import type { LiftConfig, LiftServiceDeps, RouteService } from './services/lifts/contracts'
import { TallyLedger } from './services/lifts/ledger'
import { liftKeys, noblePublicKey } from './services/lifts/keys'
import type { PublicKeyOf } from './services/lifts/keys'
import { nativePublicKey } from './services/lifts/keys-native'
import { LiftService } from './services/lifts/service'
import { routeServiceFor } from './services/lifts/route-service'
import { PlanService } from './services/lifts/plan-service'
import type { RefereeBehaviour } from './services/lifts/referee-service'
import { memberOfPeer } from './services/diary/keys'

/** Build a libp2p network for this host. */
export interface Libp2pNetworkChoice {
  kind: 'libp2p'
  host: Libp2pHost
  /** Relay multiaddrs (with /p2p/<relay id>). */
  relays: string[]
  webrtc?: boolean
  iceServers?: RTCIceServer[]
  listen?: string[]
  /** Local tests only: allow ws:// and loopback addresses (see net/libp2p/node.ts). */
  allowInsecureLoopback?: boolean
  backoff?: BackoffPolicy
  requestTimeoutMs?: number
}

/** Use a network built elsewhere (the simulator), optionally with its relay monitor. */
export interface GivenNetworkChoice {
  kind: 'given'
  network: Network
  relays?: RelayMonitor
}

/** The node's services' dependencies, except that the network is chosen here (built or given). */
export interface WalletNodeOptions extends Omit<NodeServiceDeps, 'network'> {
  network: Libp2pNetworkChoice | GivenNetworkChoice
  /** The tally service (on by default); `false` leaves it out. */
  tallies?: TallyOptions | false
  /** Wallet recovery through the relays' rendezvous (on with the tally service by default); `false` leaves it out. */
  recovery?: RecoveryOptions | false
  /** Lifts: discovery, execution, this node's referee, auto-clearing (on with the tally service by default); `false` leaves them out. */
  lifts?: LiftOptions | false
}

export interface LiftOptions {
  /** Builds the route service (discovery); default: services/lifts/route-service (/mychips/route/1.0.0). */
  route?: (deps: LiftServiceDeps) => RouteService
  /** Overrides of DEFAULT_LIFT_CONFIG (referees, acceptReferees, timings…). */
  config?: Partial<LiftConfig>
  /** Serve this node's referee (default true). */
  referee?: boolean
  /** Test only: a misbehaving referee (research scenario 36). */
  refereeBehaviour?: RefereeBehaviour
  /** Synchronous Ed25519 public keys for the lift keys (default: the runtime's native one where there is one, else noble). */
  publicKey?: PublicKeyOf
  /** Session keys each node remembers (default SESSION_CACHE, sized for a busy real node; the simulator runs 1,000 nodes). */
  sessionCache?: number
}

export interface RecoveryOptions {
  /** Peer ids of the rendezvous servers (default: the relays this node is connected to). */
  rendezvous?: string[]
  config?: Partial<RecoveryConfig>
}

export interface TallyOptions {
  /** Builds the certified diary service (default: src/node/services/diary's createDiaryService). */
  diary?: (deps: DiaryServiceDeps<TallyState, TallyAction>) => TallyDiary
  /** Retry schedule for undelivered negotiation messages. */
  retry?: BackoffPolicy
  /** How long an action waits for its certificate before it resolves as pending (default 4 s). */
  certifyWaitMs?: number
}

export class NodeStartError extends ChipsError {
  constructor (message: string, options?: { cause?: unknown }) { super('NODE_START_FAILED', message, options) }
}

/** Starts a wallet node: the network, relays, and the hello protocol. Resolves once it is running. */
export async function startWalletNode (options: WalletNodeOptions): Promise<WalletNode> {
  const { network, relays, startRelays, stopRelays } = await buildNetwork(options)
  const node = new RunningWalletNode(options, network, relays, stopRelays)
  try {
    await network.start()
  } catch (cause) {
    node.fail(`the network did not start: ${cause instanceof Error ? cause.message : String(cause)}`)
    await network.stop().catch(() => undefined)
    throw new NodeStartError('the wallet node could not start its network', { cause })
  }
  startRelays()
  try {
    await node.startTallies()
  } catch (cause) {
    await node.stop().catch(() => undefined)
    throw new NodeStartError('the wallet node could not start its tally service', { cause })
  }
  node.running()
  return node
}

async function buildNetwork (options: WalletNodeOptions): Promise<{
  network: Network, relays?: RelayMonitor, startRelays: () => void, stopRelays: () => void
}> {
  const choice = options.network
  if (choice.kind === 'given') return { network: choice.network, relays: choice.relays, startRelays: () => {}, stopRelays: () => {} }
  // Loaded on demand so that a simulated node never loads libp2p.
  const [{ createLibp2pNode }, { Libp2pNetwork }, { RelayManager }, { devicePrivateKey }] = await Promise.all([
    import('./net/libp2p/node'), import('./net/libp2p/network'), import('./net/libp2p/relays'), import('./identity/identity')
  ])
  const libp2p = await createLibp2pNode({
    host: choice.host,
    privateKey: devicePrivateKey(options.identity),
    reservations: choice.relays.length,
    webrtc: choice.webrtc,
    iceServers: choice.iceServers,
    listen: choice.listen,
    allowInsecureLoopback: choice.allowInsecureLoopback
  })
  const network = new Libp2pNetwork(libp2p, {
    timers: options.timers,
    clock: options.clock,
    logger: options.logger,
    requestTimeoutMs: choice.requestTimeoutMs,
    upgradeToDirect: choice.webrtc ?? choice.host === 'browser'
  })
  const relays = new RelayManager(libp2p, choice.relays, {
    clock: options.clock, timers: options.timers, random: options.random, logger: options.logger, backoff: choice.backoff
  })
  return { network, relays, startRelays: () => { relays.start() }, stopRelays: () => { relays.stop() } }
}

class RunningWalletNode implements WalletNode {
  #phase: NodePhase = 'starting'
  #error: string | undefined
  readonly #events = new Emitter<{ status: NodeStatus }>()
  readonly #tallyEvents = new Emitter<{ tally: TallyView }>()
  /** The subscription to the tally service's changes while anyone listens to onTallies. */
  #talliesOff: (() => void) | undefined
  readonly #peers: PeerDirectory
  readonly #hello: HelloDeps
  readonly #off: Array<() => void> = []
  readonly tallies?: TallyService
  readonly #diary?: TallyDiary
  readonly recovery?: RecoveryService
  readonly lifts?: LiftService

  constructor (
    private readonly options: WalletNodeOptions,
    private readonly network: Network,
    private readonly relays: RelayMonitor | undefined,
    private readonly stopRelays: () => void
  ) {
    this.#hello = { identity: options.identity, crypto: options.crypto, clock: options.clock, random: options.random }
    this.#peers = new PeerDirectory(network)
    if (options.tallies !== false) {
      const member = nodeMemberIdentity(options.identity.peerKey)
      const t = options.tallies ?? {}
      // One verify-once cache for everything that re-checks tally signatures: the diary evaluates an
      // entry several times, and handed-off actions are pre-verified before they are proposed.
      const crypto = verifyOnceCache(options.crypto, undefined, nativeSha256())
      // The diary dials partner members at the addresses the tally service learnt in negotiation.
      let addrsOf = (_key: string): readonly string[] => []
      this.#diary = (t.diary ?? createDiaryService)({
        addrsOf: key => addrsOf(key),
        network, store: options.store, crypto, machine: tallyMachine(crypto), identity: member, ...tallyDiaryHooks(crypto),
        clock: options.clock, timers: options.timers, random: options.random, logger: options.logger
      })
      this.tallies = new TallyService({
        identity: options.identity, store: options.store, crypto, clock: options.clock, timers: options.timers,
        random: options.random, logger: options.logger, network, diary: this.#diary, memberKey: member.key,
        ...(t.retry !== undefined ? { retry: t.retry } : {}), ...(t.certifyWaitMs !== undefined ? { certifyWaitMs: t.certifyWaitMs } : {})
      }, () => this.contact())
      const tallies = this.tallies
      addrsOf = key => tallies.addrsOf(key)
      if (options.recovery !== false) {
        const r = options.recovery ?? {}
        const recovery = this.recovery = new RecoveryService({
          identity: options.identity, store: options.store, crypto, clock: options.clock, timers: options.timers,
          random: options.random, logger: options.logger, network, diary: this.#diary, memberKey: member.key,
          rendezvous: () => r.rendezvous ?? connectedRelayIds(relays),
          ...(r.config !== undefined ? { config: r.config } : {})
        })
        // A partner's new device (a restored wallet) is found through the rendezvous, not negotiation.
        addrsOf = key => { const a = tallies.addrsOf(key); return a.length > 0 ? a : recovery.addrsOf(key) }
        if (relays !== undefined) this.#off.push(relays.onChange(() => { recovery.relaysChanged() }))
        this.#off.push(recovery.on('restored', ({ tally }) => {
          tallies.get(tally).then(view => { this.#tallyEvents.emit('tally', view) }, () => undefined)
        }))
      }
    }
    if (this.tallies !== undefined && this.#diary !== undefined && options.lifts !== false) {
      const tallies = this.tallies
      const l = options.lifts ?? {}
      const member = nodeMemberIdentity(options.identity.peerKey)
      const ledger = new TallyLedger({ diary: this.#diary, tallies, memberKey: member.key, userId: options.identity.userId, timers: options.timers })
      const deps: LiftServiceDeps = {
        identity: options.identity, store: options.store, crypto: verifyOnceCache(options.crypto, undefined, nativeSha256()), clock: options.clock, timers: options.timers,
        random: options.random, logger: options.logger, network, ledger,
        keys: liftKeys(member.secret, l.publicKey ?? nativePublicKey() ?? noblePublicKey, l.sessionCache),
        ...(l.config !== undefined ? { config: l.config } : {})
      }
      const addrsOf = (peer: string): readonly string[] => { const key = memberOfPeer(peer); return key === undefined ? [] : tallies.addrsOf(key) }
      // The clearing plan (docs/lifts.md §10) when the config asks for one.
      if ((l.config?.planMs ?? 0) > 0) {
        deps.plan = new PlanService({
          network, ledger, clock: options.clock, timers: options.timers, random: options.random, logger: options.logger, config: l.config ?? {}, addrsOf
        })
      }
      this.lifts = new LiftService({
        ...deps,
        route: l.route !== undefined ? l.route(deps) : routeServiceFor(deps, { addrsOf }),
        partnerName: async tally => (await tallies.get(tally)).partner?.name,
        addrsOf,
        ...(l.referee !== undefined ? { referee: l.referee } : {}),
        ...(l.refereeBehaviour !== undefined ? { refereeBehaviour: l.refereeBehaviour } : {})
      })
    }
    this.#off.push(this.#peers.onChange(() => { this.#changed() }))
    this.#off.push(network.on('addrs:change', () => { this.#changed() }))
    if (relays !== undefined) this.#off.push(relays.onChange(() => { this.#changed() }))
    serveHello(network, this.#hello, {
      verified: (hello, link) => {
        const at = options.clock.now()
        this.#peers.verified(hello, link, at)
        this.#remember(saveContact(options.store, hello, at))
        options.logger.log('info', 'hello.verified', { peer: hello.peerId, name: hello.name, link: link.kind, inbound: true })
      },
      refused: (peerId, error) => {
        this.#peers.failed(peerId, error)
        options.logger.log('warn', 'hello.refused', { peer: peerId, code: error.code, error: error.message })
      }
    })
  }

  status (): NodeStatus {
    const { identity } = this.options
    return {
      phase: this.#phase,
      userId: identity.userId,
      name: identity.name,
      peerId: identity.peerId,
      addrs: this.network.addrs?.() ?? [],
      relays: this.relays?.status() ?? [],
      peers: this.#peers.list(),
      ...(this.#error === undefined ? {} : { error: this.#error })
    }
  }

  onStatus (listener: (status: NodeStatus) => void): () => void {
    return this.#events.on('status', listener)
  }

  contact (): ContactCard {
    const { identity } = this.options
    return { v: 1, userId: identity.userId, name: identity.name, peerId: identity.peerId, addrs: this.status().addrs.slice(0, MAX_CARD_ADDRS) }
  }

  async connect (input: ContactCard): Promise<PeerStatus> {
    const card = validateCard(input)
    if (card.peerId === this.options.identity.peerId) throw new HelloMismatchError('this is your own contact link')
    this.#assertRunning()
    this.#peers.pending(card.peerId, card.name)
    try {
      const { hello, link } = await sendHello(this.network, this.#hello, card.peerId, { addrs: card.addrs })
      if (hello.userId !== card.userId) throw new HelloMismatchError('the node at this link belongs to another user than the contact card names')
      const at = this.options.clock.now()
      const status = this.#peers.verified(hello, link, at)
      await this.#guardWrite(saveContact(this.options.store, hello, at, card))
      this.options.logger.log('info', 'hello.verified', { peer: hello.peerId, name: hello.name, link: link.kind, inbound: false })
      return status
    } catch (err) {
      this.#peers.failed(card.peerId, toChipsError(err))
      throw err
    }
  }

  async hello (peerId: string): Promise<PeerStatus> {
    this.#assertRunning()
    this.#peers.pending(peerId)
    try {
      const { hello, link } = await sendHello(this.network, this.#hello, peerId)
      const at = this.options.clock.now()
      const status = this.#peers.verified(hello, link, at)
      await this.#guardWrite(saveContact(this.options.store, hello, at))
      return status
    } catch (err) {
      this.#peers.failed(peerId, toChipsError(err))
      throw err
    }
  }

  async stop (): Promise<void> {
    if (this.#phase === 'stopped' || this.#phase === 'stopping') return
    this.#setPhase('stopping')
    this.stopRelays()
    try {
      this.lifts?.stop()
      this.recovery?.stop()
      this.tallies?.stop()
      await this.#diary?.stop().catch(() => undefined)
      await this.network.stop()
    } finally {
      this.#peers.close()
      for (const off of this.#off) off()
      this.#setPhase('stopped')
    }
  }

  /** @internal Reloads the diaries kept here, then serves negotiation and delivers what is still queued. */
  async startTallies (): Promise<void> {
    await this.#diary?.resume()
    await this.tallies?.start()
    await this.recovery?.start()
    await this.lifts?.start()
  }

  onTallies (listener: (tally: TallyView) => void): () => void {
    // The tally service builds views for its change events only while someone listens: so do we.
    const tallies = this.tallies
    if (tallies !== undefined && this.#talliesOff === undefined) this.#talliesOff = tallies.onChange(view => { this.#tallyEvents.emit('tally', view) })
    const off = this.#tallyEvents.on('tally', listener)
    return () => {
      off()
      if (!this.#tallyEvents.listening('tally') && this.#talliesOff !== undefined) { this.#talliesOff(); this.#talliesOff = undefined }
    }
  }

  /** @internal */
  running (): void { this.#setPhase('running') }

  /** @internal */
  fail (error: string): void {
    this.#error = error
    this.#setPhase('failed')
  }

  #assertRunning (): void {
    if (this.#phase !== 'running') throw new ChipsError('NODE_NOT_RUNNING', `the wallet node is ${this.#phase}`)
  }

  /** A write refused because another tab took the wallet over stops this node (DESIGN.md §5). */
  async #guardWrite (write: Promise<void>): Promise<void> {
    try {
      await write
    } catch (err) {
      if (err instanceof StaleWriterError) {
        await this.stop().catch(() => undefined)
        this.fail(err.message)
      }
      throw err
    }
  }

  #remember (write: Promise<void>): void {
    this.#guardWrite(write).catch((err: unknown) => {
      this.options.logger.log('error', 'contacts.save-failed', { error: err instanceof Error ? err.message : String(err) })
    })
  }

  #setPhase (phase: NodePhase): void {
    if (this.#phase === phase) return
    this.#phase = phase
    this.#changed()
  }

  #changed (): void {
    this.#events.emit('status', this.status())
  }
}

/** Peer ids of the relays this node holds a connection to (their rendezvous serves presence records). */
function connectedRelayIds (relays: RelayMonitor | undefined): string[] {
  if (relays === undefined) return []
  return relays.status().filter(r => r.state === 'connected' || r.state === 'reserved').map(r => r.addr.split('/p2p/').pop() ?? '').filter(id => id !== '')
}

function toChipsError (err: unknown): ChipsError {
  return err instanceof ChipsError ? err : new ChipsError('INTERNAL', err instanceof Error ? err.message : String(err))
}
