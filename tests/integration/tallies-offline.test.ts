// The partner's node is gone (real libp2p through the project's relay on loopback): a payment resolves
// 'pending' and the tally already says it waits for the partner when the call returns (not only after a
// later retry); when the partner's node starts again on its store, the payment certifies on both sides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/core/crypto/noble'
import type { Identity, TallyApi, TallyView, WalletNode } from '../../src/node/api'
import { createIdentity } from '../../src/node/identity/identity'
import { silentLogger, systemClock, systemRandom, systemTimers } from '../../src/node/ports'
import { openMemoryStore, type MemoryStore } from '../../src/node/store/memory'
import { startWalletNode } from '../../src/node/wallet-node'
import { startTestRelay, waitFor, type TestRelay } from './helpers/relay'

const BASE = 'https://wallet.example/'
interface Wallet { identity: Identity, node: WalletNode, store: MemoryStore, tallies: TallyApi }

let relay: TestRelay
const started: WalletNode[] = []

async function boot (identity: Identity, store: MemoryStore): Promise<Wallet> {
  const node = await startWalletNode({
    identity, store, crypto: nobleProvider, clock: systemClock, timers: systemTimers, random: systemRandom, logger: process.env.DEBUG_WALLET === undefined ? silentLogger : { log: (l, e, f) => { console.log(Date.now() % 100000, identity.name, l, e, JSON.stringify(f ?? {})) } },
    network: { kind: 'libp2p', host: 'node', relays: [relay.addr], webrtc: false, allowInsecureLoopback: true },
    tallies: { certifyWaitMs: 1500 }
  })
  started.push(node)
  await waitFor(() => node.status().relays[0]?.state === 'reserved' && node.contact().addrs.length > 0, 15_000, `${identity.name} reserved`)
  return { identity, node, store, tallies: node.tallies! }
}

async function make (name: string): Promise<Wallet> {
  const store = await openMemoryStore()
  const { identity } = await createIdentity({ store, crypto: nobleProvider, clock: systemClock, random: systemRandom }, name)
  return await boot(identity, store)
}

async function until (w: Wallet, id: string, check: (v: TallyView) => boolean, what: string, ms = 30_000): Promise<TallyView> {
  const end = Date.now() + ms
  for (;;) {
    const view = await w.tallies.get(id)
    if (check(view)) return view
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what} (last: ${JSON.stringify(view)})`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

beforeAll(async () => { relay = await startTestRelay() })
afterAll(async () => {
  await Promise.all(started.map(async n => await n.stop().catch(() => undefined)))
  await relay?.stop()
})

describe('the partner offline (libp2p)', () => {
  it('pay resolves pending with waitingForPartner already true, on both sides of the proposer rule; it certifies once the partner is back', async () => {
    const [alice, bob] = await Promise.all([make('Alice'), make('Bob')])
    const inv = await alice.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 10_000 })
    const { id } = await bob.tallies.redeem(inv.link)
    await bob.tallies.accept(id)
    await until(alice, id, v => v.status === 'open', 'Alice sees the tally open')
    expect(await bob.tallies.pay(id, 100, 'warm-up')).toMatchObject({ status: 'final' })
    // Both hold its certificate. (Known gap, diary service: had Bob left before Alice got it, Alice would first
    // drive Bob's entry from her reservation, and her payment would show 'waiting for the partner' only once
    // that drive gave up, some seconds later.)
    await until(alice, id, v => v.balance === 100, 'Alice holds the certificate too')

    // Bob's node is gone. Alice (the stock: she hands her chits to the foil's node) pays.
    await bob.node.stop()
    const paid = await alice.tallies.pay(id, 700, 'while Bob is away')
    expect(paid).toMatchObject({ status: 'pending', units: -700 })
    expect(await alice.tallies.get(id)).toMatchObject({ queued: 1, waitingForPartner: true, pendingEffect: -700 })

    // Bob's node starts again on its store: the payment certifies on both sides.
    const back = await boot(bob.identity, bob.store)
    await until(alice, id, v => v.queued === 0 && v.balance === 100 - 700, 'the payment certifies')
    expect(await alice.tallies.get(id)).toMatchObject({ waitingForPartner: false })
    await until(back, id, v => v.balance === 600, 'Bob sees it')

    // The other way round: Alice's node is gone, Bob (the foil, who proposes himself) pays.
    await alice.node.stop()
    expect(await back.tallies.pay(id, 50, 'while Alice is away')).toMatchObject({ status: 'pending' })
    expect(await back.tallies.get(id)).toMatchObject({ queued: 1, waitingForPartner: true })
  }, 90_000)
})
