// The lift calls of the RPC (docs/lifts.md §7): a thin pass-through to the running node's lift service,
// lift-change subscriptions from the page (comlink proxies), and reading who a payment goes to from what
// a person pastes or scans (a contact link, a contact card or a bare user id).
import { ChipsError, MalformedError } from '../../core/errors'
import type { ContactCard, LiftApi, LiftView } from '../../node/api'
import type { PayeeView } from '../api'
import { USER_ID_PATTERN } from '../rpc/lift-schemas'
import type { NodeService } from './node'
import { ListenerHub } from './hub'

export type LiftListener = (lift: LiftView) => unknown

/** The node runs without a lift service (started without tallies, or an older node). */
export class LiftsUnavailableError extends ChipsError {
  constructor () { super('LIFTS_UNAVAILABLE', 'this wallet node has no lift service') }
}

/** Paying oneself: the link or id is this wallet's own. */
export class OwnPayeeError extends ChipsError {
  constructor () { super('OWN_PAYEE', 'this is your own wallet; paste the contact link or user id of the person you pay') }
}

export class LiftRpcService {
  readonly #hub: ListenerHub<LiftView>
  #attached: { lifts: LiftApi, off: () => void } | undefined

  constructor (
    private readonly node: NodeService,
    private readonly parseContactLink: (text: string) => ContactCard,
    release: (listener: LiftListener) => void = () => {}
  ) {
    this.#hub = new ListenerHub(release)
  }

  require (): LiftApi {
    const lifts = this.node.require().lifts
    if (lifts === undefined) throw new LiftsUnavailableError()
    this.attach()
    return lifts
  }

  /** Who a contact link, contact card or user id names; a name when the link carries one or a tally knows it. */
  async payee (text: string): Promise<PayeeView> {
    const node = this.node.require()
    const input = text.trim()
    let userId: string
    let name: string | undefined
    if (USER_ID_PATTERN.test(input)) {
      userId = input
    } else if (input.startsWith('{') || input.includes('#')) {
      const card = this.parseContactLink(input)
      userId = card.userId
      name = card.name
    } else {
      throw new MalformedError('paste the payee\'s contact link (or their user id: 43 letters, digits, - and _)')
    }
    if (userId === node.status().userId) throw new OwnPayeeError()
    const tallies = node.tallies !== undefined ? await node.tallies.list() : []
    const partner = tallies.find(t => t.partner?.userId === userId)?.partner
    name ??= partner?.name
    return { userId, ...(name !== undefined ? { name } : {}), ...(partner !== undefined ? { partner: true } : {}) }
  }

  add (listener: LiftListener): number {
    const id = this.#hub.add(listener)
    this.attach()
    return id
  }

  remove (id: number): void {
    this.#hub.remove(id)
  }

  /** Follows the running node's lift changes (call after start; harmless before or without lifts). */
  attach (): void {
    let lifts: LiftApi | undefined
    try { lifts = this.node.require().lifts } catch { return }
    if (lifts === undefined || this.#attached?.lifts === lifts) return
    this.#attached?.off()
    const off = lifts.onChange(view => { this.#hub.publish(view) })
    this.#attached = { lifts, off }
  }

  clear (): void {
    this.#attached?.off()
    this.#attached = undefined
    this.#hub.clear()
  }
}
