// Wallet recovery with real libp2p and the project's relay (its rendezvous included) on loopback: two Node
// wallets open a tally and exchange chits; Alice's store is wiped; she restores from her phrase on a new store
// (new device key) → the same tally, balance and history come back from Bob; she pays again and it certifies;
// her lost device is gone from the membership.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/core/crypto/noble'
import type { Identity, TallyApi, TallyView, WalletNode } from '../../src/node/api'
import { createIdentity, restoreIdentity } from '../../src/node/identity/identity'
import { silentLogger, systemClock, systemRandom, systemTimers, type Logger } from '../../src/node/ports'
import { openMemoryStore, type MemoryStore } from '../../src/node/store/memory'
import { startWalletNode } from '../../src/node/wallet-node'
import { nodeMemberIdentity } from '../../src/node/services/tallies/member'
import type { RecoveryService } from '../../src/node/services/recovery/index'
import { startTestRelay, waitFor, type TestRelay } from './helpers/relay'

const BASE = 'https://wallet.example/'
const logger: Logger = process.env.DEBUG_WALLET === undefined ? silentLogger : { log: (l, e, f) => { console.log(l, e, JSON.stringify(f ?? {})) } }

interface Wallet { identity: Identity, phrase: string, node: WalletNode, store: MemoryStore, tallies: TallyApi, recovery: RecoveryService }

let relay: TestRelay
const started: WalletNode[] = []

async function boot (identity: Identity, phrase: string, store: MemoryStore): Promise<Wallet> {
  const node = await startWalletNode({
    identity, store, crypto: nobleProvider, clock: systemClock, timers: systemTimers, random: systemRandom, logger,
    network: { kind: 'libp2p', host: 'node', relays: [relay.addr], webrtc: false, allowInsecureLoopback: true },
    recovery: { config: { pollMs: 500, maxPollMs: 2000, reofferMs: 3000 } }
  })
  started.push(node)
  await waitFor(() => node.status().relays[0]?.state === 'reserved' && node.contact().addrs.length > 0, 15_000, `${identity.name} reserved`)
  return { identity, phrase, node, store, tallies: node.tallies!, recovery: (node as unknown as { recovery: RecoveryService }).recovery }
}

async function until (w: Wallet, id: string, check: (v: TallyView) => boolean, what: string, ms = 20_000): Promise<TallyView> {
  const end = Date.now() + ms
  for (;;) {
    const view = await w.tallies.get(id).catch(() => undefined)
    if (view !== undefined && check(view)) return view
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what} (last: ${JSON.stringify(view)})`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

beforeAll(async () => { relay = await startTestRelay() })
afterAll(async () => {
  await Promise.all(started.map(async n => await n.stop().catch(() => undefined)))
  await relay?.stop()
})

describe('recovery over libp2p and the relay', () => {
  it('wipe Alice, restore from the phrase → tally, balance and history back; she pays again; the lost device is out', async () => {
    const mk = async (name: string): Promise<Wallet> => {
      const store = await openMemoryStore()
      const { identity, phrase } = await createIdentity({ store, crypto: nobleProvider, clock: systemClock, random: systemRandom }, name)
      return await boot(identity, phrase, store)
    }
    const [alice, bob] = await Promise.all([mk('Alice'), mk('Bob')])
    const inv = await alice.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 2_000 })
    const { id } = await bob.tallies.redeem(inv.link)
    await bob.tallies.accept(id)
    await until(alice, id, v => v.status === 'open', 'Alice sees the tally open')
    expect(await bob.tallies.pay(id, 3_000, 'groceries')).toMatchObject({ status: 'final' })
    expect(await alice.tallies.pay(id, 700, 'change')).toMatchObject({ status: 'final' })
    const invoice = await alice.tallies.invoice(id, 400, 'lunch')
    await until(bob, id, v => v.invoicesToMe === 1, 'Bob sees the invoice')
    await bob.tallies.acceptInvoice(id, invoice.id)
    const before = await until(alice, id, v => v.balance === 2_700 && v.seq === 4, 'Alice at 2.700')
    const history = (await alice.tallies.chits(id)).map(c => [c.id, c.units, c.memo, c.status])
    const lostMember = nodeMemberIdentity(alice.identity.peerKey).key
    expect(bob.recovery.members(id)?.stock).toEqual([{ key: lostMember, weight: 1 }])

    // Alice's phone is lost: its node is gone and its store wiped.
    await alice.node.stop()
    await alice.store.close()
    const store = await openMemoryStore()
    const identity = await restoreIdentity({ store, crypto: nobleProvider, clock: systemClock, random: systemRandom }, alice.phrase, 'Alice')
    expect(identity.userId).toBe(alice.identity.userId)
    expect(identity.peerId).not.toBe(alice.identity.peerId)
    const t0 = Date.now()
    const restored = await boot(identity, alice.phrase, store)
    expect(await restored.tallies.list()).toEqual([])
    const back = await until(restored, id, v => v.status === 'open' && v.seq === before.seq + 1, 'the tally comes back, re-seated')
    console.log(`recovery: tally back ${Date.now() - t0} ms after the restored node started`)
    expect(back).toMatchObject({ balance: 2_700, mySide: 'stock', partner: { userId: bob.identity.userId } })
    expect((await restored.tallies.chits(id)).map(c => [c.id, c.units, c.memo, c.status])).toEqual(history)

    const seat = [{ key: nodeMemberIdentity(identity.peerKey).key, weight: 1 }]
    expect(bob.recovery.members(id)?.stock).toEqual(seat)
    expect(restored.recovery.members(id)?.stock).toEqual(seat)

    expect(await restored.tallies.pay(id, 1_200, 'from the new phone')).toMatchObject({ status: 'final' })
    await until(bob, id, v => v.balance === -1_500, 'Bob sees the new payment')
    expect(await restored.tallies.get(id)).toMatchObject({ balance: 1_500 })
  }, 90_000)

  it('the lost device comes back with its old store after the restore: the partner refuses it, it says it was replaced, nothing certifies', async () => {
    const mk = async (name: string): Promise<Wallet> => {
      const store = await openMemoryStore()
      const { identity, phrase } = await createIdentity({ store, crypto: nobleProvider, clock: systemClock, random: systemRandom }, name)
      return await boot(identity, phrase, store)
    }
    const [alice, bob] = await Promise.all([mk('Alice'), mk('Bob')])
    const inv = await alice.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 2_000 })
    const { id } = await bob.tallies.redeem(inv.link)
    await bob.tallies.accept(id)
    await until(alice, id, v => v.status === 'open', 'Alice sees the tally open')
    expect(await bob.tallies.pay(id, 3_000, 'groceries')).toMatchObject({ status: 'final' })
    await until(alice, id, v => v.balance === 3_000, 'Alice sees the payment')

    // The phone is switched off (its store kept); Alice restores the wallet on a new device, which is re-seated.
    await alice.node.stop()
    const store = await openMemoryStore()
    const identity = await restoreIdentity({ store, crypto: nobleProvider, clock: systemClock, random: systemRandom }, alice.phrase, 'Alice')
    const restored = await boot(identity, alice.phrase, store)
    await until(restored, id, v => v.status === 'open' && v.seq === 2, 'the tally comes back, re-seated')
    const seq = (await bob.tallies.get(id)).seq

    // The old phone comes back: what it pays fails for good with DEVICE_REPLACED, never "waiting for Bob" for ever.
    const old = await boot(alice.identity, alice.phrase, alice.store)
    const paid = await old.tallies.pay(id, 100, 'from the lost phone').then(c => c, (e: { code: string }) => e)
    expect(paid).not.toMatchObject({ status: 'final' })
    const seen = await until(old, id, v => v.replaced === true, 'the old phone knows it was replaced')
    expect(seen).toMatchObject({ queued: 0, waitingForPartner: false, error: { code: 'DEVICE_REPLACED' } })
    await expect(old.tallies.pay(id, 1)).rejects.toMatchObject({ code: 'DEVICE_REPLACED' })
    expect((await bob.tallies.get(id)).seq).toBe(seq)
    expect((await bob.tallies.chits(id)).some(c => c.memo === 'from the lost phone')).toBe(false)
    // the new device still pays
    expect(await restored.tallies.pay(id, 500, 'from the new phone')).toMatchObject({ status: 'final' })
  }, 90_000)
})
