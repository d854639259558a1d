// The running wallet node in this worker: started with the page's relays and ICE servers, its status
// fanned out to subscribers, stopped on shutdown or when the store is lost.
import type { ContactCard, NodeStatus, PeerStatus, WalletNode } from '../../node/api'
import type { StartOptions } from '../api'
import { NodeNotStartedError } from '../errors'
import type { WalletRuntime } from '../runtime'
import type { IdentityService } from './identity'
import type { StatusHub } from './status'
import type { StoreService } from './store'

export class NodeService {
  #node: WalletNode | undefined
  #starting: Promise<WalletNode> | undefined
  #off: (() => void) | undefined

  constructor (
    private readonly runtime: WalletRuntime,
    private readonly store: StoreService,
    private readonly identity: IdentityService,
    private readonly hub: StatusHub
  ) {}

  /** Starts the node once; a second call (or a concurrent one) gets the same node's status. */
  async start (options: StartOptions): Promise<NodeStatus> {
    if (this.#node !== undefined) return this.#node.status()
    this.#starting ??= this.#start(options).finally(() => { this.#starting = undefined })
    return (await this.#starting).status()
  }

  status (): NodeStatus | undefined {
    return this.#node?.status()
  }

  require (): WalletNode {
    if (this.#node === undefined) throw new NodeNotStartedError()
    return this.#node
  }

  contactLink (baseUrl: string): { link: string, card: ContactCard } {
    const card = this.require().contact()
    return { link: this.runtime.contactLink(baseUrl, card), card }
  }

  async connect (link: string): Promise<PeerStatus> {
    const node = this.require()
    return await node.connect(this.runtime.parseContactLink(link))
  }

  async hello (peerId: string): Promise<PeerStatus> {
    return await this.require().hello(peerId)
  }

  /** Stops the node (if any) and tells subscribers; `error` says why when it was not asked for. */
  async stop (error?: string): Promise<void> {
    const starting = this.#starting
    if (starting !== undefined) await starting.catch(() => undefined)
    const node = this.#node
    if (node === undefined) return
    this.#node = undefined
    try {
      await node.stop()
    } finally {
      this.#off?.()
      this.#off = undefined
      const last = node.status()
      this.hub.publish(error === undefined ? last : { ...last, phase: 'stopped', error })
    }
  }

  async #start (options: StartOptions): Promise<WalletNode> {
    const node = await this.runtime.startNode({
      identity: this.identity.require(),
      store: this.store.require(),
      relays: [...options.relays],
      iceServers: options.iceServers.map(s => ({ ...s })),
      webrtc: options.webrtc,
      allowInsecureLoopback: options.allowInsecureLoopback ?? options.relays.some(isLocalPlainWebSocket),
      ...(options.liftAutoClearMs !== undefined ? { liftAutoClearMs: options.liftAutoClearMs } : {})
    })
    this.#node = node
    this.#off = node.onStatus((status) => { this.hub.publish(status) })
    this.hub.publish(node.status())
    return node
  }
}

const PRIVATE_V4 = /^\/ip4\/(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)[\d.]+\/tcp\/\d+\/ws(\/|$)/
const LOCAL_OTHER = /^\/(ip6\/::1|dns4?\/localhost)\/tcp\/\d+\/ws(\/|$)/

/**
 * A relay on plain ws:// at a loopback or private address: the page was served by a local relay (tests,
 * a LAN self-host over http://127.0.0.1). The browser's default connection gater refuses such dials, so
 * they need the node's insecure-loopback allowance; a public relay (wss://) never turns it on.
 */
export function isLocalPlainWebSocket (addr: string): boolean {
  return PRIVATE_V4.test(addr) || LOCAL_OTHER.test(addr)
}
