// Status subscriptions from the page: each listener is a comlink proxy of a page function. A listener
// whose page went away (its call rejects) is dropped, so a dead tab never piles up messages.
import type { NodeStatus } from '../../node/api'

export type StatusListener = (status: NodeStatus) => unknown

export class StatusHub {
  #next = 0
  readonly #listeners = new Map<number, StatusListener>()

  /** @param release frees a listener's transport resources (the comlink proxy) when it is removed. */
  constructor (private readonly release: (listener: StatusListener) => void = () => {}) {}

  add (listener: StatusListener): number {
    const id = ++this.#next
    this.#listeners.set(id, listener)
    return id
  }

  remove (id: number): void {
    const listener = this.#listeners.get(id)
    if (listener === undefined) return
    this.#listeners.delete(id)
    try { this.release(listener) } catch { /* already released */ }
  }

  get size (): number { return this.#listeners.size }

  /** Sends status to every listener, or only to `only`. */
  publish (status: NodeStatus, only?: number): void {
    for (const [id, listener] of this.#listeners) {
      if (only !== undefined && id !== only) continue
      try {
        const result = listener(status)
        if (result instanceof Promise) result.catch(() => { this.remove(id) })
      } catch {
        this.remove(id)
      }
    }
  }

  clear (): void {
    for (const id of [...this.#listeners.keys()]) this.remove(id)
  }
}
