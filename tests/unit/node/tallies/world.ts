// Test world: wallet nodes with the tally service on the simulated network and virtual time, sharing a
// FakeLedger for their diaries (see fake-diary.ts). reload() starts a new node on the same store.
import { nobleProvider } from '../../../../src/core/crypto/noble'
import type { Identity, TallyApi, WalletNode } from '../../../../src/node/api'
import { createIdentity } from '../../../../src/node/identity/identity'
import { silentLogger } from '../../../../src/node/ports'
import { MemoryDatabase, openMemoryStore } from '../../../../src/node/store/memory'
import type { MemoryStore } from '../../../../src/node/store/memory'
import { SimNetwork } from '../../../../src/node/net/sim/network'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { VirtualTime } from '../../../../src/node/net/sim/time'
import { startWalletNode } from '../../../../src/node/wallet-node'
import { nodeMemberIdentity } from '../../../../src/node/services/tallies/member'
import { FakeLedger } from './fake-diary'
import { createDiaryService } from '../../../../src/node/services/diary/index'

export const BASE = 'https://wallet.example/'

export interface TallyWallet {
  identity: Identity
  node: WalletNode
  tallies: TallyApi
  store: MemoryStore
  db: MemoryDatabase
  memberKey: string
  net: ReturnType<SimNetwork['node']>
  reload (): Promise<TallyWallet>
}

/** diary 'fake': the FakeLedger; 'real': the diary service of src/node/services/diary over the same simulated network. */
export function tallyWorld (seed: number, diary: 'fake' | 'real' = 'fake'): { time: VirtualTime, net: SimNetwork, ledger: FakeLedger, wallet: (name: string) => Promise<TallyWallet> } {
  const time = new VirtualTime()
  const net = new SimNetwork({ timers: time.timers, random: seededRandom(seed), latency: { minMs: 5, maxMs: 30 } })
  const ledger = new FakeLedger(nobleProvider)
  let n = 0
  const boot = async (identity: Identity, db: MemoryDatabase, random: ReturnType<typeof seededRandom>, sim: ReturnType<SimNetwork['node']>): Promise<TallyWallet> => {
    const store = await openMemoryStore(db)
    const memberKey = nodeMemberIdentity(identity.peerKey).key
    const node = await startWalletNode({
      identity, store, crypto: nobleProvider, clock: time.clock, timers: time.timers, random, logger: silentLogger,
      network: { kind: 'given', network: sim },
      tallies: { diary: diary === 'fake' ? () => ledger.diary(memberKey, time.clock.now) : deps => createDiaryService(deps), retry: { initialMs: 1000, maxMs: 8000 }, certifyWaitMs: 2000 }
    })
    const w: TallyWallet = {
      identity, node, tallies: node.tallies!, store, db, memberKey, net: sim,
      reload: async () => { await node.stop(); return await boot(identity, db, random, sim) }
    }
    return w
  }
  const wallet = async (name: string): Promise<TallyWallet> => {
    const random = seededRandom(seed * 1000 + ++n)
    const db = new MemoryDatabase()
    const store = await openMemoryStore(db)
    const { identity } = await createIdentity({ store, crypto: nobleProvider, clock: time.clock, random }, name)
    await store.close()
    return await boot(identity, db, random, net.node(identity.peerId))
  }
  return { time, net, ledger, wallet }
}

/** A snapshot of everything a store holds, to assert that a refused message changed nothing. */
export function dump (db: MemoryDatabase): string {
  return JSON.stringify([...db.tables.entries()].filter(([t]) => t !== 'meta').map(([t, m]) => [t, [...m.entries()]]))
}
