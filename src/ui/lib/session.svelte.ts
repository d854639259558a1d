// The page's wallet session: which screen shows, the identity, the node's status and the page-side
// services around it (tab lock, relay document, persistence, updates). Screens read its fields and
// call its methods; they never talk to the worker themselves.
import { proxy } from 'comlink'
import type { ContactCard, IdentityInfo, NodeStatus, PeerStatus, StartOptions } from '../../worker/api'
import type { CreateClient, WalletClientLike } from './client'
import { describeError, precheckContactLink } from './errors'
import { classifyLink, type ClassifiedLink } from './links'
import { TallyStore } from './tallies.svelte'
import { LiftStore } from './lifts.svelte'
import type { PageOptions } from './query'
import { relayDialAddr } from './relay-doc'
import type { RelayDocLoader, RelayDocState } from './relay-doc-loader'
import { addRelay, removeRelay, saveSettings, type Settings } from './settings'
import type { KeyValueStore } from './relay-doc-loader'
import { requestPersistence, type PersistState, type StorageManagerLike } from './storage-persist'
import type { TabLock } from './tab-lock'
import { withTimeout, type PageTimers } from './timers'

export type View =
  | { kind: 'locking' }
  | { kind: 'other-tab' }
  | { kind: 'moved' }
  | { kind: 'opening' }
  | { kind: 'welcome' }
  | { kind: 'phrase', phrase: string }
  | { kind: 'home' }
  | { kind: 'failed', message: string }

/** The sections of a wallet's screen (the header's tabs). */
export type Section = 'home' | 'tallies' | 'settings' | 'lifts'

export interface SessionDeps {
  createClient: CreateClient
  lock: TabLock
  relayDoc: RelayDocLoader
  timers: PageTimers
  pageOptions: PageOptions
  storage: KeyValueStore | undefined
  storageManager: StorageManagerLike | undefined
  settings: Settings
  /** The page's base URL, for contact links (origin + base path). */
  baseUrl: string
  pageIsHttps: boolean
  /** A contact link the page was opened with (someone's QR code), to prefill the connect box. */
  incomingLink?: string
}

const SHUTDOWN_WAIT_MS = 4_000

export class WalletSession {
  view = $state<View>({ kind: 'locking' })
  identity = $state<IdentityInfo | undefined>(undefined)
  status = $state<NodeStatus | undefined>(undefined)
  contact = $state<{ link: string, card: ContactCard } | undefined>(undefined)
  contactError = $state<string | undefined>(undefined)
  persist = $state<PersistState | 'unknown'>('unknown')
  relayDoc = $state<RelayDocState>({ kind: 'loading' })
  settings = $state<Settings>({ extraRelays: [] })
  /** Set while the node waits for a relay address (no relay document yet, no extra relays). */
  waitingForRelay = $state(false)
  busy = $state(false)
  takeOverBusy = $state(false)
  formError = $state<string | undefined>(undefined)
  connectError = $state<string | undefined>(undefined)
  connecting = $state(false)
  /** The connect box's text. */
  connectDraft = $state('')
  /** True when the page was opened through a contact link. */
  openedFromLink = $state(false)
  /** Per peer: the last hello error from a button press. */
  helloErrors = $state<Record<string, string>>({})
  /** Which section of the wallet shows (header tabs). */
  section = $state<Section>('home')
  /** The tallies, live while the node runs. */
  readonly tallies: TallyStore = new TallyStore({ onLost: () => { void this.onLockLost('stolen') }, isLost: isLostWallet })
  /** The lifts and the auto-clearing setting, live while the node runs. */
  readonly lifts: LiftStore = new LiftStore({ onLost: () => { void this.onLockLost('stolen') }, isLost: isLostWallet })
  /** Where the Lifts section opens: at "Pay anyone", or at the top. */
  liftsFocus = $state<'pay' | undefined>(undefined)

  private readonly d: SessionDeps
  private client: WalletClientLike | undefined
  private nodeStarted = false
  private lastAddrs = ''
  private subscription: number | undefined

  constructor (deps: SessionDeps) {
    this.d = deps
    this.settings = deps.settings
    this.relayDoc = deps.relayDoc.state
    if (deps.incomingLink !== undefined) {
      this.connectDraft = deps.incomingLink
      this.openedFromLink = true
    }
    deps.relayDoc.onChange(state => {
      this.relayDoc = state
      void this.maybeStartNode()
    })
    deps.lock.onLost(reason => { void this.onLockLost(reason) })
  }

  /** Startup: claim the wallet lock, or say another tab has it. */
  async boot (): Promise<void> {
    this.d.relayDoc.start()
    let held: boolean
    try {
      held = await this.d.lock.tryAcquire()
    } catch (err) {
      this.view = { kind: 'failed', message: `This browser cannot lock the wallet to one tab: ${describeError(err).message}` }
      return
    }
    if (held) await this.openWallet()
    else this.view = { kind: 'other-tab' }
  }

  /** "Use it here": ask the tab that holds the wallet to let go, then open it here. */
  async takeOver (): Promise<void> {
    if (this.takeOverBusy) return
    this.takeOverBusy = true
    try {
      await this.d.lock.takeOver()
      await this.openWallet()
    } catch (err) {
      this.view = { kind: 'failed', message: `Could not move the wallet to this tab: ${describeError(err).message}` }
    } finally {
      this.takeOverBusy = false
    }
  }

  async create (name: string): Promise<void> {
    const checked = checkName(name)
    if (checked.error !== undefined) { this.formError = checked.error; return }
    await this.run(async api => {
      const created = await api.create(checked.name)
      this.identity = created.identity
      this.view = { kind: 'phrase', phrase: created.phrase }
      void this.afterWalletExists()
    })
  }

  async restore (phrase: string, name: string): Promise<void> {
    const checked = checkName(name)
    if (checked.error !== undefined) { this.formError = checked.error; return }
    const words = phrase.trim().split(/\s+/).filter(w => w !== '')
    if (![12, 15, 18, 21, 24].includes(words.length)) {
      this.formError = `A recovery phrase has 12 or 24 words; this one has ${words.length}.`
      return
    }
    await this.run(async api => {
      this.identity = await api.restore(words.join(' '), checked.name)
      this.view = { kind: 'home' }
      void this.afterWalletExists()
    })
  }

  /** "I wrote it down". */
  phraseSaved (): void {
    if (this.view.kind === 'phrase') this.view = { kind: 'home' }
  }

  async recoveryPhrase (): Promise<string> {
    const api = this.api()
    return await api.recoveryPhrase()
  }

  async connect (link: string): Promise<boolean> {
    // An invitation pasted into the contact box opens its offer instead of failing as a contact link.
    const kind = classifyLink(link)
    if (kind.kind === 'invite') { this.connectError = undefined; this.openLink(kind); return true }
    const problem = precheckContactLink(link)
    if (problem !== undefined) { this.connectError = problem; return false }
    if (!this.nodeStarted) { this.connectError = 'The wallet is not connected to a relay yet, so it cannot reach your contact. It keeps trying.'; return false }
    this.connecting = true
    this.connectError = undefined
    try {
      await this.api().connect(link.trim())
      this.openedFromLink = false
      return true
    } catch (err) {
      if (isLostWallet(err)) { void this.onLockLost('stolen'); return false }
      this.connectError = connectMessage(err)
      return false
    } finally {
      this.connecting = false
    }
  }

  /**
   * A link the page was opened with, or that arrived later (hashchange, protocol handler, paste, scan):
   * an invitation opens its preview under Tallies, a contact link prefills the connect box.
   */
  openLink (link: ClassifiedLink): void {
    if (link.kind === 'invite') {
      this.section = 'tallies'
      this.tallies.show({ screen: 'offer', link: link.link })
    } else if (link.kind === 'contact') {
      this.section = 'home'
      this.connectDraft = link.link
      this.openedFromLink = true
    }
  }

  async hello (peerId: string): Promise<void> {
    const { [peerId]: _, ...rest } = this.helloErrors
    this.helloErrors = rest
    try {
      await this.api().hello(peerId)
    } catch (err) {
      if (isLostWallet(err)) { void this.onLockLost('stolen'); return }
      this.helloErrors = { ...this.helloErrors, [peerId]: connectMessage(err) }
    }
  }

  addRelay (input: string): string | undefined {
    const result = addRelay(this.settings, input)
    if (!result.ok) return result.error
    this.settings = result.settings
    saveSettings(this.d.storage, this.settings)
    return undefined
  }

  removeRelay (addr: string): void {
    this.settings = removeRelay(this.settings, addr)
    saveSettings(this.d.storage, this.settings)
  }

  /** Stops this tab's node and closes the store (lock release, update, page hide). */
  async stopNode (): Promise<void> {
    const client = this.client
    this.client = undefined
    this.nodeStarted = false
    this.tallies.detach()
    this.lifts.detach()
    if (client === undefined) return
    try {
      await withTimeout(this.d.timers, client.api.shutdown(), SHUTDOWN_WAIT_MS, 'stopping the wallet node')
    } catch {
      // terminate() below ends it anyway; the writer epoch refuses any write it still had in flight
    } finally {
      client.terminate()
    }
  }

  /** For the update flow: stop the node and let go of the lock. */
  async releaseForUpdate (): Promise<void> {
    if (this.d.lock.isHeld) await this.d.lock.release()
    else await this.stopNode()
  }

  private async openWallet (): Promise<void> {
    this.view = { kind: 'opening' }
    try {
      this.client = this.d.createClient()
      const identity = await this.client.api.open()
      this.identity = identity
      if (identity === undefined) {
        this.view = { kind: 'welcome' }
      } else {
        this.view = { kind: 'home' }
        void this.afterWalletExists()
      }
    } catch (err) {
      this.view = { kind: 'failed', message: `The wallet could not open its storage: ${describeError(err).message}` }
    }
  }

  private async afterWalletExists (): Promise<void> {
    void requestPersistence(this.d.storageManager).then(state => { this.persist = state })
    await this.maybeStartNode()
  }

  /** The relays to start with: the origin's relay (fresh or cached document) and the user's own. */
  private relaysToUse (): { relays: string[], iceServers: RTCIceServer[] } {
    const state = this.relayDoc
    const doc = state.kind === 'ok' ? state.doc : state.kind === 'failed' ? state.cached : undefined
    const relays: string[] = []
    const own = doc !== undefined ? relayDialAddr(doc, this.d.pageIsHttps) : undefined
    if (own !== undefined) relays.push(own)
    for (const r of this.settings.extraRelays) if (!relays.includes(r)) relays.push(r)
    return { relays, iceServers: doc?.iceServers.map(s => ({ ...s })) ?? [] }
  }

  private async maybeStartNode (): Promise<void> {
    if (this.nodeStarted || this.identity === undefined || this.client === undefined) return
    const { relays, iceServers } = this.relaysToUse()
    // Without any relay address nobody can reach this node; wait for the relay document's retry.
    if (relays.length === 0) {
      this.waitingForRelay = this.relayDoc.kind !== 'loading'
      return
    }
    this.waitingForRelay = false
    this.nodeStarted = true
    const api = this.client.api
    const auto = this.d.pageOptions.autoClearMs
    const options: StartOptions = { relays, iceServers, webrtc: this.d.pageOptions.webrtc, ...(auto !== undefined ? { liftAutoClearMs: auto } : {}) }
    try {
      this.subscription = await api.subscribe(proxy((status: NodeStatus) => { this.onStatus(status) }))
      this.onStatus(await api.start(options))
      void this.tallies.attach(api)
      void this.lifts.attach(api)
    } catch (err) {
      this.nodeStarted = false
      this.view = { kind: 'failed', message: `The wallet node did not start: ${describeError(err).message}` }
    }
  }

  private onStatus (status: NodeStatus): void {
    this.status = status
    const addrs = status.addrs.join(' ')
    if (addrs !== this.lastAddrs) {
      this.lastAddrs = addrs
      void this.refreshContact()
    }
  }

  private async refreshContact (): Promise<void> {
    const client = this.client
    if (client === undefined) return
    try {
      this.contact = await client.api.contactLink(this.d.baseUrl)
      this.contactError = undefined
    } catch (err) {
      this.contactError = describeError(err).message
    }
  }

  private async onLockLost (_reason: 'moved' | 'stolen'): Promise<void> {
    await this.stopNode()
    this.status = undefined
    this.contact = undefined
    this.view = { kind: 'moved' }
  }

  private api (): WalletClientLike['api'] {
    if (this.client === undefined) throw new Error('The wallet is not open in this tab.')
    return this.client.api
  }

  private async run (body: (api: WalletClientLike['api']) => Promise<void>): Promise<void> {
    if (this.busy) return
    this.busy = true
    this.formError = undefined
    try {
      await body(this.api())
    } catch (err) {
      if (isLostWallet(err)) { void this.onLockLost('stolen'); return }
      this.formError = describeError(err).message
    } finally {
      this.busy = false
    }
  }
}

/** A wallet name: 1–64 characters after trimming. */
export function checkName (input: string): { name: string, error?: string } {
  const name = input.trim().replace(/\s+/g, ' ')
  if (name === '') return { name, error: 'Enter a name your contacts will see.' }
  if ([...name].length > 64) return { name, error: 'Use at most 64 characters for the name.' }
  return { name }
}

/** Connect errors in words: a malformed link and an unreachable relay each get a clear sentence. */
export function connectMessage (err: unknown): string {
  const shown = describeError(err)
  switch (shown.code) {
    case 'MALFORMED':
    case 'TOO_LARGE':
      return `This contact link is not valid: ${shown.message}`
    case 'PEER_UNREACHABLE':
    case 'NETWORK_STOPPED':
      return `Could not reach your contact through their relay: ${shown.message}`
    case 'TIMEOUT':
      return `Your contact did not answer in time: ${shown.message}`
    case 'INVALID_SIGNATURE':
    case 'HELLO_MISMATCH':
    case 'HELLO_STALE':
    case 'PROTOCOL_VIOLATION':
      return `Your contact's wallet answered, but its hello could not be verified: ${shown.message}`
    case 'NODE_NOT_STARTED':
      return 'The wallet is still starting; try again in a moment.'
    default:
      return shown.message
  }
}

/** Errors that mean this tab no longer owns the wallet's store (another tab or version took it). */
export function isLostWallet (err: unknown): boolean {
  const code = describeError(err).code
  return code === 'STALE_WRITER' || code === 'WALLET_CLOSED' || code === 'STORE_CLOSED'
}

export type { PeerStatus }
