// The relay for integration tests: the project's own startRelay (relay/server.ts) on loopback.
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { startRelay } from '../../../relay/server'
import { loadOrCreateKey } from '../../../relay/identity'

// Node 20 only: the `ws` WebSocket that relay/node20-polyfill.ts installs throws an unhandled 'error'
// event when a dial to a down relay fails after libp2p stopped listening (an aborted dial). Browsers
// and Node 22's WebSocket never throw there. Guard it for these tests (reported to the polyfill owner).
const G = globalThis as { WebSocket?: unknown }
if (typeof G.WebSocket === 'function' && (G.WebSocket as { name?: string }).name === 'WebSocket' && 'CONNECTING' in (G.WebSocket as object)) {
  const { WebSocket: Ws } = await import('ws')
  if (G.WebSocket === Ws) {
    G.WebSocket = class GuardedWebSocket extends Ws {
      constructor (...args: ConstructorParameters<typeof Ws>) {
        super(...args)
        this.on('error', () => {})
      }
    }
  }
}

export interface TestRelay {
  /** The relay's ws multiaddr with /p2p/<id>. */
  addr: string
  peerId: string
  stop (): Promise<void>
}

export interface TestRelayOptions {
  port?: number
  /** A key file (created if missing), to restart the relay under the same peer id. */
  keyFile?: string
  /** Circuit relay v2's own default data limit per relayed connection (128 KiB) instead of the relay's. */
  defaultLimits?: boolean
}

/** The project's relay (relay/server.ts) on loopback, relay only (no app), silent. */
export async function startTestRelay (options: TestRelayOptions = {}): Promise<TestRelay> {
  const relay = await startRelay({
    host: '127.0.0.1',
    port: options.port ?? 0,
    dist: null,
    keyFile: options.keyFile ?? null,
    logLevel: 'silent',
    ...(options.defaultLimits === true ? { limits: { relayDataBytes: 128 * 1024 } } : {})
  })
  const addr = relay.multiaddrs[0]
  if (addr === undefined) throw new Error('test relay has no address')
  return { addr, peerId: relay.peerId, stop: async () => { await relay.stop() } }
}

/** The peer id a relay started with this key file will have (creates the key file). */
export async function relayPeerId (keyFile: string): Promise<string> {
  const { privateKey } = await loadOrCreateKey(keyFile)
  return peerIdFromPrivateKey(privateKey).toString()
}

/** A free loopback TCP port (for a relay that must come up later on a known address). */
export async function freePort (): Promise<number> {
  const { createServer } = await import('node:net')
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      srv.close(() => { resolve(port) })
    })
  })
}

/** Polls until fn returns a truthy value (for conditions libp2p reaches asynchronously). */
export async function waitFor<T> (fn: () => T | undefined | false | null, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = fn()
    if (value !== undefined && value !== false && value !== null) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
