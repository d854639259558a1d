// The page's startup sequence and screen flow against a fake WalletApi, fake Web Locks and a fake
// BroadcastChannel: who opens the store, when the node starts and with which relays, take-over.
import { describe, expect, it } from 'vitest'
import type { Remote } from 'comlink'
import type { NodeStatus, StartOptions, WalletApi } from '../../../../src/worker/api'
import { WalletSession, checkName, connectMessage, isLostWallet } from '../../../../src/ui/lib/session.svelte'
import { RelayDocLoader } from '../../../../src/ui/lib/relay-doc-loader'
import { TabChannel } from '../../../../src/ui/lib/tab-channel'
import { TabLock } from '../../../../src/ui/lib/tab-lock'
import { systemTimers } from '../../../../src/ui/lib/timers'
import { FakeLocks } from '../fakes/locks'
import { FakeBroadcastHub } from '../fakes/broadcast'

const PEER = '12D3KooWRe1ayAbCdEfGhIjKlMnOpQrStUvWxYz1234567'
const DOC = { v: 1, peerId: PEER, multiaddrs: ['/ip4/127.0.0.1/tcp/8080/ws'], iceServers: [{ urls: 'stun:s.example:3478' }] }
const tick = (ms = 5): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** One fake worker per createClient call; a shared "disk" so identity survives like IndexedDB. */
function fakeWorld () {
  const disk: { identity?: { userId: string, name: string, peerId: string, createdAt: number } } = {}
  const calls: string[] = []
  const starts: StartOptions[] = []
  let openStores = 0
  const createClient = () => {
    let listener: ((s: NodeStatus) => void) | undefined
    let open = false
    const api = {
      open: async () => { calls.push('open'); open = true; openStores++; return disk.identity },
      create: async (name: string) => { calls.push('create'); disk.identity = { userId: 'U1', name, peerId: 'P1', createdAt: 1 }; return { identity: disk.identity, phrase: 'a b c d e f g h i j k l' } },
      restore: async (phrase: string, name: string) => { calls.push(`restore:${phrase}`); disk.identity = { userId: 'U2', name, peerId: 'P2', createdAt: 1 }; return disk.identity },
      recoveryPhrase: async () => 'a b c',
      start: async (o: StartOptions) => {
        calls.push('start'); starts.push(o)
        const s: NodeStatus = { phase: 'running', userId: 'U1', name: 'n', peerId: 'P1', addrs: [], relays: o.relays.map(addr => ({ addr, state: 'connecting' as const })), peers: [] }
        setTimeout(() => listener?.({ ...s, addrs: ['/x/p2p-circuit'], relays: o.relays.map(addr => ({ addr, state: 'reserved' as const })) }), 1)
        return s
      },
      status: async () => undefined,
      subscribe: async (l: (s: NodeStatus) => void) => { listener = l; return 1 },
      unsubscribe: async () => {},
      contactLink: async (base: string) => ({ link: `${base}#c=card`, card: { v: 1 as const, userId: 'U1', name: 'n', peerId: 'P1', addrs: [] } }),
      connect: async () => { throw { code: 'PEER_UNREACHABLE', message: 'relay down' } },
      hello: async (id: string) => { if (id === 'STALE') throw { code: 'STALE_WRITER', message: 'another tab took over' }; throw new Error('no link') },
      shutdown: async () => { calls.push('shutdown'); if (open) { open = false; openStores-- } }
    }
    return { api: api as unknown as Remote<WalletApi>, terminate: () => { calls.push('terminate'); if (open) { open = false; openStores-- } } }
  }
  return { disk, calls, starts, createClient, openStores: () => openStores }
}

function session (world: ReturnType<typeof fakeWorld>, locks: FakeLocks, hub: FakeBroadcastHub, id: string, opts: { doc?: unknown, webrtc?: boolean, extra?: string[], incoming?: string } = {}) {
  const channel = new TabChannel(hub.open())
  const ref: { s?: WalletSession } = {}
  const lock = new TabLock({ locks, channel, tabId: id, timers: systemTimers, releaseWaitMs: 100, beforeRelease: async () => { await ref.s?.stopNode() } })
  const relayDoc = new RelayDocLoader({
    fetch: async () => opts.doc === undefined ? await Promise.reject(new TypeError('down')) : new Response(JSON.stringify(opts.doc)),
    storage: undefined,
    timers: systemTimers,
    random: () => 0.5,
    origin: 'http://127.0.0.1:8080',
    backoff: { baseMs: 10_000, maxMs: 10_000, jitter: 0 }
  })
  const s = new WalletSession({
    createClient: world.createClient,
    lock,
    relayDoc,
    timers: systemTimers,
    pageOptions: { webrtc: opts.webrtc ?? true },
    storage: undefined,
    storageManager: { persisted: async () => false, persist: async () => true },
    settings: { extraRelays: opts.extra ?? [] },
    baseUrl: 'http://127.0.0.1:8080/',
    pageIsHttps: false,
    ...(opts.incoming !== undefined ? { incomingLink: opts.incoming } : {})
  })
  ref.s = s
  return { s, lock, relayDoc }
}

describe('WalletSession', () => {
  it('first visit: lock → open → welcome → create → phrase → node started with the origin relay', async () => {
    const world = fakeWorld()
    const { s, relayDoc } = session(world, new FakeLocks(), new FakeBroadcastHub(), 'a', { doc: DOC, webrtc: false })
    await s.boot()
    expect(s.view.kind).toBe('welcome')
    await s.create('  Ada   Lovelace ')
    expect(s.view).toEqual({ kind: 'phrase', phrase: 'a b c d e f g h i j k l' })
    expect(s.identity?.name).toBe('Ada Lovelace')
    await tick(20)
    expect(world.calls).toEqual(['open', 'create', 'start'])
    expect(world.starts[0]).toEqual({ relays: [`/ip4/127.0.0.1/tcp/8080/ws/p2p/${PEER}`], iceServers: [{ urls: 'stun:s.example:3478' }], webrtc: false })
    expect(s.status?.relays[0]?.state).toBe('reserved')
    expect(s.contact?.link).toBe('http://127.0.0.1:8080/#c=card')
    expect(s.persist).toBe('granted')
    s.phraseSaved()
    expect(s.view.kind).toBe('home')
    relayDoc.stop()
  })

  it('a returning wallet goes straight home and starts; a second tab never opens the store', async () => {
    const world = fakeWorld()
    world.disk.identity = { userId: 'U1', name: 'Ada', peerId: 'P1', createdAt: 1 }
    const locks = new FakeLocks()
    const hub = new FakeBroadcastHub()
    const a = session(world, locks, hub, 'a', { doc: DOC })
    const b = session(world, locks, hub, 'b', { doc: DOC })
    await a.s.boot()
    await b.s.boot()
    await tick(20)
    expect(a.s.view.kind).toBe('home')
    expect(b.s.view.kind).toBe('other-tab')
    expect(world.calls.filter(c => c === 'open')).toHaveLength(1)
    // Take over: the old tab shuts its node down before the new one opens the store.
    await b.s.takeOver()
    await tick(20)
    expect(b.s.view.kind).toBe('home')
    expect(a.s.view.kind).toBe('moved')
    const i = world.calls.indexOf('shutdown')
    expect(i).toBeGreaterThan(0)
    expect(world.calls.indexOf('open', i)).toBeGreaterThan(i)
    expect(world.openStores()).toBe(1)
    a.relayDoc.stop(); b.relayDoc.stop()
  })

  it('with the relay down and nothing cached it waits (wallet usable), and starts with extra relays if any', async () => {
    const world = fakeWorld()
    world.disk.identity = { userId: 'U1', name: 'Ada', peerId: 'P1', createdAt: 1 }
    const a = session(world, new FakeLocks(), new FakeBroadcastHub(), 'a')
    await a.s.boot()
    await tick(20)
    expect(a.s.view.kind).toBe('home')
    expect(a.s.waitingForRelay).toBe(true)
    expect(world.calls).not.toContain('start')
    expect(await a.s.connect('https://x.example/#c=1')).toBe(false)
    expect(a.s.connectError).toContain('not connected to a relay yet')
    a.relayDoc.stop()

    const world2 = fakeWorld()
    world2.disk.identity = { userId: 'U1', name: 'Ada', peerId: 'P1', createdAt: 1 }
    const extra = `/dns4/r.example/tcp/443/tls/ws/p2p/${PEER}`
    const b = session(world2, new FakeLocks(), new FakeBroadcastHub(), 'b', { extra: [extra] })
    await b.s.boot()
    await tick(20)
    expect(world2.starts[0]?.relays).toEqual([extra])
    b.relayDoc.stop()
  })

  it('restore checks the word count before asking the worker, and sends the normalized phrase', async () => {
    const world = fakeWorld()
    const a = session(world, new FakeLocks(), new FakeBroadcastHub(), 'a', { doc: DOC })
    await a.s.boot()
    await a.s.restore('one two three', 'Ada')
    expect(a.s.formError).toContain('this one has 3')
    expect(world.calls).toEqual(['open'])
    await a.s.restore('  a b  c d e f g h i j k\nl ', 'Ada')
    expect(world.calls).toContain('restore:a b c d e f g h i j k l')
    expect(a.s.view.kind).toBe('home')
    a.relayDoc.stop()
  })

  it('shows connect and hello failures in words', async () => {
    const world = fakeWorld()
    world.disk.identity = { userId: 'U1', name: 'Ada', peerId: 'P1', createdAt: 1 }
    const a = session(world, new FakeLocks(), new FakeBroadcastHub(), 'a', { doc: DOC })
    await a.s.boot()
    await tick(20)
    expect(await a.s.connect('garbage')).toBe(false)
    expect(a.s.connectError).toContain('not a contact link')
    expect(await a.s.connect('https://x.example/#c=1')).toBe(false)
    expect(a.s.connectError).toBe('Could not reach your contact through their relay: Relay down')
    await a.s.hello('P9')
    expect(a.s.helloErrors.P9).toBe('No link')
    a.relayDoc.stop()
  })
})

describe('opened through a contact link', () => {
  it('prefills the connect box', () => {
    const world = fakeWorld()
    const a = session(world, new FakeLocks(), new FakeBroadcastHub(), 'a', { incoming: 'http://127.0.0.1:8080/#contact=abc' })
    expect(a.s.connectDraft).toBe('http://127.0.0.1:8080/#contact=abc')
    expect(a.s.openedFromLink).toBe(true)
    const b = session(world, new FakeLocks(), new FakeBroadcastHub(), 'b')
    expect(b.s.connectDraft).toBe('')
    expect(b.s.openedFromLink).toBe(false)
  })
})

describe('checkName / connectMessage', () => {
  it('requires 1–64 characters', () => {
    expect(checkName('  ').error).toBeDefined()
    expect(checkName('x'.repeat(65)).error).toBeDefined()
    expect(checkName(' a  b ')).toEqual({ name: 'a b' })
  })
  it('explains a malformed link, an unreachable peer and a bad hello', () => {
    expect(connectMessage({ code: 'MALFORMED', message: 'bad base64' })).toBe('This contact link is not valid: Bad base64')
    expect(connectMessage({ code: 'PEER_UNREACHABLE', message: 'no route' })).toContain('Could not reach your contact')
    expect(connectMessage({ code: 'INVALID_SIGNATURE', message: 'invalid signature' })).toContain('could not be verified')
    expect(connectMessage({ code: 'INTERNAL', message: 'TypeError: x is not a function' })).toBe('X is not a function')
  })

  it('a stale-writer error moves the tab to "moved" and stops its node', async () => {
    const world = fakeWorld()
    world.disk.identity = { userId: 'U1', name: 'Ada', peerId: 'P1', createdAt: 1 }
    const a = session(world, new FakeLocks(), new FakeBroadcastHub(), 'a', { doc: DOC })
    await a.s.boot()
    await tick(20)
    await a.s.hello('P1') // the fake's hello throws a plain Error: shown in the row
    expect(a.s.helloErrors.P1).toBe('No link')
    await a.s.hello('STALE')
    await tick(10)
    expect(a.s.view.kind).toBe('moved')
    expect(world.calls.slice(-2)).toEqual(['shutdown', 'terminate'])
    expect(isLostWallet({ code: 'STALE_WRITER', message: 'taken over' })).toBe(true)
    expect(isLostWallet(new Error('x'))).toBe(false)
    a.relayDoc.stop()
  })
})
