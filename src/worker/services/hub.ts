// Subscriptions from the page: each listener is a comlink proxy of a page function. A listener whose page
// went away (its call rejects or throws) is dropped, so a dead tab never piles up messages. One hub per
// kind of event (status, tallies, lifts).

export type Listener<T> = (value: T) => unknown

export class ListenerHub<T> {
  #next = 0
  readonly #listeners = new Map<number, Listener<T>>()

  /** @param release frees a listener's transport resources (the comlink proxy) when it is removed. */
  constructor (private readonly release: (listener: Listener<T>) => void = () => {}) {}

  add (listener: Listener<T>): number {
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

  /** Sends value to every listener, or only to `only`. */
  publish (value: T, only?: number): void {
    for (const [id, listener] of this.#listeners) {
      if (only !== undefined && id !== only) continue
      try {
        const result = listener(value)
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
