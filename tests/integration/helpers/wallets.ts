// Test helper: a WalletNode on real libp2p (Node host, loopback relay), with a fresh identity.
import { nobleProvider } from '../../../src/core/crypto/noble'
import type { Identity, WalletNode } from '../../../src/node/api'
import { createIdentity } from '../../../src/node/identity/identity'
import { silentLogger, systemClock, systemRandom, systemTimers } from '../../../src/node/ports'
import type { Logger } from '../../../src/node/ports'
import { openMemoryStore } from '../../../src/node/store/memory'
import type { MemoryStore } from '../../../src/node/store/memory'
import { startWalletNode } from '../../../src/node/wallet-node'
import type { Libp2pNetworkChoice } from '../../../src/node/wallet-node'

/** DEBUG_WALLET=1 prints the nodes' structured logs. */
const consoleLogger: Logger = { log: (level, event, fields) => { console.log(level, event, JSON.stringify(fields ?? {})) } }

export interface TestWallet {
  identity: Identity
  node: WalletNode
  store: MemoryStore
}

export async function startTestWallet (name: string, relays: string[], extra: Partial<Libp2pNetworkChoice> = {}): Promise<TestWallet> {
  const store = await openMemoryStore()
  const { identity } = await createIdentity({ store, crypto: nobleProvider, clock: systemClock, random: systemRandom }, name)
  const node = await startWalletNode({
    identity, store, crypto: nobleProvider, clock: systemClock, timers: systemTimers, random: systemRandom, logger: process.env.DEBUG_WALLET === undefined ? silentLogger : consoleLogger,
    network: { kind: 'libp2p', host: 'node', relays, webrtc: false, allowInsecureLoopback: true, ...extra }
  })
  return { identity, node, store }
}
