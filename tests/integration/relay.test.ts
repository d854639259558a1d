// The relay over loopback: one port serves the app, the relay document and the libp2p WebSocket
// listener; Node libp2p clients reserve slots and reach each other over relayed circuits; limits are
// enforced and logged; stop releases everything; the key file keeps the peer id.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RelayDocumentSchema } from '../../relay/document'
import { startRelay, type RelayHandle, type StartRelayOptions } from '../../relay/server'
import { reserveOn, startTestClient, type TestClient } from '../../relay/testing/client'
import * as v from 'valibot'
import type { Logger, LogLevel } from '../../src/node/ports'

const ECHO = '/mychips-test/echo/1.0.0'

interface LogLine { level: LogLevel, event: string, fields: Record<string, unknown> }
function memoryLogger (): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = []
  return { lines, log: (level, event, fields = {}) => { lines.push({ level, event, fields }) } }
}

let dir: string
let dist: string
const relays: RelayHandle[] = []
const clients: TestClient[] = []

async function relay (opts: StartRelayOptions = {}): Promise<RelayHandle> {
  const r = await startRelay({ port: 0, dist, logLevel: 'silent', ...opts })
  relays.push(r)
  return r
}

async function client (reserve = true): Promise<TestClient> {
  const c = await startTestClient({ reserve })
  clients.push(c)
  return c
}

async function echoHandler (c: TestClient): Promise<void> {
  await c.handle(ECHO, async (stream) => {
    for await (const chunk of stream) stream.send(chunk.subarray())
    await stream.close()
  }, { runOnLimitedConnection: true })
}

interface HttpResult { status: number, headers: Record<string, string | string[] | undefined>, body: string }
async function http (url: string, init: { method?: string, headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { body += d })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    })
    req.on('error', reject)
    req.end()
  })
}

async function waitFor<T> (fn: () => T | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = fn()
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mychips-relay-test-'))
  dist = join(dir, 'dist')
  await mkdir(join(dist, 'assets'), { recursive: true })
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>wallet</title><div id="app"></div>')
  await writeFile(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {})')
  await writeFile(join(dist, 'manifest.webmanifest'), '{"name":"MyCHIPs"}')
  await writeFile(join(dist, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  await writeFile(join(dist, 'icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]))
  await writeFile(join(dist, 'assets', 'index-3f9a1c.js'), 'console.log(1)')
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map(async (c) => { await c.stop() }))
  await Promise.all(relays.splice(0).map(async (r) => { await r.stop() }))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('one port serves the app, the relay document and libp2p', () => {
  it('serves index.html, static files with the right types and caching, and the SPA fallback', async () => {
    const r = await relay()
    expect(r.appServed).toBe(true)
    const index = await http(r.url)
    expect(index.status).toBe(200)
    expect(index.body).toContain('<div id="app">')
    expect(index.headers['content-type']).toBe('text/html;charset=utf-8')
    expect(index.headers['cache-control']).toBe('no-cache')

    const cases: Array<[string, string, string]> = [
      ['sw.js', 'text/javascript', 'no-cache'],
      ['manifest.webmanifest', 'application/manifest+json', 'no-cache'],
      ['icon.svg', 'image/svg+xml', 'no-cache'],
      ['icon-192.png', 'image/png', 'no-cache'],
      ['assets/index-3f9a1c.js', 'text/javascript', 'public, max-age=31536000, immutable']
    ]
    for (const [path, type, cache] of cases) {
      const res = await http(r.url + path)
      expect(res.status, path).toBe(200)
      expect(res.headers['content-type'], path).toBe(type)
      expect(res.headers['cache-control'], path).toBe(cache)
      expect(res.headers['x-content-type-options'], path).toBe('nosniff')
    }

    const route = await http(r.url + 'contacts/abc')
    expect(route.status).toBe(200)
    expect(route.body).toContain('<div id="app">')
    expect(route.headers['cache-control']).toBe('no-cache')

    expect((await http(r.url + 'assets/missing-123.js')).status).toBe(404)
    expect((await http(r.url + 'assets/no-extension')).status).toBe(404)
    expect((await http(r.url + 'missing.png')).status).toBe(404)
    const traversal = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: r.port, path: '/../../etc/passwd', agent: false }, (res) => {
        let body = ''
        res.on('data', (d: Buffer) => { body += d.toString() })
        res.on('end', () => { resolve(body) })
      })
      req.on('error', reject)
      req.end()
    })
    expect(traversal).not.toContain('root:')
    expect((await http(r.url, { method: 'POST' })).status).toBe(405)
    expect((await http(r.url + 'healthz')).body).toBe('ok\n')
  })

  it('serves the relay document from the same port the WebSocket listener announces', async () => {
    const r = await relay({ iceServers: [{ urls: 'stun:stun.example:3478' }, { urls: 'turn:turn.example:3478', username: 'u', credential: 'p' }] })
    const res = await http(r.url + '.well-known/mychips-relay.json')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.headers['access-control-allow-origin']).toBe('*')
    const doc = v.parse(RelayDocumentSchema, JSON.parse(res.body))
    expect(doc.peerId).toBe(r.peerId)
    expect(doc.multiaddrs).toEqual([`/ip4/127.0.0.1/tcp/${r.port}/ws/p2p/${r.peerId}`])
    expect(doc.multiaddrs).toEqual(r.multiaddrs)
    expect(doc.iceServers).toEqual([{ urls: 'stun:stun.example:3478' }, { urls: 'turn:turn.example:3478', username: 'u', credential: 'p' }])
    expect(doc.limits).toEqual({ maxReservations: 1024, reservationTtlMs: 30 * 60_000, relayDurationMs: 10 * 60_000, relayDataBytes: 1024 * 1024 })
    expect(r.document()).toEqual(doc)
  })

  it('advertises --announce addresses (wss behind a TLS proxy) instead of the bound one', async () => {
    const r = await relay({ announce: ['/dns4/relay.example/tcp/443/tls/ws'] })
    expect(r.multiaddrs).toEqual([`/dns4/relay.example/tcp/443/tls/ws/p2p/${r.peerId}`])
    expect(r.document().multiaddrs).toEqual(r.multiaddrs)
  })

  it('still relays when the app is not built, and says so on the page', async () => {
    const r = await relay({ dist: join(dir, 'no-such-dist') })
    expect(r.appServed).toBe(false)
    const page = await http(r.url)
    expect(page.status).toBe(503)
    expect(page.body).toContain('npm run build')
    expect((await http(r.url + '.well-known/mychips-relay.json')).status).toBe(200)
    const c = await client()
    expect((await reserveOn(c, r.multiaddrs[0] ?? '')).length).toBeGreaterThan(0)
  })

  it('refuses a non-WebSocket upgrade with 400', async () => {
    const r = await relay()
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(r.port, '127.0.0.1', () => { s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n') })
      let data = ''
      s.on('data', (d) => { data += d.toString() })
      s.on('close', () => { resolve(data) })
      s.on('error', reject)
    })
    expect(reply.startsWith('HTTP/1.1 400')).toBe(true)
  })
})

describe('bad input', () => {
  it('garbage over TCP, a WebSocket speaking nonsense and a half-sent request leave the relay serving', async () => {
    const log = memoryLogger()
    const r = await relay({ logger: log })
    const { WebSocket } = await import('ws')
    // 1. Raw garbage on the HTTP port.
    await new Promise<void>((resolve) => {
      const s = connect(r.port, '127.0.0.1', () => { s.end(Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])) })
      s.on('close', () => { resolve() })
      s.on('error', () => { resolve() })
    })
    // 2. A real WebSocket through the pipe that sends bytes no libp2p handshake accepts (libp2p drops
    // it at its 10 s upgrade timeout; we do not wait for that).
    const ws = new WebSocket(`ws://127.0.0.1:${r.port}/`)
    ws.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => { ws.send(Buffer.alloc(4096, 0xab)); ws.send('not multistream'); resolve() })
      ws.on('unexpected-response', () => { reject(new Error('upgrade refused')) })
    })
    // 3. A request that never finishes its headers (closed by us after a moment).
    const half = connect(r.port, '127.0.0.1', () => { half.write('GET / HTTP/1.1\r\nHost: x\r\n') })
    half.on('error', () => {})
    await new Promise((resolve) => setTimeout(resolve, 100))
    half.destroy()

    const c = await client()
    expect((await reserveOn(c, r.multiaddrs[0] ?? '')).length).toBeGreaterThan(0)
    expect((await http(r.url + 'healthz')).status).toBe(200)
    // The nonsense WebSocket never became a libp2p connection; only the real client did.
    await waitFor(() => log.lines.some((l) => l.event === 'connection.opened'), 5000, 'connection.opened')
    expect(log.lines.filter((l) => l.event === 'connection.opened')).toHaveLength(1)
    ws.terminate()
  })

  it('warns once when its document is fetched through an https proxy without --announce', async () => {
    const log = memoryLogger()
    const r = await relay({ logger: log })
    for (let i = 0; i < 2; i++) await http(r.url + '.well-known/mychips-relay.json', { headers: { 'X-Forwarded-Proto': 'https', Host: 'relay.example' } })
    const warns = log.lines.filter((l) => l.event === 'announce.missing')
    expect(warns).toHaveLength(1) // once, not per request
    expect(warns[0]?.fields.host).toBe('relay.example')
    const announced = await relay({ logger: log, announce: ['/dns4/relay.example/tcp/443/tls/ws'] })
    await http(announced.url + '.well-known/mychips-relay.json', { headers: { 'X-Forwarded-Proto': 'https' } })
    expect(log.lines.filter((l) => l.event === 'announce.missing')).toHaveLength(1)
  })
})

describe('circuit relay v2', () => {
  it('grants a reservation and carries a protocol between two clients over the relayed circuit', async () => {
    const log = memoryLogger()
    const r = await relay({ logger: log })
    const a = await client()
    const b = await client(false)
    await echoHandler(a)
    const circuits = await reserveOn(a, r.multiaddrs[0] ?? '')
    expect(circuits[0]).toBe(`${r.multiaddrs[0]}/p2p-circuit/p2p/${a.peerId.toString()}`)
    await waitFor(() => r.stats().reservations === 1, 5000, 'relay counts the reservation')
    await waitFor(() => log.lines.some((l) => l.event === 'reservation.granted' && l.fields.peer === a.peerId.toString()), 5000, 'reservation.granted log')

    const stream = await b.dialProtocol(multiaddr(circuits[0] ?? ''), ECHO, { runOnLimitedConnection: true })
    const conn = b.getConnections(a.peerId)[0]
    expect(conn?.limits).toBeDefined() // a relayed (limited) connection, not a direct one
    expect(conn?.limits?.seconds).toBeGreaterThan(0)
    stream.send(new TextEncoder().encode('hello through the relay'))
    await stream.close()
    const chunks: string[] = []
    for await (const chunk of stream) chunks.push(new TextDecoder().decode(chunk.subarray()))
    expect(chunks.join('')).toBe('hello through the relay')

    await waitFor(() => log.lines.some((l) => l.event === 'circuit.opened' && l.fields.dst === a.peerId.toString()), 5000, 'circuit.opened log')
    const opened = log.lines.filter((l) => l.event === 'connection.opened')
    expect(opened.length).toBeGreaterThanOrEqual(2)
    // The loopback bridge maps libp2p's view (127.0.0.1:<pipe port>) back to the real client.
    expect(opened.every((l) => l.fields.ip === '127.0.0.1')).toBe(true)
    expect(r.stats().totals.circuits).toBeGreaterThanOrEqual(1)
  })

  it('enforces max reservations: with 2 slots the third client is refused', async () => {
    const log = memoryLogger()
    const r = await relay({ limits: { maxReservations: 2 }, logger: log })
    const addr = r.multiaddrs[0] ?? ''
    const [c1, c2, c3] = [await client(), await client(), await client()]
    await reserveOn(c1, addr)
    await reserveOn(c2, addr)
    await expect(reserveOn(c3, addr, 2000)).rejects.toThrow(/no reservation/)
    expect(r.stats().reservations).toBe(2)
    expect(r.stats().totals.reservationsRefused).toBeGreaterThanOrEqual(1)
    const refused = log.lines.find((l) => l.event === 'reservation.refused')
    expect(refused?.fields.peer).toBe(c3.peerId.toString())
    expect(refused?.level).toBe('warn')
  })

  it('resets a relayed connection at the data limit and logs the limit hit', async () => {
    const log = memoryLogger()
    const r = await relay({ limits: { relayDataBytes: 4096 }, logger: log })
    const a = await client()
    const b = await client(false)
    await echoHandler(a)
    const [circuit] = await reserveOn(a, r.multiaddrs[0] ?? '')
    const stream = await b.dialProtocol(multiaddr(circuit ?? ''), ECHO, { runOnLimitedConnection: true })
    const closed = new Promise<void>((resolve) => { stream.addEventListener('close', () => { resolve() }, { once: true }) })
    // Small writes echo fine; 16 KiB in total crosses the 4 KiB limit (both directions count).
    for (let i = 0; i < 16 && stream.status === 'open'; i++) {
      stream.send(new Uint8Array(1024).fill(i))
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await closed
    await waitFor(() => log.lines.find((l) => l.event === 'circuit.limit'), 5000, 'circuit.limit log')
    const hit = log.lines.find((l) => l.event === 'circuit.limit')
    expect(hit?.fields.limit).toBe('data')
    expect(r.stats().totals.dataLimitHits).toBe(1)
  })

  it('resets a relayed connection at the duration limit and logs the limit hit', async () => {
    const log = memoryLogger()
    const r = await relay({ limits: { relayDurationMs: 1000 }, logger: log })
    const a = await client()
    const b = await client(false)
    await echoHandler(a)
    const [circuit] = await reserveOn(a, r.multiaddrs[0] ?? '')
    const started = Date.now()
    const stream = await b.dialProtocol(multiaddr(circuit ?? ''), ECHO, { runOnLimitedConnection: true })
    await new Promise<void>((resolve) => { stream.addEventListener('close', () => { resolve() }, { once: true }) })
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    const hit = await waitFor(() => log.lines.find((l) => l.event === 'circuit.limit'), 5000, 'circuit.limit log')
    expect(hit.fields.limit).toBe('duration')
    expect(r.stats().totals.durationLimitHits).toBe(1)
  })
})

describe('lifecycle', () => {
  it('stop() closes client connections, the port and every process handle it opened', async () => {
    const tcpHandles = (): number => process.getActiveResourcesInfo().filter((h) => h === 'TCPServerWrap' || h === 'TCPSocketWrap').length
    // Sockets of earlier tests may still be closing: start from a settled count.
    let before = tcpHandles()
    for (let stable = 0; stable < 5;) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const now = tcpHandles()
      stable = now === before ? stable + 1 : 0
      before = now
    }
    const log = memoryLogger()
    const r = await startRelay({ port: 0, dist, logger: log })
    const a = await startTestClient()
    await reserveOn(a, r.multiaddrs[0] ?? '')
    expect(tcpHandles()).toBeGreaterThan(before)
    const disconnected = new Promise<void>((resolve) => { a.addEventListener('peer:disconnect', () => { resolve() }, { once: true }) })

    const stopping = r.stop()
    expect(r.stop()).toBe(stopping) // idempotent
    await stopping
    await disconnected
    expect(log.lines.map((l) => l.event)).toContain('relay.stopped')
    await expect(http(r.url)).rejects.toThrow(/ECONNREFUSED/)
    await a.stop()
    await waitFor(() => tcpHandles() <= before, 3000, 'TCP handles released')
  })

  it('keeps its peer id across restarts through the key file (and reuses the port)', async () => {
    const keyFile = join(dir, 'state', 'relay-key.json')
    const first = await startRelay({ port: 0, dist, keyFile, logLevel: 'silent' })
    const { peerId, port, multiaddrs } = first
    await first.stop()
    const second = await relay({ port, keyFile })
    expect(second.peerId).toBe(peerId)
    expect(second.multiaddrs).toEqual(multiaddrs)
    const c = await client()
    await reserveOn(c, second.multiaddrs[0] ?? '')
  })
})
