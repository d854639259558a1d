// The tally calls of the RPC: a thin pass-through to the running node's tally service, plus tally-change
// subscriptions from the page (comlink proxies), attached to the node once it runs.
import { ChipsError } from '../../core/errors'
import type { TallyApi, TallyView } from '../../node/api'
import type { NodeService } from './node'
import { ListenerHub } from './hub'

export type TallyListener = (tally: TallyView) => unknown

/** The node runs without a tally service. */
export class TalliesUnavailableError extends ChipsError {
  constructor () { super('TALLIES_UNAVAILABLE', 'this wallet node has no tally service') }
}

export class TallyRpcService {
  readonly #hub: ListenerHub<TallyView>
  #attached: { node: unknown, off: () => void } | undefined

  constructor (private readonly node: NodeService, release: (listener: TallyListener) => void = () => {}) {
    this.#hub = new ListenerHub(release)
  }

  require (): TallyApi {
    const tallies = this.node.require().tallies
    if (tallies === undefined) throw new TalliesUnavailableError()
    this.attach()
    return tallies
  }

  add (listener: TallyListener): number {
    const id = this.#hub.add(listener)
    this.attach()
    return id
  }

  remove (id: number): void {
    this.#hub.remove(id)
  }

  /** Follows the running node's tally changes (call after start; harmless before). */
  attach (): void {
    let node
    try { node = this.node.require() } catch { return }
    if (this.#attached?.node === node) return
    this.#attached?.off()
    const off = node.onTallies?.(view => { this.#hub.publish(view) }) ?? (() => {})
    this.#attached = { node, off }
  }

  clear (): void {
    this.#attached?.off()
    this.#attached = undefined
    this.#hub.clear()
  }
}
