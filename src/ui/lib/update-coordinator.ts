// Accepting an update must reload every open tab without an IndexedDB `blocked` stall: the new
// build's worker may open the store at a new version, which waits for every old connection to
// close. So before the new service worker activates, every tab stops its node (closing the store)
// and the lock is free; then skipWaiting; then each tab reloads on `controllerchange`.
import type { TabChannel, TabMessage } from './tab-channel'
import type { PageTimers } from './timers'

export interface UpdateCoordinatorOptions {
  channel: TabChannel
  tabId: string
  timers: PageTimers
  /** Stops this tab's node, if it runs one, and releases the wallet lock. */
  stopLocal: () => Promise<void>
  /** Resolves true once no tab holds the wallet lock, false after ms. */
  waitForRelease: (ms: number) => Promise<boolean>
  /** Tells the waiting service worker to take over (SKIP_WAITING). */
  activate: () => void
  reload: () => void
  /** Whether a service worker controlled this page when it loaded. */
  hadController: boolean
  /** How long to wait for the other tabs to let go of the store before activating anyway (ms). */
  releaseWaitMs?: number
  /** Reload anyway this long after preparing if no controllerchange came (ms). */
  fallbackReloadMs?: number
}

export type UpdatePhase = 'idle' | 'preparing' | 'reloading'

export class UpdateCoordinator {
  private readonly o: UpdateCoordinatorOptions
  private current: UpdatePhase = 'idle'
  private readonly listeners = new Set<(phase: UpdatePhase) => void>()
  private readonly unsubscribe: () => void
  private fallback: unknown

  constructor (options: UpdateCoordinatorOptions) {
    this.o = options
    this.unsubscribe = options.channel.on(m => { void this.onMessage(m) })
  }

  get phase (): UpdatePhase { return this.current }

  onPhase (listener: (phase: UpdatePhase) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** The user accepted the update in this tab. */
  async accept (buildId?: string): Promise<void> {
    if (this.current !== 'idle') return
    this.o.channel.send(buildId === undefined ? { t: 'update-prepare', from: this.o.tabId } : { t: 'update-prepare', from: this.o.tabId, buildId })
    await this.prepare()
    await this.o.waitForRelease(this.o.releaseWaitMs ?? 5_000)
    this.o.activate()
  }

  /** navigator.serviceWorker 'controllerchange'. */
  controllerChanged (): void {
    // A page that loaded without a controller gets one on first install only if the worker claims
    // clients (ours does not); reload in every other case, once.
    if (this.current === 'reloading') return
    if (this.current === 'idle' && !this.o.hadController) return
    this.reload()
  }

  close (): void {
    this.unsubscribe()
    if (this.fallback !== undefined) this.o.timers.clearTimeout(this.fallback)
  }

  private async onMessage (message: TabMessage): Promise<void> {
    if (message.from === this.o.tabId || message.t !== 'update-prepare') return
    await this.prepare()
  }

  private async prepare (): Promise<void> {
    if (this.current !== 'idle') return
    this.set('preparing')
    try {
      await this.o.stopLocal()
    } finally {
      // If the new worker never takes control (the tab was not controlled, or activation failed),
      // reload anyway: this tab's node is stopped and it must not sit there dead.
      this.fallback = this.o.timers.setTimeout(() => { this.reload() }, this.o.fallbackReloadMs ?? 10_000)
    }
  }

  private reload (): void {
    if (this.current === 'reloading') return
    if (this.fallback !== undefined) this.o.timers.clearTimeout(this.fallback)
    this.set('reloading')
    this.o.reload()
  }

  private set (phase: UpdatePhase): void {
    this.current = phase
    for (const l of this.listeners) l(phase)
  }
}
