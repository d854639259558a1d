// The peers this node talks to as a wallet (those it said hello to or heard a hello from), with their
// link kind and hello state. Other connections (relays) are not wallet peers and are not listed.
import type { ChipsError } from '../../core/errors'
import type { PeerStatus } from '../api'
import type { Network, PeerLink } from '../net/network'
import type { VerifiedHello } from '../protocols/hello'
import { Emitter } from '../net/emitter'

export class PeerDirectory {
  readonly #peers = new Map<string, PeerStatus>()
  readonly #events = new Emitter<{ change: undefined }>()
  readonly #off: Array<() => void>

  constructor (private readonly network: Network) {
    this.#off = [
      network.on('peer:link', link => { this.#update(link.peerId, { link: link.kind }) }),
      network.on('peer:gone', ({ peerId }) => { this.#update(peerId, { link: 'none' }) })
    ]
  }

  list (): PeerStatus[] {
    return [...this.#peers.values()].map(p => ({ ...p }))
  }

  get (peerId: string): PeerStatus | undefined {
    const p = this.#peers.get(peerId)
    return p === undefined ? undefined : { ...p }
  }

  onChange (listener: () => void): () => void {
    return this.#events.on('change', listener)
  }

  /** We are about to say hello to this peer. */
  pending (peerId: string, name?: string): void {
    const known = this.#peers.get(peerId)
    this.#peers.set(peerId, {
      ...(known ?? { peerId, link: this.network.link(peerId)?.kind ?? 'none' }),
      ...(name !== undefined && known?.name === undefined ? { name } : {}),
      hello: known?.hello === 'verified' ? 'verified' : 'pending'
    })
    this.#events.emit('change', undefined)
  }

  verified (hello: VerifiedHello, link: PeerLink, at: number): PeerStatus {
    const known = this.#peers.get(hello.peerId)
    const { error: _dropped, ...rest } = known ?? { peerId: hello.peerId }
    const status: PeerStatus = { ...rest, peerId: hello.peerId, userId: hello.userId, name: hello.name, link: this.network.link(hello.peerId)?.kind ?? link.kind, hello: 'verified', lastHelloAt: at }
    this.#peers.set(hello.peerId, status)
    this.#events.emit('change', undefined)
    return { ...status }
  }

  failed (peerId: string, error: ChipsError): void {
    const known = this.#peers.get(peerId)
    this.#peers.set(peerId, {
      ...(known ?? { peerId }),
      link: this.network.link(peerId)?.kind ?? 'none',
      hello: 'failed',
      error: error.message
    })
    this.#events.emit('change', undefined)
  }

  close (): void {
    for (const off of this.#off) off()
  }

  #update (peerId: string, patch: Partial<PeerStatus>): void {
    const known = this.#peers.get(peerId)
    if (known === undefined) return
    this.#peers.set(peerId, { ...known, ...patch })
    this.#events.emit('change', undefined)
  }
}
