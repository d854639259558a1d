// The simulator's run loop over virtual time. VirtualTime.run/advance let one macrotask pass between
// timers, which is not enough when real (native) crypto is in flight: its completions would land at
// machine-dependent moments. Here every step first settles completely — promise callbacks drained, all
// crypto finished and handed out in issue order (deterministic-crypto.ts), repeated until nothing moves —
// and only then fires the next virtual timer. The same seed therefore gives the same run.
import type { VirtualTime } from '../../src/node/net/sim/time'
import type { DeterministicCrypto } from './deterministic-crypto'

export class SimDriver {
  /** Virtual timers fired so far. */
  steps = 0

  constructor (readonly time: VirtualTime, readonly crypto: DeterministicCrypto) {}

  /** Runs promise callbacks and crypto until nothing is left to do at the current virtual instant. */
  async settle (): Promise<void> {
    for (;;) {
      await macrotask()
      // Nothing in the simulated node is asynchronous but promises (drained by the turn above) and the
      // tracked crypto: with none in flight or held, the instant is settled, and a second turn would only
      // cost time (one per virtual timer, ~10 % of a 1,000-user run).
      if (this.crypto.inFlight === 0 && this.crypto.held === 0) return
      if (this.crypto.inFlight > 0) await this.crypto.idle()
      if (this.crypto.deliver() > 0) continue
      await macrotask()
      if (this.crypto.inFlight === 0 && this.crypto.held === 0) return
    }
  }

  /** Fires every timer due up to `at` (absolute virtual ms), settling before each; the clock ends at `at`. */
  async runUntil (at: number): Promise<void> {
    let reached = false
    const sentinel = this.time.timers.setTimeout(() => { reached = true }, Math.max(0, at - this.time.now))
    try {
      for (;;) {
        await this.settle()
        if (reached) return
        if (!this.time.step()) return
        this.steps++
      }
    } finally {
      if (!reached) this.time.timers.clearTimeout(sentinel)
    }
  }

  /** Runs until `promise` settles (or `deadline`, absolute virtual ms, passes: then undefined). */
  async runFor<T> (promise: Promise<T>, deadline: number): Promise<{ value: T } | undefined> {
    let outcome: { ok: true, value: T } | { ok: false, error: unknown } | undefined
    promise.then(value => { outcome = { ok: true, value } }, (error: unknown) => { outcome = { ok: false, error } })
    let reached = false
    const sentinel = this.time.timers.setTimeout(() => { reached = true }, Math.max(0, deadline - this.time.now))
    try {
      for (;;) {
        await this.settle()
        if (outcome !== undefined) {
          if (outcome.ok) return { value: outcome.value }
          throw outcome.error
        }
        if (reached || !this.time.step()) return undefined
        this.steps++
      }
    } finally {
      this.time.timers.clearTimeout(sentinel)
    }
  }
}

async function macrotask (): Promise<void> {
  await new Promise(resolve => { setImmediate(resolve) })
}
