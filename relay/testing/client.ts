// A Node libp2p wallet-like client for relay tests and benches: WebSockets to the relay, circuit relay
// transport (listens on /p2p-circuit, i.e. asks the relay for a reservation), Noise, yamux, identify.
// Not used by the relay itself.
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { Identify } from '@libp2p/identify'

// Node 20: the polyfill installs `ws`'s WebSocket, which (unlike a browser's or Node 22's) throws an
// uncaught 'error' event when a redial to a stopped relay is refused after libp2p dropped its listener.
// Give every socket a no-op 'error' listener, as browsers effectively have; libp2p still sees the close.
const G = globalThis as { WebSocket?: unknown }
{
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

export type TestClient = Libp2p<{ identify: Identify }>

export interface TestClientOptions {
  /** Ask the relay for a reservation (listen on /p2p-circuit). Default true. */
  reserve?: boolean
}

export async function startTestClient (opts: TestClientOptions = {}): Promise<TestClient> {
  return await createLibp2p({
    addresses: { listen: opts.reserve === false ? [] : ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Tests dial 127.0.0.1; nothing else is reachable from them anyway.
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify() }
  })
}

/** The client's circuit addresses through the relay (present once a reservation is held). */
export function circuitAddrs (client: Libp2p): string[] {
  return client.getMultiaddrs().map(String).filter((a) => a.includes('/p2p-circuit'))
}

/** Dials the relay and resolves once the client holds a reservation, or rejects after `ms`. */
export async function reserveOn (client: Libp2p, relayAddr: string, ms = 10_000): Promise<string[]> {
  const got = new Promise<string[]>((resolve, reject) => {
    const check = (): boolean => {
      const addrs = circuitAddrs(client)
      if (addrs.length === 0) return false
      client.removeEventListener('self:peer:update', onUpdate)
      clearTimeout(timer)
      resolve(addrs)
      return true
    }
    const onUpdate = (): void => { check() }
    const timer = setTimeout(() => {
      client.removeEventListener('self:peer:update', onUpdate)
      reject(new Error(`no reservation on ${relayAddr} within ${ms} ms`))
    }, ms)
    client.addEventListener('self:peer:update', onUpdate)
    check()
  })
  await client.dial(multiaddr(relayAddr))
  return await got
}
