// Many requests at once on ONE protocol between the SAME two peers (many tallies certifying together):
// libp2p caps open streams per protocol per connection (32 inbound / 64 outbound by default); past the
// cap a stream is reset. Every request must still succeed: the network queues them per peer and
// protocol and registers explicit, larger limits. Over a relayed link and a direct WebSocket link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { silentLogger, systemClock, systemRandom, systemTimers } from '../../../src/node/ports'
import { createLibp2pNode } from '../../../src/node/net/libp2p/node'
import { Libp2pNetwork, MAX_REQUESTS_IN_FLIGHT } from '../../../src/node/net/libp2p/network'
import { TooManyOutboundProtocolStreamsError } from '@libp2p/interface'
import { StreamLimitError } from '../../../src/node/net/libp2p/errors'
import { KeyedSlots } from '../../../src/node/net/libp2p/slots'
import { RelayManager } from '../../../src/node/net/libp2p/relays'
import { startTestRelay, waitFor } from '../helpers/relay'
import type { TestRelay } from '../helpers/relay'

const SLOW = '/test/slow-echo/1.0.0'
const deps = { timers: systemTimers, logger: silentLogger }
/** 50 tallies × 8 payments: far above libp2p's default of 32 inbound streams per protocol per connection, and above our own cap. */
const CONCURRENT = 400

interface Peer { net: Libp2pNetwork, relays: RelayManager, inFlight: () => number, maxInFlight: () => number }

async function peer (relay: TestRelay, listen: string[] = []): Promise<Peer> {
  const node = await createLibp2pNode({ host: 'node', privateKey: await generateKeyPair('Ed25519'), reservations: 1, allowInsecureLoopback: true, listen })
  const net = new Libp2pNetwork(node, deps)
  const relays = new RelayManager(node, [relay.addr], { clock: systemClock, timers: systemTimers, random: systemRandom, logger: silentLogger })
  let now = 0
  let max = 0
  // Holds each request for a while so that many streams are open at the same time.
  net.handle(SLOW, async (req) => {
    now++; max = Math.max(max, now)
    try {
      await new Promise(resolve => setTimeout(resolve, 50))
      return new Uint8Array([...new TextEncoder().encode('echo:'), ...req])
    } finally { now-- }
  }, { maxRequestBytes: 1024 })
  await net.start()
  relays.start()
  return { net, relays, inFlight: () => now, maxInFlight: () => max }
}

async function burst (from: Peer, to: Peer, addrs: string[]): Promise<{ ok: number, failures: string[] }> {
  // One request first so that the link exists; then the burst shares it.
  await from.net.request(to.net.peerId, SLOW, new TextEncoder().encode('warm'), { addrs })
  const results = await Promise.allSettled(Array.from({ length: CONCURRENT }, async (_, i) => {
    const res = await from.net.request(to.net.peerId, SLOW, new TextEncoder().encode(String(i)))
    expect(new TextDecoder().decode(res.body)).toBe(`echo:${i}`)
  }))
  const failures = results.flatMap(r => r.status === 'rejected' ? [`${(r.reason as { code?: string }).code ?? ''} ${(r.reason as Error).message}`] : [])
  return { ok: results.length - failures.length, failures }
}

describe('many concurrent requests on one protocol between two peers', () => {
  let relay: TestRelay
  let a: Peer
  let b: Peer
  let c: Peer

  beforeAll(async () => {
    relay = await startTestRelay()
    ;[a, b, c] = await Promise.all([peer(relay), peer(relay), peer(relay, ['/ip4/127.0.0.1/tcp/0/ws'])])
    await waitFor(() => b.relays.status()[0]?.state === 'reserved', 10_000, 'B reserved')
  })
  afterAll(async () => {
    for (const p of [a, b, c]) p?.relays.stop()
    await Promise.all([a?.net.stop(), b?.net.stop(), c?.net.stop()])
    await relay?.stop()
  })

  it(`answers all ${CONCURRENT} at once over a relayed link`, async () => {
    const bAddrs = await waitFor(() => { const x = b.net.addrs().filter(s => s.includes('/p2p-circuit')); return x.length > 0 ? x : undefined })
    const { ok, failures } = await burst(a, b, bAddrs)
    expect(failures.slice(0, 3)).toEqual([])
    expect(ok).toBe(CONCURRENT)
    expect(a.net.link(b.net.peerId)?.kind).toBe('relayed')
    // Queued, not refused: the peer never saw more than the cap at once.
    expect(b.maxInFlight()).toBeLessThanOrEqual(MAX_REQUESTS_IN_FLIGHT)
  }, 60_000)

  it(`answers all ${CONCURRENT} at once over a direct link, both directions together`, async () => {
    const cAddrs = c.net.addrs().filter(s => s.includes('/ws') && !s.includes('/p2p-circuit'))
    expect(cAddrs.length).toBeGreaterThan(0)
    await a.net.request(c.net.peerId, SLOW, new Uint8Array([1]), { addrs: cAddrs })
    expect(a.net.link(c.net.peerId)?.kind).toBe('direct')
    const aAddrs = [] as string[]
    const [ac, ca] = await Promise.all([burst(a, c, cAddrs), burst(c, a, aAddrs)])
    expect([...ac.failures, ...ca.failures].slice(0, 3)).toEqual([])
    expect(ac.ok + ca.ok).toBe(2 * CONCURRENT)
    expect(c.maxInFlight()).toBeLessThanOrEqual(MAX_REQUESTS_IN_FLIGHT)
    expect(a.maxInFlight()).toBeLessThanOrEqual(MAX_REQUESTS_IN_FLIGHT)
  }, 60_000)

  it('maps libp2p\'s own outbound stream cap to a named, retryable STREAM_LIMIT', async () => {
    // The cap is hard to hit for real (the queue keeps requests far below it, and the remote's inbound
    // cap resets a stream first), so the connection refuses once the way libp2p does.
    const conn = a.net.node.getConnections(c.net.node.peerId)[0]
    if (conn === undefined) throw new Error('no connection from A to C')
    const real = conn.newStream.bind(conn)
    conn.newStream = async () => { throw new TooManyOutboundProtocolStreamsError('Too many outbound protocol streams') }
    try {
      const err = await a.net.request(c.net.peerId, SLOW, new Uint8Array([1])).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StreamLimitError)
      expect(err).toMatchObject({ code: 'STREAM_LIMIT', retryable: true, peerId: c.net.peerId, protocol: SLOW })
    } finally {
      conn.newStream = real
    }
    const res = await a.net.request(c.net.peerId, SLOW, new Uint8Array([2]))
    expect(Array.from(res.body).at(-1)).toBe(2)
  })
})

describe('KeyedSlots', () => {
  it('admits up to the limit per key, then queues in arrival order', async () => {
    const slots = new KeyedSlots(2)
    const r1 = await slots.acquire('k')
    const r2 = await slots.acquire('k')
    const other = await slots.acquire('other')
    const order: number[] = []
    const w3 = slots.acquire('k').then(r => { order.push(3); return r })
    const w4 = slots.acquire('k').then(r => { order.push(4); return r })
    await Promise.resolve()
    expect(slots.load('k')).toEqual({ active: 2, waiting: 2 })
    expect(order).toEqual([])
    r1(); r1() // a second release of the same slot is ignored
    const r3 = await w3
    expect(order).toEqual([3])
    expect(slots.load('k')).toEqual({ active: 2, waiting: 1 })
    r2()
    const r4 = await w4
    expect(order).toEqual([3, 4])
    r3(); r4(); other()
    expect(slots.load('k')).toEqual({ active: 0, waiting: 0 })
    expect(slots.load('other')).toEqual({ active: 0, waiting: 0 })
  })

  it('drops a waiter whose signal aborts, and refuses an already aborted signal', async () => {
    const slots = new KeyedSlots(1)
    const r1 = await slots.acquire('k')
    const ac = new AbortController()
    const waiting = slots.acquire('k', ac.signal)
    ac.abort(new Error('gave up'))
    await expect(waiting).rejects.toThrow('gave up')
    expect(slots.load('k')).toEqual({ active: 1, waiting: 0 })
    await expect(slots.acquire('k', AbortSignal.abort(new Error('already')))).rejects.toThrow('already')
    r1()
    expect(slots.load('k')).toEqual({ active: 0, waiting: 0 })
    expect(() => new KeyedSlots(0)).toThrow(RangeError)
  })
})
