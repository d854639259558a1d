// One writer per wallet across tabs (DESIGN.md §4): the tab holding the Web Lock `mychips-wallet`
// is the only one that creates the wallet worker. A second tab asks the holder to let go ("Use it
// here"); the holder stops its node, closes the store and releases the lock, and the lock queue
// hands it over. If the holder does not answer in time the new tab steals the lock; the store's
// writer epoch stops the old node at its first write in that case.
import type { TabChannel, TabMessage } from './tab-channel'
import { withTimeout, type PageTimers } from './timers'

export const WALLET_LOCK_NAME = 'mychips-wallet'

/** The part of navigator.locks used here (a fake in tests). */
export interface LocksLike {
  request (name: string, options: { mode?: 'exclusive', ifAvailable?: boolean, steal?: boolean, signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>
}

export type LostReason = 'moved' | 'stolen'

export interface TabLockOptions {
  locks: LocksLike
  channel: TabChannel
  tabId: string
  timers: PageTimers
  name?: string
  /** How long a take-over waits for the holder to release before stealing (ms). */
  releaseWaitMs?: number
  /** How long the holder waits for its node to stop before releasing anyway (ms). */
  shutdownWaitMs?: number
  /** Called on the holder before it releases the lock: stop the node, close the store. */
  beforeRelease: () => Promise<void>
}

interface Held {
  release: () => void
}

export class TabLock {
  private readonly o: Required<Omit<TabLockOptions, 'beforeRelease'>> & Pick<TabLockOptions, 'beforeRelease'>
  private held: Held | undefined
  private releasing = false
  private readonly lostListeners = new Set<(reason: LostReason) => void>()
  private readonly unsubscribe: () => void

  constructor (options: TabLockOptions) {
    this.o = { name: WALLET_LOCK_NAME, releaseWaitMs: 3_000, shutdownWaitMs: 5_000, ...options }
    this.unsubscribe = this.o.channel.on(m => { void this.onMessage(m) })
  }

  get isHeld (): boolean { return this.held !== undefined }

  /** Called when this tab loses the lock (handed over, or stolen). */
  onLost (listener: (reason: LostReason) => void): () => void {
    this.lostListeners.add(listener)
    return () => { this.lostListeners.delete(listener) }
  }

  /** Takes the lock if no other tab holds it. */
  tryAcquire (): Promise<boolean> {
    return this.acquire({ ifAvailable: true })
  }

  /**
   * Asks the holder to release, waits for the lock, and steals it after releaseWaitMs.
   * Resolves 'released' when the holder let go (or there was none), 'stolen' otherwise.
   */
  async takeOver (): Promise<'released' | 'stolen'> {
    if (this.held !== undefined) return 'released'
    this.o.channel.send({ t: 'release-request', from: this.o.tabId })
    const controller = new AbortController()
    const timer = this.o.timers.setTimeout(() => { controller.abort() }, this.o.releaseWaitMs)
    try {
      if (await this.acquire({ signal: controller.signal })) return 'released'
    } catch {
      // aborted: the holder did not answer in time
    } finally {
      this.o.timers.clearTimeout(timer)
    }
    if (await this.acquire({ steal: true })) return 'stolen'
    throw new Error('could not take the wallet lock')
  }

  /** Releases the lock after stopping the node (a take-over request, or an update). */
  async release (): Promise<void> {
    const held = this.held
    if (held === undefined || this.releasing) return
    this.releasing = true
    try {
      await withTimeout(this.o.timers, this.o.beforeRelease(), this.o.shutdownWaitMs, 'stopping the wallet node').catch(() => {
        // A node that does not stop in time is cut off anyway: its worker is terminated by
        // beforeRelease's caller and the writer epoch refuses any late write.
      })
    } finally {
      this.held = undefined
      this.releasing = false
      held.release()
    }
  }

  /**
   * Waits until no tab holds the lock (every node stopped), or timeoutMs passes. Does not keep it:
   * the update flow uses this to know the store is closed before the new service worker activates.
   */
  async waitUntilFree (timeoutMs: number): Promise<boolean> {
    if (this.held !== undefined) return false
    const controller = new AbortController()
    const timer = this.o.timers.setTimeout(() => { controller.abort() }, timeoutMs)
    try {
      await this.o.locks.request(this.o.name, { mode: 'exclusive', signal: controller.signal }, async () => undefined)
      return true
    } catch {
      return false
    } finally {
      this.o.timers.clearTimeout(timer)
    }
  }

  /** Stops listening to other tabs (the page is going away). */
  close (): void {
    this.unsubscribe()
  }

  private async onMessage (message: TabMessage): Promise<void> {
    if (message.from === this.o.tabId) return
    if (message.t === 'release-request' && this.held !== undefined) {
      await this.release()
      this.o.channel.send({ t: 'released', from: this.o.tabId })
      this.emitLost('moved')
    }
  }

  private emitLost (reason: LostReason): void {
    for (const l of this.lostListeners) l(reason)
  }

  /** Requests the lock; resolves true once held (the lock stays held until release()), false if not granted. */
  private acquire (options: { ifAvailable?: boolean, steal?: boolean, signal?: AbortSignal }): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let granted = false
      const request = this.o.locks.request(this.o.name, { mode: 'exclusive', ...options }, async lock => {
        if (lock === null || lock === undefined) { resolve(false); return }
        granted = true
        await new Promise<void>(release => {
          this.held = { release }
          resolve(true)
        })
      })
      request.catch((err: unknown) => {
        if (!granted) { reject(err instanceof Error ? err : new Error(String(err))); return }
        // The request of a held lock rejects when another tab steals it.
        if (this.held !== undefined) {
          this.held = undefined
          this.emitLost('stolen')
        }
      })
    })
  }
}
