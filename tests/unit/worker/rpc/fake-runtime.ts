// A WalletRuntime for RPC tests: the real in-memory Store (writer epochs included), identities written in
// one store transaction like the real ones (no key derivation), and a scriptable WalletNode.
import { ChipsError, MalformedError } from '../../../../src/core/errors'
import type { ContactCard, Identity, NodeStatus, PeerStatus, WalletNode } from '../../../../src/node/api'
import { IdentityExistsError, NoIdentityError } from '../../../../src/node/identity/errors'
import { MemoryDatabase, openMemoryStore } from '../../../../src/node/store/memory'
import type { Store } from '../../../../src/node/store/store'
import type { NodeStartRequest, StoreCloseCause, WalletRuntime } from '../../../../src/worker/runtime'

export class FakeNode implements WalletNode {
  phase: NodeStatus['phase'] = 'running'
  peers: PeerStatus[] = []
  readonly listeners = new Set<(s: NodeStatus) => void>()
  stopped = 0
  /** When set, stop() never finishes (a libp2p stop that hangs). */
  hangOnStop = false

  constructor (readonly request: NodeStartRequest) {}

  status (): NodeStatus {
    const { identity } = this.request
    return {
      phase: this.phase,
      userId: identity.userId,
      name: identity.name,
      peerId: identity.peerId,
      addrs: [`${this.request.relays[0] ?? '/memory/relay'}/p2p-circuit/p2p/${identity.peerId}`],
      relays: this.request.relays.map(addr => ({ addr, state: 'reserved' as const })),
      peers: this.peers
    }
  }

  onStatus (listener: (s: NodeStatus) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  emit (): void { for (const l of this.listeners) l(this.status()) }

  contact (): ContactCard {
    const s = this.status()
    return { v: 1, userId: s.userId, name: s.name, peerId: s.peerId, addrs: s.addrs }
  }

  async connect (card: ContactCard): Promise<PeerStatus> {
    if (card.peerId === 'offline-peer') throw new ChipsError('PEER_UNREACHABLE', 'your contact is offline; the hello is queued')
    const peer: PeerStatus = { peerId: card.peerId, userId: card.userId, name: card.name, link: 'direct', hello: 'verified', lastHelloAt: 1 }
    this.peers = [...this.peers, peer]
    this.emit()
    return peer
  }

  async hello (peerId: string): Promise<PeerStatus> {
    const peer = this.peers.find(p => p.peerId === peerId)
    if (peer === undefined) throw new ChipsError('UNKNOWN_PEER', `no link to ${peerId}`)
    return { ...peer, lastHelloAt: 2 }
  }

  async stop (): Promise<void> {
    this.stopped++
    if (this.hangOnStop) await new Promise(() => {})
    this.phase = 'stopped'
    this.emit()
  }
}

export interface FakeRuntime extends WalletRuntime {
  db: MemoryDatabase
  nodes: FakeNode[]
  stores: Store[]
  /** Simulates the store closing by itself (another tab upgrading the database). */
  closeStore: (cause: StoreCloseCause) => void
  /** Make the next startNode throw this. */
  failStart?: unknown
}

export function fakeRuntime (db = new MemoryDatabase()): FakeRuntime {
  const onClose: Array<(cause: StoreCloseCause) => void> = []
  let seq = 0
  const runtime: FakeRuntime = {
    db,
    nodes: [],
    stores: [],
    closeStore: (cause) => { for (const f of onClose) f(cause) },
    openStore: async (_name, close) => {
      const store = await openMemoryStore(db)
      onClose.push(close)
      runtime.stores.push(store)
      return store
    },
    loadIdentity: async (store) => await store.read(tx => tx.get<Identity>('identity', 'identity')),
    createIdentity: async (store, name) => {
      const identity = await establish(store, name, `user-${++seq}`)
      return { identity, phrase: 'abandon ability able about above absent absorb abstract absurd abuse access accident' }
    },
    restoreIdentity: async (store, phrase, name) => {
      if (phrase.split(' ').length !== 12) throw new ChipsError('INVALID_PHRASE', 'a recovery phrase has 12 words')
      return await establish(store, name, `restored-${phrase.split(' ')[0] ?? ''}`)
    },
    loadRecoveryPhrase: async (store) => {
      const phrase = await store.read(tx => tx.get<string>('identity', 'phrase'))
      if (phrase === undefined) throw new NoIdentityError()
      return phrase
    },
    startNode: async (request) => {
      if (runtime.failStart !== undefined) {
        const err = runtime.failStart
        runtime.failStart = undefined
        throw err
      }
      await new Promise(resolve => setTimeout(resolve, 5))
      const node = new FakeNode(request)
      runtime.nodes.push(node)
      return node
    },
    contactLink: (baseUrl, card) => `${baseUrl}#contact=${encodeURIComponent(JSON.stringify(card))}`,
    parseContactLink: (input) => {
      const hash = input.indexOf('#contact=')
      if (hash < 0) throw new MalformedError('this is not a contact link (it has no #contact= part)')
      try { return JSON.parse(decodeURIComponent(input.slice(hash + 9))) as ContactCard } catch { throw new MalformedError('the contact link is damaged') }
    }
  }
  return runtime
}

async function establish (store: Store, name: string, userId: string): Promise<Identity> {
  if (name.trim() === '') throw new MalformedError('a name is needed')
  const identity: Identity = {
    userId, name, userSecret: new Uint8Array(32).fill(1), peerKey: new Uint8Array(8), peerId: `peer-of-${userId}`, deviceCert: {}, createdAt: 1000
  }
  await store.write(async (tx) => {
    if (await tx.get('identity', 'identity') !== undefined) throw new IdentityExistsError(userId)
    await tx.put('identity', 'identity', identity)
    await tx.put('identity', 'phrase', 'abandon ability able about above absent absorb abstract absurd abuse access accident')
  })
  return identity
}
