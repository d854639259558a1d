// Relayed → direct: two Node WalletNodes with WebRTC (node-datachannel) meet through the relay by
// contact card, end up on a direct /webrtc link (not relayed), and keep talking after the relay stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestRelay, waitFor } from '../helpers/relay'
import type { TestRelay } from '../helpers/relay'
import { startTestWallet } from '../helpers/wallets'
import type { TestWallet } from '../helpers/wallets'

let relay: TestRelay
let alice: TestWallet
let bob: TestWallet

beforeAll(async () => {
  relay = await startTestRelay()
  const opts = { webrtc: true, iceServers: [] }
  ;[alice, bob] = await Promise.all([startTestWallet('Alice', [relay.addr], opts), startTestWallet('Bob', [relay.addr], opts)])
  await waitFor(() => bob.node.contact().addrs.some(a => a.includes('/p2p-circuit/webrtc/')), 15_000, 'Bob has a /webrtc address')
})

afterAll(async () => {
  await Promise.all([alice?.node.stop(), bob?.node.stop()])
  await relay?.stop()
})

/** Says hello every 500 ms (each exchange on a relayed link triggers an upgrade attempt when due) until the link is direct. */
async function untilDirect (from: TestWallet, to: TestWallet): Promise<void> {
  const end = Date.now() + 25_000
  while (from.node.status().peers.find(p => p.peerId === to.identity.peerId)?.link !== 'direct') {
    if (Date.now() > end) throw new Error('no direct link within 25 s')
    await from.node.hello(to.identity.peerId)
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

describe('direct WebRTC link through the relay (Node)', () => {
  it('upgrades a relayed link to a direct one: the status follows from relayed to direct', async () => {
    const carol = await startTestWallet('Carol', [relay.addr], { webrtc: true, iceServers: [] })
    try {
      const full = bob.node.contact()
      // First only the circuit address: the link is relayed.
      const peer = await carol.node.connect({ ...full, addrs: full.addrs.filter(a => !a.includes('/webrtc')) })
      expect(peer.link).toBe('relayed')
      // A later card with the /webrtc address: the next exchange uses the relayed link and upgrades in the background.
      await carol.node.connect(full)
      await untilDirect(carol, bob)
      await expect(carol.node.hello(bob.identity.peerId)).resolves.toMatchObject({ link: 'direct' })
    } finally {
      await carol.node.stop()
    }
  })

  it('connects by card on a direct link, and the hello still works after the relay stops', async () => {
    const card = bob.node.contact()
    expect(card.addrs.some(a => a.includes('/p2p-circuit/webrtc/'))).toBe(true)
    const peer = await alice.node.connect(card)
    expect(peer).toMatchObject({ name: 'Bob', hello: 'verified' })
    // The card's /webrtc address is dialled first; on a loaded machine a WebRTC dial can time out and
    // fall back to the circuit, in which case the next exchanges upgrade it.
    await untilDirect(alice, bob)
    await relay.stop()
    await waitFor(() => alice.node.status().relays[0]?.state === 'down', 10_000, 'relay down')
    await expect(alice.node.hello(bob.identity.peerId)).resolves.toMatchObject({ name: 'Bob', hello: 'verified', link: 'direct' })
    await expect(bob.node.hello(alice.identity.peerId)).resolves.toMatchObject({ name: 'Alice', hello: 'verified', link: 'direct' })
  })
})
