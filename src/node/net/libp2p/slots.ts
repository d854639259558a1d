// A counting semaphore per key (peer + protocol): at most `limit` holders at once, the rest wait in
// arrival order. Requests queue here instead of opening more streams than the remote accepts.

export class KeyedSlots {
  readonly #queues = new Map<string, { active: number, waiting: Array<() => void> }>()

  constructor (readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`slot limit must be a positive integer, got ${limit}`)
  }

  /** Holders and waiters under `key` (for tests and status). */
  load (key: string): { active: number, waiting: number } {
    const q = this.#queues.get(key)
    return { active: q?.active ?? 0, waiting: q?.waiting.length ?? 0 }
  }

  /** Waits for a slot under `key`; the returned function frees it (once). Rejects if `signal` aborts first. */
  async acquire (key: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    let q = this.#queues.get(key)
    if (q === undefined) { q = { active: 0, waiting: [] }; this.#queues.set(key, q) }
    const queue = q
    if (queue.active < this.limit) {
      queue.active++
      return this.#releaser(key, queue)
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = queue.waiting.indexOf(grant)
        if (i >= 0) queue.waiting.splice(i, 1)
        this.#dropIfIdle(key, queue)
        reject(signal?.reason)
      }
      // The releaser hands its slot straight to the first waiter: `active` stays counted.
      const grant = (): void => { signal?.removeEventListener('abort', onAbort); resolve() }
      queue.waiting.push(grant)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
    return this.#releaser(key, queue)
  }

  #releaser (key: string, queue: { active: number, waiting: Array<() => void> }): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = queue.waiting.shift()
      if (next !== undefined) { next(); return }
      queue.active--
      this.#dropIfIdle(key, queue)
    }
  }

  #dropIfIdle (key: string, queue: { active: number, waiting: Array<() => void> }): void {
    if (queue.active === 0 && queue.waiting.length === 0 && this.#queues.get(key) === queue) this.#queues.delete(key)
  }
}
