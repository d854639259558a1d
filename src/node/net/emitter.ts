// A tiny typed event emitter for the Network adapters. A listener that throws does not stop the others.
export class Emitter<Events extends object> {
  #listeners = new Map<keyof Events, Set<(detail: never) => void>>()

  on<K extends keyof Events> (event: K, listener: (detail: Events[K]) => void): () => void {
    let set = this.#listeners.get(event)
    if (set === undefined) { set = new Set(); this.#listeners.set(event, set) }
    set.add(listener as (detail: never) => void)
    return () => { set.delete(listener as (detail: never) => void) }
  }

  /** Whether anyone listens (so that an event whose detail costs work to build can be skipped). */
  listening<K extends keyof Events> (event: K): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0
  }

  emit<K extends keyof Events> (event: K, detail: Events[K]): void {
    for (const listener of [...this.#listeners.get(event) ?? []]) {
      try { (listener as (d: Events[K]) => void)(detail) } catch { /* a listener's bug is not the emitter's */ }
    }
  }
}
