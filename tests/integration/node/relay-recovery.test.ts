// Relay management against a real relay: a relay that is down at start gives 'down' with a reason and
// retryAt, the node keeps working, and it reserves once the relay comes up; when the relay restarts the
// node reconnects and reserves again.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RelayStatus } from '../../../src/node/api'
import { freePort, relayPeerId, startTestRelay, waitFor } from '../helpers/relay'
import type { TestRelay } from '../helpers/relay'
import { startTestWallet } from '../helpers/wallets'
import type { TestWallet } from '../helpers/wallets'

const stops: Array<() => Promise<void>> = []
afterAll(async () => { for (const stop of stops.reverse()) await stop().catch(() => undefined) })

describe('relay down at start', () => {
  it('reports down with retryAt, keeps running, and reserves once the relay comes up (and again after a restart)', async () => {
    const keyFile = join(await mkdtemp(join(tmpdir(), 'relay-key-')), 'peer-key.json')
    const port = await freePort()
    const addr = `/ip4/127.0.0.1/tcp/${port}/ws/p2p/${await relayPeerId(keyFile)}`
    const seen: RelayStatus[] = []
    const wallet: TestWallet = await startTestWallet('Dana', [addr], { backoff: { initialMs: 200, maxMs: 800 } })
    stops.push(() => wallet.node.stop())
    wallet.node.onStatus(s => { if (s.relays[0] !== undefined) seen.push(s.relays[0]) })

    const down = await waitFor(() => wallet.node.status().relays.find(r => r.state === 'down'), 10_000, 'down')
    expect(down.error).toMatch(/^relay unreachable: /)
    expect(down.retryAt).toBeGreaterThan(Date.now() - 1000)
    expect(down.retryAt).toBeLessThan(Date.now() + 2000)
    expect(wallet.node.status().phase).toBe('running')
    expect(wallet.node.contact().addrs).toEqual([])

    let relay: TestRelay = await startTestRelay({ port, keyFile })
    stops.push(() => relay.stop())
    await waitFor(() => wallet.node.status().relays[0]?.state === 'reserved', 15_000, 'reserved after the relay came up')
    expect(wallet.node.status().relays).toEqual([{ addr, state: 'reserved' }])
    expect(seen.map(s => s.state)).toEqual(expect.arrayContaining(['connecting', 'down', 'connected', 'reserved']))
    expect(wallet.node.contact().addrs.some(a => a.includes('/p2p-circuit/'))).toBe(true)

    // The relay restarts: the node notices, redials with backoff and holds a new reservation.
    await relay.stop()
    await waitFor(() => wallet.node.status().relays[0]?.state === 'down', 10_000, 'down after relay stop')
    expect(wallet.node.status().relays[0]?.error).toMatch(/closed|unreachable/)
    relay = await startTestRelay({ port, keyFile })
    stops.push(() => relay.stop())
    await waitFor(() => wallet.node.status().relays[0]?.state === 'reserved', 15_000, 'reserved after restart')
  })

  it('reports a malformed relay address as down without retrying', async () => {
    const wallet = await startTestWallet('Eve', ['/ip4/127.0.0.1/tcp/1/ws', 'not an address'])
    stops.push(() => wallet.node.stop())
    expect(wallet.node.status().relays).toEqual([
      { addr: '/ip4/127.0.0.1/tcp/1/ws', state: 'down', error: 'the relay address does not name the relay (/p2p/<peer id> is missing)' },
      { addr: 'not an address', state: 'down', error: 'not a valid relay address' }
    ])
  })
})
