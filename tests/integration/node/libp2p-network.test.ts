// The libp2p Network adapter over a real relay on loopback WebSockets: request/response through a
// relayed (circuit) connection, refusals carried back as named errors, size limits, raw garbage on a
// protocol, and relay status tracking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { ChipsError, MalformedError } from '../../../src/core/errors'
import { silentLogger, systemClock, systemRandom, systemTimers } from '../../../src/node/ports'
import { createLibp2pNode } from '../../../src/node/net/libp2p/node'
import { Libp2pNetwork } from '../../../src/node/net/libp2p/network'
import { RelayManager } from '../../../src/node/net/libp2p/relays'
import { RemoteError } from '../../../src/node/net/errors'
import { startTestRelay, waitFor } from '../helpers/relay'
import type { TestRelay } from '../helpers/relay'

const ECHO = '/test/echo/1.0.0'
const deps = { timers: systemTimers, logger: silentLogger }

class NotAllowedError extends ChipsError { constructor () { super('NOT_ALLOWED', 'echo refuses "no"') } }

async function peer (relay: TestRelay): Promise<{ net: Libp2pNetwork, relays: RelayManager }> {
  const node = await createLibp2pNode({ host: 'node', privateKey: await generateKeyPair('Ed25519'), reservations: 1, allowInsecureLoopback: true })
  const net = new Libp2pNetwork(node, deps)
  const relays = new RelayManager(node, [relay.addr], { clock: systemClock, timers: systemTimers, random: systemRandom, logger: silentLogger })
  net.handle(ECHO, async (req) => {
    const text = new TextDecoder().decode(req)
    if (text === 'no') throw new NotAllowedError()
    if (text === 'crash') throw new Error('secret internal detail')
    return new TextEncoder().encode(`echo:${text}`)
  }, { maxRequestBytes: 1024 })
  await net.start()
  relays.start()
  return { net, relays }
}

describe('libp2p network over a loopback relay', () => {
  let relay: TestRelay
  let a: { net: Libp2pNetwork, relays: RelayManager }
  let b: { net: Libp2pNetwork, relays: RelayManager }
  let bAddrs: string[]

  beforeAll(async () => {
    relay = await startTestRelay()
    ;[a, b] = await Promise.all([peer(relay), peer(relay)])
    await waitFor(() => b.relays.status()[0]?.state === 'reserved', 10_000, 'B reserved')
    bAddrs = await waitFor(() => { const x = b.net.addrs().filter(s => s.includes('/p2p-circuit')); return x.length > 0 ? x : undefined })
  })
  afterAll(async () => {
    a.relays.stop(); b.relays.stop()
    await Promise.all([a.net.stop(), b.net.stop()])
    await relay.stop()
  })

  it('both peers reserve on the relay and report it', async () => {
    await waitFor(() => a.relays.status()[0]?.state === 'reserved', 10_000, 'A reserved')
    expect(a.relays.status()).toEqual([{ addr: relay.addr, state: 'reserved' }])
  })

  it('answers a request through the relay on a relayed link', async () => {
    const links: string[] = []
    const off = a.net.on('peer:link', l => { if (l.peerId === b.net.peerId) links.push(l.kind) })
    const res = await a.net.request(b.net.peerId, ECHO, new TextEncoder().encode('hi'), { addrs: bAddrs })
    off()
    expect(new TextDecoder().decode(res.body)).toBe('echo:hi')
    expect(res.link.kind).toBe('relayed')
    expect(a.net.link(b.net.peerId)?.kind).toBe('relayed')
    expect(links).toContain('relayed')
  })

  it('carries a handler refusal back as RemoteError with its code, and hides internal errors', async () => {
    const err = await a.net.request(b.net.peerId, ECHO, new TextEncoder().encode('no')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ code: 'NOT_ALLOWED', message: 'echo refuses "no"', peerId: b.net.peerId })
    const crash = await a.net.request(b.net.peerId, ECHO, new TextEncoder().encode('crash')).catch((e: unknown) => e)
    expect(crash).toMatchObject({ code: 'INTERNAL' })
    expect((crash as Error).message).not.toMatch(/secret/)
  })

  it('refuses an oversized request with TOO_LARGE and keeps serving', async () => {
    const err = await a.net.request(b.net.peerId, ECHO, new Uint8Array(4096)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ code: 'TOO_LARGE' })
    expect((err as Error).message).toMatch(/4096 bytes exceeds the limit of 1024/)
    const ok = await a.net.request(b.net.peerId, ECHO, new TextEncoder().encode('again'))
    expect(new TextDecoder().decode(ok.body)).toBe('echo:again')
  })

  it('refuses a response larger than the requester allows', async () => {
    const err = await a.net.request(b.net.peerId, ECHO, new Uint8Array(500), { maxResponseBytes: 100 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'TOO_LARGE' })
    expect((err as Error).message).toMatch(/response of 505 bytes exceeds the limit of 100/)
  })

  it('answers raw garbage bytes on the protocol with MALFORMED and keeps serving', async () => {
    const node = a.net.node
    const conn = await node.dial(peerIdFromString(b.net.peerId))
    const stream = await conn.newStream(ECHO, { runOnLimitedConnection: true })
    // 0xff… is a varint that never ends: not a length-prefixed frame.
    stream.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))
    const chunks: Uint8Array[] = []
    for await (const chunk of stream) chunks.push(chunk instanceof Uint8Array ? chunk : chunk.subarray())
    const reply = new TextDecoder().decode(Buffer.concat(chunks))
    expect(reply).toMatch(/"code":"MALFORMED"/)
    expect(reply).toMatch(/not a length-prefixed frame/)
    const ok = await a.net.request(b.net.peerId, ECHO, new TextEncoder().encode('still here'))
    expect(new TextDecoder().decode(ok.body)).toBe('echo:still here')
  })

  it('names a protocol the peer does not speak', async () => {
    await expect(a.net.request(b.net.peerId, '/test/unknown/1.0.0', new Uint8Array(1))).rejects.toMatchObject({ code: 'UNSUPPORTED_PROTOCOL' })
  })

  it('names an unreachable peer and a malformed address clearly', async () => {
    const stranger = (await generateKeyPair('Ed25519'))
    const { peerIdFromPrivateKey } = await import('@libp2p/peer-id')
    const id = peerIdFromPrivateKey(stranger).toString()
    const addr = multiaddr(`${relay.addr}/p2p-circuit/p2p/${id}`).toString()
    const err = await a.net.request(id, ECHO, new Uint8Array(1), { addrs: [addr] }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'PEER_UNREACHABLE' })
    await expect(a.net.request(id, ECHO, new Uint8Array(1), { addrs: ['not a multiaddr'] })).rejects.toBeInstanceOf(MalformedError)
  })
})

describe('a relay that applies circuit relay v2 default limits (128 KiB per relayed connection)', () => {
  it('a relayed connection that hits the limit is reset; the next request redials through the relay and works', async () => {
    const limited = await startTestRelay({ defaultLimits: true })
    const [x, y] = await Promise.all([peer(limited), peer(limited)])
    try {
      y.net.handle('/test/bulk/1.0.0', async (req) => req.subarray(0, 4), { maxRequestBytes: 64 * 1024 })
      const yAddrs = await waitFor(() => { const s = y.net.addrs().filter(a => a.includes('/p2p-circuit')); return s.length > 0 ? s : undefined }, 10_000, 'Y reserved')
      const results: string[] = []
      for (let i = 0; i < 6; i++) {
        const r = await x.net.request(y.net.peerId, '/test/bulk/1.0.0', new Uint8Array(40 * 1024).fill(i), { addrs: yAddrs }).then(
          res => `ok:${res.link.kind}`, (e: unknown) => `err:${(e as ChipsError).code}`)
        results.push(r)
      }
      // 6 × 40 KiB is well over the 128 KiB limit: at least one connection was reset and replaced.
      expect(results.filter(r => r === 'ok:relayed').length).toBeGreaterThanOrEqual(4)
      expect(results.at(-1)).toBe('ok:relayed')
      const errors = results.filter(r => r.startsWith('err:'))
      expect(errors.length).toBeGreaterThanOrEqual(1)
      expect(errors.every(r => r === 'err:LINK_LOST')).toBe(true)
    } finally {
      x.relays.stop(); y.relays.stop()
      await Promise.all([x.net.stop(), y.net.stop()])
      await limited.stop()
    }
  })
})
