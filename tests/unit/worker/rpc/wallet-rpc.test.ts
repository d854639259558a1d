// The typed RPC end to end in Node: page client (wallet-client.ts) ↔ comlink over a real MessageChannel
// ↔ worker facade (serve.ts, rpc/facade.ts) ↔ services ↔ a fake runtime on the real in-memory Store.
import { proxy } from 'comlink'
import { afterEach, describe, expect, it } from 'vitest'
import { ChipsError } from '../../../../src/core/errors'
import type { NodeStatus } from '../../../../src/node/api'
import { MemoryDatabase } from '../../../../src/node/store/memory'
import { WalletRpcError } from '../../../../src/ui/lib/wallet-client'
import { attachWalletClient } from '../../../../src/ui/lib/wallet-client'
import { WORKER_INIT } from '../../../../src/worker/init'
import { RtcBridge } from '../../../../src/worker/rtc-bridge/bridge'
import type { WorkerScope } from '../../../../src/worker/serve'
import { serveWallet } from '../../../../src/worker/serve'
import { isLocalPlainWebSocket } from '../../../../src/worker/services/node'
import { fakeRuntime } from './fake-runtime'
import type { TestWorker } from './harness'
import { START, startWorker, until } from './harness'

let workers: TestWorker[] = []
afterEach(() => { for (const w of workers) w.end(); workers = [] })

function worker (runtime = fakeRuntime()): TestWorker & { runtime: ReturnType<typeof fakeRuntime> } {
  const w = startWorker(runtime)
  workers.push(w)
  return { ...w, runtime }
}

async function failure (p: Promise<unknown>): Promise<WalletRpcError> {
  const err = await p.then(() => { throw new Error('expected a failure') }, (e: unknown) => e)
  expect(err).toBeInstanceOf(WalletRpcError)
  return err as WalletRpcError
}

describe('wallet RPC: the startup sequence (lock → open → create/restore → start)', () => {
  it('opens an empty wallet, creates it, starts the node, shares a contact link and connects', async () => {
    const { client, runtime } = worker()
    const { api } = client
    expect(await api.open()).toBeUndefined()
    const created = await api.create('Alice')
    expect(created.identity).toEqual({ userId: 'user-1', name: 'Alice', peerId: 'peer-of-user-1', createdAt: 1000 })
    expect(created.phrase.split(' ')).toHaveLength(12)
    expect(await api.recoveryPhrase()).toBe(created.phrase)
    // No secret crosses: the identity info is all the page gets.
    expect(Object.keys(created.identity).sort()).toEqual(['createdAt', 'name', 'peerId', 'userId'])

    const status = await api.start(START)
    expect(status).toMatchObject({ phase: 'running', userId: 'user-1', relays: [{ state: 'reserved' }] })
    expect(runtime.nodes[0]!.request).toMatchObject({ relays: START.relays, iceServers: [], webrtc: true, allowInsecureLoopback: true })
    expect(await api.status()).toEqual(status)

    const { link, card } = await api.contactLink('http://127.0.0.1:9090/')
    expect(card).toMatchObject({ v: 1, userId: 'user-1', peerId: 'peer-of-user-1' })
    expect(link.startsWith('http://127.0.0.1:9090/#contact=')).toBe(true)

    const bob = { v: 1, userId: 'user-bob', name: 'Bob', peerId: 'peer-bob', addrs: [] }
    const peer = await api.connect(`https://wallet.example/#contact=${encodeURIComponent(JSON.stringify(bob))}`)
    expect(peer).toMatchObject({ peerId: 'peer-bob', name: 'Bob', hello: 'verified', link: 'direct' })
    expect(await api.hello('peer-bob')).toMatchObject({ lastHelloAt: 2 })
  })

  it('a reload opens the same wallet: open() returns the stored identity', async () => {
    const db = new MemoryDatabase()
    const first = worker(fakeRuntime(db))
    const { identity } = await (async () => { await first.client.api.open(); return await first.client.api.create('Alice') })()
    await first.client.api.shutdown()
    const second = worker(fakeRuntime(db))
    expect(await second.client.api.open()).toEqual(identity)
  })

  it('restores from a phrase, and refuses a bad one with its code', async () => {
    const { client: { api } } = worker()
    await api.open()
    const err = await failure(api.restore('too short', 'Alice'))
    expect(err).toMatchObject({ code: 'INVALID_PHRASE', message: 'a recovery phrase has 12 words' })
    expect(await api.restore('word '.repeat(12).trim(), 'Alice')).toMatchObject({ userId: 'restored-word', name: 'Alice' })
  })

  it('open() is idempotent and concurrent calls share one store', async () => {
    const { client: { api }, runtime } = worker()
    const [a, b] = await Promise.all([api.open(), api.open()])
    expect(a).toBeUndefined()
    expect(b).toBeUndefined()
    await api.open()
    expect(runtime.stores).toHaveLength(1)
  })

  it('start() twice (or concurrently) starts one node', async () => {
    const { client: { api }, runtime } = worker()
    await api.open()
    await api.create('Alice')
    const [a, b] = await Promise.all([api.start(START), api.start(START)])
    expect(a.peerId).toBe(b.peerId)
    await api.start(START)
    expect(runtime.nodes).toHaveLength(1)
  })

  it('loads the node runtime lazily, once', async () => {
    const w = worker()
    await w.client.api.status().catch(() => undefined)
    await w.client.api.open()
    expect(w.loads()).toBe(1)
  })

  it('connects the RTC bridge through the init message', async () => {
    const w = worker()
    await Promise.all([w.client.rtc.ready, w.bridge.ready])
    expect(w.bridge.stats().connected).toBe(true)
  })
})

describe('wallet RPC: status subscriptions', () => {
  it('sends the current status on subscribe and every change after, to plain and proxied listeners', async () => {
    const { client: { api }, runtime } = worker()
    await api.open()
    await api.create('Alice')
    const plain: NodeStatus[] = []
    const proxied: NodeStatus[] = []
    const id1 = await api.subscribe((s: NodeStatus) => { plain.push(s) })
    await api.start(START)
    const id2 = await api.subscribe(proxy((s: NodeStatus) => { proxied.push(s) }))
    expect(id2).not.toBe(id1)
    await until(() => plain.length >= 1 && proxied.length >= 1, 'initial statuses')
    const before = plain.length
    runtime.nodes[0]!.peers = [{ peerId: 'p', link: 'relayed', hello: 'pending' }]
    runtime.nodes[0]!.emit()
    await until(() => plain.length === before + 1 && proxied.at(-1)?.peers.length === 1, 'change')
    expect(plain.at(-1)?.peers).toEqual([{ peerId: 'p', link: 'relayed', hello: 'pending' }])

    await api.unsubscribe(id1)
    runtime.nodes[0]!.emit()
    await until(() => proxied.length >= 3, 'proxied still hears')
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(plain.length).toBe(before + 1)
  })

  it('shutdown stops the node, tells subscribers, closes the store and drops subscriptions', async () => {
    const { client: { api }, runtime } = worker()
    await api.open()
    await api.create('Alice')
    const seen: NodeStatus[] = []
    await api.subscribe((s: NodeStatus) => { seen.push(s) })
    await api.start(START)
    await api.shutdown()
    expect(runtime.nodes[0]!.stopped).toBe(1)
    await until(() => seen.at(-1)?.phase === 'stopped', 'stopped status')
    expect(await api.status()).toBeUndefined()
    // The store is closed: nothing can write from this worker any more.
    expect(await failure(api.create('Again'))).toMatchObject({ code: 'WALLET_NOT_OPEN' })
    await expect(runtime.stores[0]!.read(async () => 1)).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    await api.shutdown() // twice is fine
  })

  it('a store closed by another tab (versionchange) stops the node and says why', async () => {
    const { client: { api }, runtime } = worker()
    await api.open()
    await api.create('Alice')
    const seen: NodeStatus[] = []
    await api.subscribe((s: NodeStatus) => { seen.push(s) })
    await api.start(START)
    runtime.closeStore('versionchange')
    await until(() => seen.at(-1)?.error !== undefined, 'lost status')
    expect(seen.at(-1)).toMatchObject({ phase: 'stopped', error: expect.stringContaining('newer version') })
    expect(await failure(api.recoveryPhrase())).toMatchObject({ code: 'WALLET_CLOSED' })
  })
})

describe('wallet RPC: errors cross with their code and message', () => {
  it('names every out-of-order call', async () => {
    const { client: { api } } = worker()
    expect(await failure(api.create('Alice'))).toMatchObject({ code: 'WALLET_NOT_OPEN', message: 'the wallet is not open in this tab' })
    await api.open()
    expect(await failure(api.start(START))).toMatchObject({ code: 'NO_IDENTITY' })
    await api.create('Alice')
    expect(await failure(api.create('Alice'))).toMatchObject({ code: 'IDENTITY_EXISTS' })
    expect(await failure(api.connect('https://x/#contact=%7B%7D'))).toMatchObject({ code: 'NODE_NOT_STARTED' })
    expect(await failure(api.contactLink('https://x/'))).toMatchObject({ code: 'NODE_NOT_STARTED' })
    expect(await api.status()).toBeUndefined()
  })

  it('refuses malformed arguments at the boundary with MALFORMED', async () => {
    const { client: { api } } = worker()
    await api.open()
    await api.create('Alice')
    const bad = api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>
    expect(await failure(bad.create!(42))).toMatchObject({ code: 'MALFORMED', message: 'invalid request: the name must be text' })
    expect(await failure(bad.start!({ relays: 'x', iceServers: [], webrtc: true }))).toMatchObject({ code: 'MALFORMED' })
    expect(await failure(bad.start!({ relays: [], iceServers: [], webrtc: 'yes' }))).toMatchObject({ code: 'MALFORMED', message: 'invalid request: webrtc must be true or false' })
    expect(await failure(bad.start!({ relays: Array(17).fill('/x'), iceServers: [], webrtc: true }))).toMatchObject({ message: 'invalid request: too many relays' })
    await api.start(START)
    expect(await failure(api.contactLink('javascript:alert(1)'))).toMatchObject({ code: 'MALFORMED', message: 'invalid request: the base URL must be an http(s) URL' })
    expect(await failure(api.connect('x'.repeat(20_000)))).toMatchObject({ code: 'MALFORMED', message: 'invalid request: the contact link is too long' })
    expect(await failure(api.hello(''))).toMatchObject({ code: 'MALFORMED' })
    expect(await failure(bad.unsubscribe!(-1))).toMatchObject({ code: 'MALFORMED' })
    expect(await failure(bad.subscribe!(42))).toMatchObject({ code: 'MALFORMED', message: 'invalid request: the status listener must be a function (a comlink proxy)' })
  })

  it('passes the node\'s refusals through: a bad link, an unreachable peer, an unknown peer', async () => {
    const { client: { api } } = worker()
    await api.open()
    await api.create('Alice')
    await api.start(START)
    expect(await failure(api.connect('https://wallet.example/'))).toMatchObject({ code: 'MALFORMED', message: 'this is not a contact link (it has no #contact= part)' })
    const offline = { v: 1, userId: 'u', name: 'Off', peerId: 'offline-peer', addrs: [] }
    expect(await failure(api.connect(`https://w/#contact=${encodeURIComponent(JSON.stringify(offline))}`))).toMatchObject({ code: 'PEER_UNREACHABLE', message: 'your contact is offline; the hello is queued' })
    expect(await failure(api.hello('nobody'))).toMatchObject({ code: 'UNKNOWN_PEER' })
  })

  it('turns an unexpected error into INTERNAL with its words and no stack', async () => {
    const w = worker()
    await w.client.api.open()
    await w.client.api.create('Alice')
    w.runtime.failStart = new TypeError('libp2p exploded')
    const err = await failure(w.client.api.start(START))
    expect(err).toMatchObject({ code: 'INTERNAL', message: 'TypeError: libp2p exploded' })
    expect(err.message).not.toContain('    at ')
    w.runtime.failStart = new ChipsError('NODE_START_FAILED', 'the wallet node could not start its network')
    expect(await failure(w.client.api.start(START))).toMatchObject({ code: 'NODE_START_FAILED' })
    // After failures a start still works.
    expect(await w.client.api.start(START)).toMatchObject({ phase: 'running' })
  })

  it('reports a runtime that failed to load, and retries the load on the next call', async () => {
    let attempts = 0
    const runtime = fakeRuntime()
    const w = startWorker(async () => {
      if (++attempts === 1) throw new Error('Failed to fetch dynamically imported module')
      return runtime
    })
    workers.push(w)
    expect(await failure(w.client.api.open())).toMatchObject({ code: 'INTERNAL', message: 'Error: Failed to fetch dynamically imported module' })
    expect(await w.client.api.open()).toBeUndefined()
  })
})

describe('wallet RPC: single writer', () => {
  it('a tab that was taken over stops at its first write with STALE_WRITER', async () => {
    const db = new MemoryDatabase()
    const old = worker(fakeRuntime(db))
    await old.client.api.open()
    // Another tab takes the lock and opens: it claims a newer writer epoch.
    const taker = worker(fakeRuntime(db))
    await taker.client.api.open()
    const err = await failure(old.client.api.create('Alice'))
    expect(err.code).toBe('STALE_WRITER')
    expect(await taker.client.api.create('Alice')).toMatchObject({ identity: { name: 'Alice' } })
  })
})

describe('wallet client: worker lifecycle', () => {
  it('fails every call with WORKER_FAILED when the worker script never starts', async () => {
    const target = new EventTarget()
    const client = attachWalletClient({
      postMessage: () => {},
      addEventListener: (type, listener) => { target.addEventListener(type, listener) }
    })
    const pending = client.api.open()
    target.dispatchEvent(Object.assign(new Event('error'), { message: 'SyntaxError: Unexpected token' }))
    expect(await failure(pending)).toMatchObject({ code: 'WORKER_FAILED', message: 'the wallet worker could not start: SyntaxError: Unexpected token' })
    expect(await failure(client.api.status())).toMatchObject({ code: 'WORKER_FAILED' })
    client.terminate()
  })

  it('terminate() rejects calls in flight and later calls with WORKER_TERMINATED and closes the bridge', async () => {
    const runtime = fakeRuntime()
    let release!: () => void
    const slow = new Promise<void>(resolve => { release = resolve })
    const w = startWorker(async () => { await slow; return runtime })
    const pending = w.client.api.open()
    w.client.terminate()
    release()
    expect(await failure(pending)).toMatchObject({ code: 'WORKER_TERMINATED' })
    expect(await failure(w.client.api.open())).toMatchObject({ code: 'WORKER_TERMINATED' })
    expect(w.client.rtc.stats().closed).toBe(true)
    expect(w.bridge.stats().closed).toBe(true)
  })

  it('serves only on the init message: other messages to the worker scope are ignored', async () => {
    const scope = new EventTarget()
    const bridge = new RtcBridge()
    const served: unknown[] = []
    serveWallet(scope as unknown as WorkerScope, { bridge, runtime: async () => fakeRuntime(), onServe: (api) => { served.push(api) } })
    const rpc = new MessageChannel()
    const rtc = new MessageChannel()
    for (const data of [null, 'init', { t: WORKER_INIT }, { t: WORKER_INIT, rpc: 1, rtc: 2 }, { t: 'other', rpc: rpc.port2, rtc: rtc.port2 }]) {
      scope.dispatchEvent(new MessageEvent('message', { data }))
    }
    expect(served).toHaveLength(0)
    expect(bridge.stats().connected).toBe(false)
    scope.dispatchEvent(new MessageEvent('message', { data: { t: WORKER_INIT, rpc: rpc.port2, rtc: rtc.port2 } }))
    expect(served).toHaveLength(1)
    expect(bridge.stats().connected).toBe(true)
    // A second init is ignored too: the listener is gone.
    scope.dispatchEvent(new MessageEvent('message', { data: { t: WORKER_INIT, rpc: rpc.port2, rtc: rtc.port2 } }))
    expect(served).toHaveLength(1)
    bridge.close()
    for (const p of [rpc.port1, rpc.port2, rtc.port1, rtc.port2]) p.close()
  })
})

describe('allowInsecureLoopback default', () => {
  it('is on only for plain ws:// relays at loopback or private addresses', () => {
    expect(isLocalPlainWebSocket('/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooW')).toBe(true)
    expect(isLocalPlainWebSocket('/ip4/10.99.0.1/tcp/9090/ws')).toBe(true)
    expect(isLocalPlainWebSocket('/ip4/192.168.1.2/tcp/80/ws/p2p/x')).toBe(true)
    expect(isLocalPlainWebSocket('/ip4/172.20.0.1/tcp/80/ws')).toBe(true)
    expect(isLocalPlainWebSocket('/ip6/::1/tcp/80/ws')).toBe(true)
    expect(isLocalPlainWebSocket('/dns4/localhost/tcp/80/ws')).toBe(true)
    expect(isLocalPlainWebSocket('/dns4/relay.example/tcp/443/tls/ws/p2p/x')).toBe(false)
    expect(isLocalPlainWebSocket('/ip4/127.0.0.1/tcp/443/tls/ws')).toBe(false)
    expect(isLocalPlainWebSocket('/ip4/8.8.8.8/tcp/80/ws')).toBe(false)
    expect(isLocalPlainWebSocket('/ip4/172.32.0.1/tcp/80/ws')).toBe(false)
    expect(isLocalPlainWebSocket('/ip4/127.0.0.1/tcp/80/wss')).toBe(false)
  })

  it('is passed to the node as asked, or derived from the relays', async () => {
    const { client: { api }, runtime } = worker()
    await api.open()
    await api.create('Alice')
    await api.start({ relays: ['/dns4/relay.example/tcp/443/tls/ws/p2p/x'], iceServers: [{ urls: 'stun:stun.example:3478' }], webrtc: false })
    expect(runtime.nodes[0]!.request).toMatchObject({ allowInsecureLoopback: false, webrtc: false, iceServers: [{ urls: 'stun:stun.example:3478' }] })
  })
})
