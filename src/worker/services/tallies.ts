// The tally calls of the RPC: a thin pass-through to the running node's tally service, plus tally-change
// subscriptions from the page (comlink proxies), attached to the node once it runs.
import { ChipsError } from '../../core/errors'
import type { TallyApi, TallyView } from '../../node/api'
import type { NodeService } from './node'

export type TallyListener = (tally: TallyView) => unknown

/** The node runs without a tally service. */
export class TalliesUnavailableError extends ChipsError {
  constructor () { super('TALLIES_UNAVAILABLE', 'this wallet node has no tally service') }
}

export class TallyRpcService {
  #next = 0
  readonly #listeners = new Map<number, TallyListener>()
  #attached: { node: unknown, off: () => void } | undefined

  constructor (private readonly node: NodeService, private readonly release: (listener: TallyListener) => void = () => {}) {}

  require (): TallyApi {
    const tallies = this.node.require().tallies
    if (tallies === undefined) throw new TalliesUnavailableError()
    this.attach()
    return tallies
  }

  add (listener: TallyListener): number {
    const id = ++this.#next
    this.#listeners.set(id, listener)
    this.attach()
    return id
  }

  remove (id: number): void {
    const listener = this.#listeners.get(id)
    if (listener === undefined) return
    this.#listeners.delete(id)
    try { this.release(listener) } catch { /* already released */ }
  }

  /** Follows the running node's tally changes (call after start; harmless before). */
  attach (): void {
    let node
    try { node = this.node.require() } catch { return }
    if (this.#attached?.node === node) return
    this.#attached?.off()
    const off = node.onTallies?.(view => { this.#publish(view) }) ?? (() => {})
    this.#attached = { node, off }
  }

  clear (): void {
    this.#attached?.off()
    this.#attached = undefined
    for (const id of [...this.#listeners.keys()]) this.remove(id)
  }

  #publish (view: TallyView): void {
    for (const [id, listener] of this.#listeners) {
      try {
        const result = listener(view)
        if (result instanceof Promise) result.catch(() => { this.remove(id) })
      } catch {
        this.remove(id)
      }
    }
  }
}
