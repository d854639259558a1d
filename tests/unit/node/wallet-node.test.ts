// The WalletNode facade on the simulated network: status, contact cards, connect and hello, refusals,
// take-over (stale writer) and stop.
import { describe, expect, it } from 'vitest'
import type { NodeStatus } from '../../../src/node/api'
import { openMemoryStore } from '../../../src/node/store/memory'
import { simWorld } from './sim-wallets'

describe('wallet node (simulated network)', () => {
  it('reports its status and a contact card with its addresses', async () => {
    const { wallet } = simWorld(11)
    const a = await wallet('Alice')
    const s = a.node.status()
    expect(s).toMatchObject({ phase: 'running', userId: a.identity.userId, name: 'Alice', peerId: a.identity.peerId, relays: [], peers: [] })
    expect(a.node.contact()).toEqual({ v: 1, userId: a.identity.userId, name: 'Alice', peerId: a.identity.peerId, addrs: [`/memory/${a.identity.peerId}`] })
    await a.node.stop()
  })

  it('connects by contact card, emits status changes, and says hello again on the existing link', async () => {
    const { time, wallet } = simWorld(12)
    const [a, b] = [await wallet('Alice'), await wallet('Bob')]
    const seen: NodeStatus[] = []
    a.node.onStatus(s => seen.push(s))
    await time.run(a.node.connect(b.node.contact()))
    expect(seen.at(-1)?.peers).toEqual([expect.objectContaining({ name: 'Bob', hello: 'verified', link: 'memory' })])
    expect(seen.some(s => s.peers[0]?.hello === 'pending')).toBe(true)
    await time.advance(60_000)
    const again = await time.run(a.node.hello(b.identity.peerId))
    expect(again.lastHelloAt).toBe(time.now)
    // Bob can greet Alice back without a card: the link exists
    await expect(time.run(b.node.hello(a.identity.peerId))).resolves.toMatchObject({ name: 'Alice', hello: 'verified' })
  })

  it('refuses its own card, a card naming another user, and an unreachable peer, with named errors', async () => {
    const { time, net, wallet } = simWorld(13)
    const [a, b, c] = [await wallet('Alice'), await wallet('Bob'), await wallet('Carol')]
    await expect(a.node.connect(a.node.contact())).rejects.toMatchObject({ code: 'HELLO_MISMATCH', message: 'this is your own contact link' })
    const lying = { ...b.node.contact(), userId: c.identity.userId }
    await expect(time.run(a.node.connect(lying))).rejects.toMatchObject({ code: 'HELLO_MISMATCH', message: expect.stringMatching(/another user/) })
    net.partition([[a.identity.peerId], [b.identity.peerId, c.identity.peerId]])
    await expect(time.run(a.node.connect(c.node.contact()))).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    expect(a.node.status().peers.find(p => p.peerId === c.identity.peerId)).toMatchObject({ hello: 'failed', link: 'none', error: expect.stringMatching(/could not reach/) })
    await expect(a.node.connect({ ...b.node.contact(), name: '' })).rejects.toMatchObject({ code: 'MALFORMED' })
  })

  it('a node taken over by another tab stops at its first write (STALE_WRITER) and says so', async () => {
    const { time, wallet } = simWorld(14)
    const [a, b] = [await wallet('Alice'), await wallet('Bob')]
    await openMemoryStore(a.db) // another tab claims the wallet
    await expect(time.run(a.node.connect(b.node.contact()))).rejects.toMatchObject({ code: 'STALE_WRITER' })
    expect(a.node.status()).toMatchObject({ phase: 'failed', error: expect.stringMatching(/taken over/) })
    await expect(a.node.hello(b.identity.peerId)).rejects.toMatchObject({ code: 'NODE_NOT_RUNNING' })
  })

  it('stops: phase stopped, the peer sees it gone', async () => {
    const { time, wallet } = simWorld(15)
    const [a, b] = [await wallet('Alice'), await wallet('Bob')]
    await time.run(a.node.connect(b.node.contact()))
    await b.node.stop()
    expect(b.node.status().phase).toBe('stopped')
    expect(a.node.status().peers[0]).toMatchObject({ link: 'none' })
    await expect(time.run(a.node.hello(b.identity.peerId))).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    await b.node.stop()
  })
})
