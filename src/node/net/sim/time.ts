// Virtual time for the simulator: a Clock and Timers that only move when the run advances them, so a
// run is the same for the same seed however fast the machine is.
import type { Clock, TimerHandle, Timers } from '../../ports'

interface Pending { at: number, seq: number, fn: () => void }

export class VirtualTime {
  #now: number
  #seq = 0
  #pending = new Map<number, Pending>()

  constructor (start = 1_700_000_000_000) { this.#now = start }

  readonly clock: Clock = { now: () => this.#now }

  readonly timers: Timers = {
    setTimeout: (fn, ms) => {
      const seq = ++this.#seq
      this.#pending.set(seq, { at: this.#now + Math.max(0, ms), seq, fn })
      return seq as unknown as TimerHandle
    },
    clearTimeout: (handle) => { this.#pending.delete(handle as unknown as number) }
  }

  get now (): number { return this.#now }

  /** Timers not yet fired. */
  get pending (): number { return this.#pending.size }

  /** Fires the earliest timer (time jumps to it); false if none is pending. */
  step (): boolean {
    let first: Pending | undefined
    for (const p of this.#pending.values()) {
      if (first === undefined || p.at < first.at || (p.at === first.at && p.seq < first.seq)) first = p
    }
    if (first === undefined) return false
    this.#pending.delete(first.seq)
    this.#now = Math.max(this.#now, first.at)
    first.fn()
    return true
  }

  /**
   * Runs until the promise settles: lets real async work (promises, crypto) finish, then fires the next
   * timer, and so on. Throws if nothing is pending and the promise still has not settled.
   */
  async run<T> (promise: Promise<T>, maxSteps = 100_000): Promise<T> {
    let settled = false
    const watched = promise.finally(() => { settled = true })
    watched.catch(() => undefined)
    for (let i = 0; i < maxSteps; i++) {
      await settle()
      if (settled) return await watched
      if (!this.step()) {
        // Real asynchronous work (e.g. WebCrypto) may still be in flight: give it a moment.
        for (let k = 0; k < 50 && !settled && this.#pending.size === 0; k++) await new Promise(resolve => setTimeout(resolve, 1))
        if (!settled && this.#pending.size === 0) throw new Error('simulation stalled: nothing pending and the awaited work has not finished')
      }
    }
    throw new Error(`simulation did not finish within ${maxSteps} steps`)
  }

  /** Advances virtual time by ms, firing every timer due on the way. */
  async advance (ms: number): Promise<void> {
    const end = this.#now + ms
    for (;;) {
      await settle()
      let next: Pending | undefined
      for (const p of this.#pending.values()) if (next === undefined || p.at < next.at || (p.at === next.at && p.seq < next.seq)) next = p
      if (next === undefined || next.at > end) break
      this.step()
    }
    await settle()
    this.#now = end
  }
}

/** Lets queued promise callbacks run (a real macrotask turn). */
async function settle (): Promise<void> {
  await new Promise(resolve => typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0))
}
