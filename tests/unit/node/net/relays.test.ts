// RelayManager on virtual time with a fake libp2p node: state transitions, the backoff schedule with
// jitter from injected randomness, reconnection after a close, and stop.
import { describe, expect, it } from 'vitest'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { RelayStatus } from '../../../../src/node/api'
import { RelayManager } from '../../../../src/node/net/libp2p/relays'
import { silentLogger } from '../../../../src/node/ports'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { VirtualTime } from '../../../../src/node/net/sim/time'

const RELAY_ID = '12D3KooWMPcxUR6bNufHGfU6bxExRhvppK6JNQ3N6Y5eKzpdQ3EA'
const SELF_ID = '12D3KooWBeQFxwpfHJ9oKvC2UyKNPhWcAqUNpKz8tbG4V5XqUQJQ'
const ADDR = `/ip4/127.0.0.1/tcp/4001/ws/p2p/${RELAY_ID}`

/** Just what RelayManager uses of a libp2p node. */
class FakeNode extends EventTarget {
  up = false
  dials = 0
  reserved = false
  connections: Array<{ status: string }> = []
  async dial (): Promise<unknown> {
    this.dials++
    if (!this.up) throw new Error('connect ECONNREFUSED 127.0.0.1:4001')
    this.connections = [{ status: 'open' }]
    return {}
  }

  getConnections (): Array<{ status: string }> { return this.connections }
  getMultiaddrs (): unknown[] { return this.reserved ? [multiaddr(`${ADDR}/p2p-circuit/p2p/${SELF_ID}`)] : [] }
  reserve (): void { this.reserved = true; this.dispatchEvent(new CustomEvent('self:peer:update')) }
  drop (): void {
    this.connections = []
    this.reserved = false
    this.dispatchEvent(new CustomEvent('connection:close', { detail: { remotePeer: { toString: () => RELAY_ID } } }))
  }
}

function setup (seed = 1): { time: VirtualTime, fake: FakeNode, relays: RelayManager, seen: RelayStatus[] } {
  const time = new VirtualTime()
  const fake = new FakeNode()
  const relays = new RelayManager(fake as unknown as Libp2p, [ADDR], {
    clock: time.clock, timers: time.timers, random: seededRandom(seed), logger: silentLogger, backoff: { initialMs: 1000, maxMs: 8000 }
  })
  const seen: RelayStatus[] = []
  relays.onChange(list => { if (list[0] !== undefined) seen.push(list[0]) })
  return { time, fake, relays, seen }
}

describe('relay manager', () => {
  it('backs off exponentially with jitter while the relay is down, then connects and reserves', async () => {
    const { time, fake, relays, seen } = setup()
    relays.start()
    await time.advance(0)
    const delays: number[] = []
    for (let i = 0; i < 5; i++) {
      const s = relays.status()[0]
      expect(s).toMatchObject({ state: 'down', error: 'relay unreachable: connect ECONNREFUSED 127.0.0.1:4001' })
      delays.push((s?.retryAt ?? 0) - time.now)
      await time.advance((s?.retryAt ?? 0) - time.now)
    }
    const bases = [1000, 2000, 4000, 8000, 8000]
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(bases[i]! / 2)
      expect(d).toBeLessThanOrEqual(bases[i]!)
    })
    expect(fake.dials).toBe(6)
    fake.up = true
    await time.advance(relays.status()[0]!.retryAt! - time.now)
    expect(relays.status()[0]).toEqual({ addr: ADDR, state: 'connected' })
    fake.reserve()
    expect(relays.status()[0]).toEqual({ addr: ADDR, state: 'reserved' })
    expect(seen.map(s => s.state).slice(-3)).toEqual(['connecting', 'connected', 'reserved'])
  })

  it('notices a reservation that appears without an address event (periodic check)', async () => {
    const { time, fake, relays } = setup()
    fake.up = true
    relays.start()
    await time.advance(0)
    expect(relays.status()[0]?.state).toBe('connected')
    fake.reserved = true // no event
    await time.advance(1000)
    expect(relays.status()[0]?.state).toBe('reserved')
  })

  it('reconnects soon after the relay connection closes, with the shortest delay', async () => {
    const { time, fake, relays } = setup()
    fake.up = true
    relays.start()
    await time.advance(0)
    fake.reserve()
    fake.drop()
    const s = relays.status()[0]
    expect(s).toMatchObject({ state: 'down', error: 'the connection to the relay closed' })
    expect((s?.retryAt ?? 0) - time.now).toBeLessThanOrEqual(1000)
    await time.advance(1000)
    expect(relays.status()[0]?.state).toBe('connected')
  })

  it('stops retrying after stop()', async () => {
    const { time, fake, relays } = setup()
    relays.start()
    await time.advance(0)
    relays.stop()
    const dials = fake.dials
    await time.advance(60_000)
    expect(fake.dials).toBe(dials)
    expect(time.pending).toBe(0)
  })

  it('is deterministic for a seed', async () => {
    async function schedule (seed: number): Promise<number[]> {
      const { time, relays } = setup(seed)
      relays.start()
      const out: number[] = []
      for (let i = 0; i < 4; i++) { await time.advance(0); out.push(relays.status()[0]!.retryAt!); await time.advance(relays.status()[0]!.retryAt! - time.now) }
      return out
    }
    expect(await schedule(9)).toEqual(await schedule(9))
    expect(await schedule(9)).not.toEqual(await schedule(10))
  })
})
