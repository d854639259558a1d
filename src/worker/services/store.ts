// The wallet's store as the worker holds it: opened once the page holds the wallet's Web Lock, with a
// fresh writer epoch claimed (so a tab that was taken over stops at its first write), and closed on
// shutdown so a take-over or an update never waits on this tab's connection.
import type { Store } from '../../node/store/store'
import { WalletClosedError, WalletNotOpenError } from '../errors'
import type { StoreCloseCause, WalletRuntime } from '../runtime'

const CAUSES: Record<StoreCloseCause, string> = {
  versionchange: 'the wallet database was closed so a newer version of the app can use it; reload the page',
  terminated: 'the browser closed the wallet database unexpectedly; reload the page'
}

export class StoreService {
  #store: Store | undefined
  #opening: Promise<Store> | undefined
  #lost: WalletClosedError | undefined
  readonly #onLost = new Set<(error: WalletClosedError) => void>()

  constructor (private readonly runtime: WalletRuntime, private readonly name: string) {}

  /** Opens the store (once; concurrent calls share the attempt). */
  async open (): Promise<Store> {
    if (this.#store !== undefined) return this.#store
    this.#opening ??= this.#open().finally(() => { this.#opening = undefined })
    return await this.#opening
  }

  /** The open store, or the reason there is none. */
  require (): Store {
    if (this.#store !== undefined) return this.#store
    throw this.#lost ?? new WalletNotOpenError()
  }

  get isOpen (): boolean { return this.#store !== undefined }

  /** Called when the store closes by itself (not on close()). */
  onLost (listener: (error: WalletClosedError) => void): () => void {
    this.#onLost.add(listener)
    return () => { this.#onLost.delete(listener) }
  }

  async close (): Promise<void> {
    const opening = this.#opening
    if (opening !== undefined) await opening.catch(() => undefined)
    const store = this.#store
    this.#store = undefined
    if (store !== undefined) await store.close()
  }

  async #open (): Promise<Store> {
    this.#lost = undefined
    const store = await this.runtime.openStore(this.name, (cause) => {
      if (this.#store !== store) return
      this.#store = undefined
      const error = new WalletClosedError(CAUSES[cause])
      this.#lost = error
      for (const listener of this.#onLost) listener(error)
    })
    this.#store = store
    return store
  }
}
