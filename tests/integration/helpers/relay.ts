// A minimal circuit-relay v2 server on loopback WebSockets for integration tests. Relay limits are
// disabled (applyDefaultLimit: false) unless asked, like a wallet relay sized for its own messages.
import { createLibp2p } from 'libp2p'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'

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
  node: Libp2p
  /** The relay's ws multiaddr with /p2p/<id>. */
  addr: string
  stop (): Promise<void>
}

export interface TestRelayOptions {
  port?: number
  privateKey?: PrivateKey
  /** Apply circuit relay v2's default limits (2 min, 128 KiB) to relayed connections. */
  defaultLimits?: boolean
}

export async function startTestRelay (options: TestRelayOptions = {}): Promise<TestRelay> {
  const node = await createLibp2p({
    privateKey: options.privateKey ?? await generateKeyPair('Ed25519'),
    addresses: { listen: [`/ip4/127.0.0.1/tcp/${options.port ?? 0}/ws`] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      relay: circuitRelayServer({ reservations: { maxReservations: 1024, applyDefaultLimit: options.defaultLimits === true } })
    }
  })
  const addr = node.getMultiaddrs()[0]?.toString()
  if (addr === undefined) throw new Error('test relay has no address')
  return { node, addr, stop: async () => { await node.stop() } }
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
