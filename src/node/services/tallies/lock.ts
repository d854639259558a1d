// One operation at a time per key (a tally): a user action and a message from the partner about the same
// tally never interleave their read-modify-write.
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>()

  async run<T> (key: string, body: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve()
    const next = prev.catch(() => undefined).then(body)
    const tail = next.catch(() => undefined)
    this.#tails.set(key, tail)
    try {
      return await next
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}
