// The simulated network: same request/response semantics as libp2p, on virtual time, deterministic per seed.
import { describe, expect, it } from 'vitest'
import { ChipsError } from '../../../../src/core/errors'
import { SimNetwork } from '../../../../src/node/net/sim/network'
import type { SimNetworkOptions } from '../../../../src/node/net/sim/network'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { VirtualTime } from '../../../../src/node/net/sim/time'
import { RemoteError } from '../../../../src/node/net/errors'

const P = '/test/echo/1.0.0'
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

function world (seed: number, extra: Partial<SimNetworkOptions> = {}): { time: VirtualTime, net: SimNetwork } {
  const time = new VirtualTime()
  const net = new SimNetwork({ timers: time.timers, random: seededRandom(seed), latency: { minMs: 10, maxMs: 50 }, ...extra })
  return { time, net }
}

async function echoNodes (net: SimNetwork, n: number): Promise<ReturnType<SimNetwork['node']>[]> {
  const nodes = Array.from({ length: n }, (_, i) => net.node(`peer-${i}`))
  for (const node of nodes) {
    node.handle(P, async (req, from) => {
      if (dec(req) === 'no') throw new ChipsError('NOT_ALLOWED', 'refused')
      return enc(`${node.peerId}<-${from.peerId}:${dec(req)}`)
    }, { maxRequestBytes: 100 })
    await node.start()
  }
  return nodes
}

describe('simulated network', () => {
  it('answers a request after two one-way latencies of virtual time, on a memory link', async () => {
    const { time, net } = world(1)
    const [a, b] = await echoNodes(net, 2)
    const links: string[] = []
    b!.on('peer:link', l => links.push(`${l.peerId}/${l.kind}`))
    const start = time.now
    const res = await time.run(a!.request('peer-1', P, enc('hi')))
    expect(dec(res.body)).toBe('peer-1<-peer-0:hi')
    expect(res.link).toEqual({ peerId: 'peer-1', kind: 'memory', remoteAddr: '/memory/peer-1' })
    expect(time.now - start).toBeGreaterThanOrEqual(20)
    expect(time.now - start).toBeLessThanOrEqual(100)
    expect(links).toEqual(['peer-0/memory'])
    expect(net.counters).toMatchObject({ sent: 2, delivered: 2, lost: 0, blocked: 0 })
  })

  it('carries refusals back as RemoteError and enforces request and response sizes', async () => {
    const { time, net } = world(2)
    const [a] = await echoNodes(net, 2)
    await expect(time.run(a!.request('peer-1', P, enc('no')))).rejects.toMatchObject({ code: 'NOT_ALLOWED', name: 'RemoteError' })
    const big = await time.run(a!.request('peer-1', P, new Uint8Array(101))).catch((e: unknown) => e)
    expect(big).toBeInstanceOf(RemoteError)
    expect(big).toMatchObject({ code: 'TOO_LARGE' })
    await expect(time.run(a!.request('peer-1', P, enc('x'), { maxResponseBytes: 5 }))).rejects.toMatchObject({ code: 'TOO_LARGE' })
    await expect(time.run(a!.request('peer-1', '/nope/1', enc('x')))).rejects.toMatchObject({ code: 'UNSUPPORTED_PROTOCOL' })
  })

  it('times out a lost message on virtual time, and partitions make peers unreachable until healed', async () => {
    const { time, net } = world(3, { loss: 1, requestTimeoutMs: 1000 })
    const [a] = await echoNodes(net, 2)
    const t0 = time.now
    await expect(time.run(a!.request('peer-1', P, enc('x')))).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(time.now - t0).toBe(1000)
    expect(net.counters.lost).toBe(1)

    const w = world(4)
    const [c, d] = await echoNodes(w.net, 2)
    await w.time.run(c!.request('peer-1', P, enc('x')))
    const gone: string[] = []
    d!.on('peer:gone', g => gone.push(g.peerId))
    w.net.partition([['peer-0'], ['peer-1']])
    expect(gone).toEqual(['peer-0'])
    expect(c!.link('peer-1')).toBeUndefined()
    await expect(w.time.run(c!.request('peer-1', P, enc('x')))).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    w.net.heal()
    expect(dec((await w.time.run(c!.request('peer-1', P, enc('y')))).body)).toBe('peer-1<-peer-0:y')
  })

  it('is deterministic for a seed: the same run gives the same timeline and counters (5 nodes, 20 requests, 20% loss)', async () => {
    async function run (seed: number): Promise<string[]> {
      const { time, net } = world(seed, { loss: 0.2, requestTimeoutMs: 500 })
      const nodes = await echoNodes(net, 5)
      const log: string[] = []
      const jobs = []
      for (const a of nodes) {
        for (const b of nodes) {
          if (a === b) continue
          jobs.push(a.request(b.peerId, P, enc('m')).then(
            () => { log.push(`${time.now} ok ${a.peerId}->${b.peerId}`) },
            (e: ChipsError) => { log.push(`${time.now} ${e.code} ${a.peerId}->${b.peerId}`) }))
        }
      }
      await time.run(Promise.all(jobs))
      log.push(JSON.stringify(net.counters))
      return log
    }
    const first = await run(42)
    expect(await run(42)).toEqual(first)
    expect(first.filter(l => l.includes('TIMEOUT')).length).toBeGreaterThan(0)
    expect(await run(43)).not.toEqual(first)
  })

  it('refuses requests from a stopped node and to a stopped node', async () => {
    const { time, net } = world(5)
    const [a, b] = await echoNodes(net, 2)
    await b!.stop()
    await expect(time.run(a!.request('peer-1', P, enc('x')))).rejects.toMatchObject({ code: 'PEER_UNREACHABLE' })
    await a!.stop()
    await expect(a!.request('peer-1', P, enc('x'))).rejects.toMatchObject({ code: 'NETWORK_STOPPED' })
  })
})
