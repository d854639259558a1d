// Test helper: wallet nodes on the simulated network, with seeded identities on virtual time.
import { nobleProvider } from '../../../src/core/crypto/noble'
import type { Identity, WalletNode } from '../../../src/node/api'
import { createIdentity } from '../../../src/node/identity/identity'
import { silentLogger } from '../../../src/node/ports'
import { MemoryDatabase, openMemoryStore } from '../../../src/node/store/memory'
import type { MemoryStore } from '../../../src/node/store/memory'
import { SimNetwork } from '../../../src/node/net/sim/network'
import type { SimNode } from '../../../src/node/net/sim/network'
import { seededRandom } from '../../../src/node/net/sim/random'
import { VirtualTime } from '../../../src/node/net/sim/time'
import { startWalletNode } from '../../../src/node/wallet-node'

export interface SimWallet {
  identity: Identity
  node: WalletNode
  net: SimNode
  store: MemoryStore
  db: MemoryDatabase
}

export function simWorld (seed: number): { time: VirtualTime, net: SimNetwork, wallet: (name: string) => Promise<SimWallet> } {
  const time = new VirtualTime()
  const net = new SimNetwork({ timers: time.timers, random: seededRandom(seed), latency: { minMs: 5, maxMs: 30 } })
  let n = 0
  const wallet = async (name: string): Promise<SimWallet> => {
    const random = seededRandom(seed * 1000 + ++n)
    const db = new MemoryDatabase()
    const store = await openMemoryStore(db)
    const { identity } = await createIdentity({ store, crypto: nobleProvider, clock: time.clock, random }, name)
    const simNode = net.node(identity.peerId)
    const node = await startWalletNode({
      identity, store, crypto: nobleProvider, clock: time.clock, timers: time.timers, random, logger: silentLogger,
      network: { kind: 'given', network: simNode }
    })
    return { identity, node, net: simNode, store, db }
  }
  return { time, net, wallet }
}
