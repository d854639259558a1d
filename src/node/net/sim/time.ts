// Virtual time for the simulator: a Clock and Timers that only move when the run advances them, so a
// run is the same for the same seed however fast the machine is.
//
// Pending timers sit in a binary min-heap ordered by (at, seq): the earliest due first, ties in the order
// they were set. A 1,000-node run keeps tens of thousands of timers pending (request timeouts, retries),
// so finding the next one must not scan them all. Cleared timers leave the index at once and the heap
// lazily (skipped when they reach the top; the heap is rebuilt when they outnumber the live ones).
import type { Clock, TimerHandle, Timers } from '../../ports'

interface Pending { at: number, seq: number, fn: () => void }

function noop (): void {}

function before (a: Pending, b: Pending): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

/** A binary min-heap of timers by (at, seq). */
class TimerHeap {
  #items: Pending[] = []

  get size (): number { return this.#items.length }

  peek (): Pending | undefined { return this.#items[0] }

  push (p: Pending): void {
    const items = this.#items
    let i = items.length
    items.push(p)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const up = items[parent]!
      if (!before(p, up)) break
      items[i] = up
      i = parent
    }
    items[i] = p
  }

  pop (): Pending | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    const n = items.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && before(items[r]!, items[l]!) ? r : l
      if (!before(items[c]!, last)) break
      items[i] = items[c]!
      i = c
    }
    items[i] = last
    return top
  }

  /** Keeps only the items `keep` accepts (heap order rebuilt). */
  filter (keep: (p: Pending) => boolean): void {
    const live = this.#items.filter(keep)
    live.sort((a, b) => a.at - b.at || a.seq - b.seq) // a sorted array is a valid heap
    this.#items = live
  }
}

export class VirtualTime {
  #now: number
  #seq = 0
  /** Live timers by handle; the heap may still hold cleared ones. */
  readonly #pending = new Map<number, Pending>()
  readonly #heap = new TimerHeap()

  constructor (start = 1_700_000_000_000) { this.#now = start }

  readonly clock: Clock = { now: () => this.#now }

  readonly timers: Timers = {
    setTimeout: (fn, ms) => {
      const seq = ++this.#seq
      const p = { at: this.#now + Math.max(0, ms), seq, fn }
      this.#pending.set(seq, p)
      this.#heap.push(p)
      return seq as unknown as TimerHandle
    },
    clearTimeout: (handle) => {
      const p = this.#pending.get(handle as unknown as number)
      if (p === undefined) return
      this.#pending.delete(p.seq)
      // Until the heap drops it, the entry must not keep the callback's closure (a request's bodies and promises) alive.
      p.fn = noop
      // Cleared timers (mostly request timeouts) would otherwise pile up in the heap until their time.
      if (this.#heap.size > 1024 && this.#heap.size > 3 * this.#pending.size) this.#heap.filter(p => this.#pending.get(p.seq) === p)
    }
  }

  get now (): number { return this.#now }

  /** Timers not yet fired. */
  get pending (): number { return this.#pending.size }

  /** The earliest live timer, or undefined; drops cleared ones from the top of the heap. */
  #next (): Pending | undefined {
    for (;;) {
      const top = this.#heap.peek()
      if (top === undefined || this.#pending.get(top.seq) === top) return top
      this.#heap.pop()
    }
  }

  /** Fires the earliest timer (time jumps to it); false if none is pending. */
  step (): boolean {
    const first = this.#next()
    if (first === undefined) return false
    this.#heap.pop()
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
      const next = this.#next()
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
