// The worker facade on the real node runtime (src/node + core, IndexedDB through fake-indexeddb, libp2p
// with no relays and no WebRTC): checks the adapter in node-runtime.ts against the node's real API.
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../../src/node/ports'
import type { RpcErrorShape, WalletApi } from '../../../src/worker/api'
import { createNodeRuntime } from '../../../src/worker/node-runtime'
import { createWalletApi } from '../../../src/worker/rpc/facade'

const apis: WalletApi[] = []
afterEach(async () => { for (const api of apis.splice(0)) await api.shutdown() })

let n = 0
function wallet (dbName = `wallet-${++n}`): WalletApi {
  const api = createWalletApi({ runtime: async () => createNodeRuntime(silentLogger), dbName })
  apis.push(api)
  return api
}

async function rejection (p: Promise<unknown>): Promise<RpcErrorShape> {
  return await p.then(() => { throw new Error('expected a rejection') }, (e: unknown) => e as RpcErrorShape)
}

describe('worker facade on the real node runtime', () => {
  it('creates, reloads, starts, shares a link, refuses its own link, and shuts down without blocking a successor', async () => {
    const db = `wallet-real-${++n}`
    const first = wallet(db)
    expect(await first.open()).toBeUndefined()
    const { identity, phrase } = await first.create('Alice')
    expect(phrase.split(' ')).toHaveLength(12)
    expect(identity.name).toBe('Alice')
    expect(await first.recoveryPhrase()).toBe(phrase)

    const status = await first.start({ relays: [], iceServers: [], webrtc: false })
    expect(status).toMatchObject({ phase: 'running', userId: identity.userId, peerId: identity.peerId })
    const { link, card } = await first.contactLink('http://127.0.0.1:9/')
    expect(card).toMatchObject({ v: 1, userId: identity.userId, peerId: identity.peerId })
    expect(await rejection(first.connect(link))).toMatchObject({ code: 'HELLO_MISMATCH' })
    expect(await rejection(first.connect('not a link'))).toMatchObject({ code: 'MALFORMED' })
    await first.shutdown()

    // Another tab takes over (the page's Web Lock passed to it): it opens at once and sees the wallet.
    const second = wallet(db)
    expect(await second.open()).toEqual(identity)
  }, 20_000)

  it('restores the same user id from the phrase in another browser (another database)', async () => {
    const a = wallet()
    await a.open()
    const { identity, phrase } = await a.create('Alice')
    const b = wallet()
    await b.open()
    const restored = await b.restore(`  ${phrase.toUpperCase()}  `, 'Alice on laptop')
    expect(restored.userId).toBe(identity.userId)
    expect(restored.peerId).not.toBe(identity.peerId) // a restored wallet is a new device
  })

  it('a tab that was taken over fails its next write with STALE_WRITER', async () => {
    const db = `wallet-takeover-${++n}`
    const old = wallet(db)
    await old.open()
    const taker = wallet(db)
    await taker.open()
    expect(await rejection(old.create('Alice'))).toMatchObject({ code: 'STALE_WRITER' })
    expect((await taker.create('Alice')).identity.name).toBe('Alice')
  })
})
