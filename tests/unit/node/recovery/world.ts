// Test world for recovery: wallet nodes with the tally service, the REAL diary service and the recovery
// service on the simulated network and virtual time, plus a rendezvous node serving the relay's registry
// (relay/p2p/rendezvous.ts) over the same simulated network.
import { nobleProvider } from '../../../../src/core/crypto/noble'
import type { Identity, TallyApi, WalletNode } from '../../../../src/node/api'
import { createIdentity, restoreIdentity } from '../../../../src/node/identity/identity'
import { silentLogger } from '../../../../src/node/ports'
import { MemoryDatabase, openMemoryStore, type MemoryStore } from '../../../../src/node/store/memory'
import { SimNetwork, type SimNode } from '../../../../src/node/net/sim/network'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { VirtualTime } from '../../../../src/node/net/sim/time'
import { startWalletNode } from '../../../../src/node/wallet-node'
import { nodeMemberIdentity } from '../../../../src/node/services/tallies/member'
import { createDiaryService } from '../../../../src/node/services/diary/index'
import type { RecoveryService } from '../../../../src/node/services/recovery/index'
import { RendezvousRegistry } from '../../../../relay/p2p/rendezvous'
import { MAX_RENDEZVOUS_REQUEST_BYTES, RENDEZVOUS_PROTOCOL } from '../../../../src/node/protocols/rendezvous'

export const BASE = 'https://wallet.example/'
export const RENDEZVOUS_PEER = 'rendezvous-relay'

export interface RecoveryWallet {
  identity: Identity
  phrase: string
  node: WalletNode
  tallies: TallyApi
  recovery: RecoveryService
  store: MemoryStore
  db: MemoryDatabase
  memberKey: string
  net: SimNode
}

export function recoveryWorld (seed: number): {
  time: VirtualTime
  net: SimNetwork
  registry: RendezvousRegistry
  wallet: (name: string) => Promise<RecoveryWallet>
  restore: (phrase: string, name: string) => Promise<RecoveryWallet>
  boot: (identity: Identity, phrase: string, db: MemoryDatabase) => Promise<RecoveryWallet>
} {
  const time = new VirtualTime()
  const net = new SimNetwork({ timers: time.timers, random: seededRandom(seed), latency: { minMs: 5, maxMs: 30 } })
  const registry = new RendezvousRegistry({ crypto: nobleProvider, now: time.clock.now })
  const relay = net.node(RENDEZVOUS_PEER)
  relay.handle(RENDEZVOUS_PROTOCOL, async (bytes, from) => await registry.handle(bytes, from.peerId), { maxRequestBytes: MAX_RENDEZVOUS_REQUEST_BYTES })
  void relay.start()
  const sims = new Map<string, SimNode>()
  let n = 0
  const boot = async (identity: Identity, phrase: string, db: MemoryDatabase): Promise<RecoveryWallet> => {
    const store = await openMemoryStore(db)
    const memberKey = nodeMemberIdentity(identity.peerKey).key
    let sim = sims.get(identity.peerId)
    if (sim === undefined) { sim = net.node(identity.peerId); sims.set(identity.peerId, sim) }
    const node = await startWalletNode({
      identity, store, crypto: nobleProvider, clock: time.clock, timers: time.timers, random: seededRandom(seed * 1000 + ++n), logger: silentLogger,
      network: { kind: 'given', network: sim },
      tallies: { diary: deps => createDiaryService(deps), retry: { initialMs: 1000, maxMs: 8000 }, certifyWaitMs: 2000 },
      recovery: { rendezvous: [RENDEZVOUS_PEER], config: { pollMs: 1000, maxPollMs: 8000, reofferMs: 5000 } }
    })
    const recovery = (node as unknown as { recovery: RecoveryService }).recovery
    return { identity, phrase, node, tallies: node.tallies!, recovery, store, db, memberKey, net: sim }
  }
  const wallet = async (name: string): Promise<RecoveryWallet> => {
    const db = new MemoryDatabase()
    const store = await openMemoryStore(db)
    const { identity, phrase } = await createIdentity({ store, crypto: nobleProvider, clock: time.clock, random: seededRandom(seed * 7 + ++n) }, name)
    await store.close()
    return await boot(identity, phrase, db)
  }
  const restore = async (phrase: string, name: string): Promise<RecoveryWallet> => {
    const db = new MemoryDatabase()
    const store = await openMemoryStore(db)
    const identity = await restoreIdentity({ store, crypto: nobleProvider, clock: time.clock, random: seededRandom(seed * 13 + ++n) }, phrase, name)
    await store.close()
    return await boot(identity, phrase, db)
  }
  return { time, net, registry, wallet, restore, boot }
}
