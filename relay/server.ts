// startRelay(): the whole relay on one port — the built app, the relay's JSON document and the libp2p
// WebSocket listener (circuit relay v2). Importable by tests, the e2e harness and the CLI.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIPv6 } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { getThinWaistAddresses } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { resolveConfig, type RelayConfig, type RelayOptions } from './config'
import { buildRelayDocument, RELAY_DOCUMENT_PATH, type RelayDocument } from './document'
import { staticApp, REVALIDATE } from './http/static-app'
import { wsBridge } from './http/ws-bridge'
import { loadOrCreateKey } from './identity'
import { errorFields, jsonLogger } from './log'
import { createRelayNode, freeLoopbackPort, INTERNAL_HOST, type RelayNode } from './p2p/node'
import { observer, type RelayStats } from './p2p/observe'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Logger } from '../src/node/ports'

export type { RelayConfig, RelayOptions, RelayLimits, IceServer } from './config'
export type { RelayDocument } from './document'
export type { RelayStats } from './p2p/observe'

export interface StartRelayOptions extends RelayOptions {
  /** Where structured logs go; default: JSON lines on stderr at config.logLevel. */
  logger?: Logger
}

export interface RelayHandle {
  /** The app's URL, e.g. http://127.0.0.1:8080/ (a wildcard bind shows as loopback). */
  readonly url: string
  /** libp2p addresses wallets dial, each ending in /p2p/<peerId>. */
  readonly multiaddrs: string[]
  readonly peerId: string
  /** The bound port (useful with port 0). */
  readonly port: number
  readonly config: RelayConfig
  /** Whether the app's dist directory was found (the relay runs either way). */
  readonly appServed: boolean
  /** What /.well-known/mychips-relay.json serves. */
  document (): RelayDocument
  stats (): RelayStats
  /** Graceful: stop accepting, close connections, stop libp2p, close the HTTP server. Idempotent. */
  stop (): Promise<void>
}

const STOP_GRACE_MS = 5000
const PIPE_HEADROOM = 256

export async function startRelay (options: StartRelayOptions = {}): Promise<RelayHandle> {
  const config = resolveConfig(options)
  const log = options.logger ?? jsonLogger({ level: config.logLevel })

  const loaded = config.keyFile != null ? await loadOrCreateKey(config.keyFile) : null
  const privateKey = loaded?.privateKey ?? await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(privateKey).toString()
  if (loaded?.created === true) log.log('info', 'identity.created', { keyFile: config.keyFile, peerId })
  if (loaded?.exposed === true) log.log('warn', 'identity.exposed', { keyFile: config.keyFile, hint: 'chmod 600 the key file' })

  const app = staticApp(config.dist)
  if (!app.built && config.dist != null) log.log('warn', 'app.missing', { dist: config.dist, hint: 'run `npm run build` to serve the wallet app; relaying works without it' })

  let node: RelayNode | undefined
  let internalPort: number | undefined
  let doc: RelayDocument | undefined
  const bridge = wsBridge({
    target: () => (node != null && internalPort != null ? { host: INTERNAL_HOST, port: internalPort } : null),
    // libp2p refuses past maxConnections anyway; the margin covers connections still in their handshake.
    maxPipes: config.limits.maxConnections + PIPE_HEADROOM,
    log
  })
  let warnedAnnounce = false
  const obs = observer({ log, clientFor: (p) => bridge.clientFor(p) })

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 15_000 }, (req, res) => {
    try {
      handleRequest(req, res)
    } catch (err) {
      log.log('error', 'http.error', { url: req.url, ...errorFields(err) })
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end('Internal error\n')
    }
  })
  server.on('upgrade', (req, socket, head) => { bridge.handleUpgrade(req, socket, head) })
  server.on('clientError', (_err, socket) => { socket.destroy() })

  function handleRequest (req: IncomingMessage, res: ServerResponse): void {
    let pathname: string
    try { pathname = new URL(req.url ?? '/', 'http://relay.invalid').pathname } catch { pathname = '/' }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' })
      res.end('Method not allowed\n')
      return
    }
    if (pathname === RELAY_DOCUMENT_PATH) {
      if (!warnedAnnounce && config.announce.length === 0 && req.headers['x-forwarded-proto'] === 'https') {
        // Served through a TLS proxy, but advertising ws:// addresses an https page may not open.
        warnedAnnounce = true
        log.log('warn', 'announce.missing', { host: req.headers.host, hint: 'behind a TLS proxy, pass --announce /dns4/<host>/tcp/443/tls/ws so wallets dial wss://' })
      }
      const body = JSON.stringify(doc ?? null)
      res.writeHead(doc == null ? 503 : 200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': REVALIDATE,
        // Public information; an app served from another origin may read it to use this relay.
        'Access-Control-Allow-Origin': '*',
        'X-Content-Type-Options': 'nosniff'
      })
      res.end(req.method === 'HEAD' ? undefined : body)
      return
    }
    if (pathname === '/healthz') {
      res.writeHead(doc == null ? 503 : 200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' })
      res.end(doc == null ? 'starting\n' : 'ok\n')
      return
    }
    app.handle(req, res, pathname)
  }

  try {
    await listen(server, config.host, config.port)
    const port = boundPort(server)
    const announce = config.announce.length > 0 ? config.announce : publicWsAddrs(config.host, port)
    node = await startNode({ privateKey, announce, config, onReservationRequest: obs.onReservationRequest, onPort: (p) => { internalPort = p } })
    obs.attach(node)
    const multiaddrs = node.getMultiaddrs().map(String)
    doc = buildRelayDocument({ peerId, multiaddrs, iceServers: config.iceServers, limits: config.limits })

    const url = appUrl(config.host, port)
    const statsTimer = setInterval(() => { log.log('info', 'relay.stats', { ...obs.stats(), pipes: bridge.openPipes }) }, 5 * 60_000)
    statsTimer.unref()
    log.log('info', 'relay.started', { url, peerId, multiaddrs: doc.multiaddrs, app: app.built ? app.dir : null, limits: config.limits, iceServers: config.iceServers.map((s) => s.urls) })

    let stopping: Promise<void> | undefined
    const started = node
    const handle: RelayHandle = {
      url,
      multiaddrs: doc.multiaddrs,
      peerId,
      port,
      config,
      appServed: app.built,
      document: () => structuredClone(doc as RelayDocument),
      stats: () => obs.stats(),
      stop: () => {
        stopping ??= (async () => {
          log.log('info', 'relay.stopping', {})
          clearInterval(statsTimer)
          bridge.stopAccepting()
          const closed = closeServer(server)
          server.closeIdleConnections()
          await withTimeout(Promise.resolve(started.stop()), STOP_GRACE_MS).catch((err: unknown) => { log.log('error', 'relay.stop_error', errorFields(err)) })
          obs.detach()
          bridge.destroyAll()
          server.closeAllConnections()
          await closed
          log.log('info', 'relay.stopped', {})
        })()
        return stopping
      }
    }
    return handle
  } catch (err) {
    bridge.stopAccepting()
    await Promise.resolve(node?.stop()).catch(() => {})
    bridge.destroyAll()
    server.closeAllConnections()
    if (server.listening) await closeServer(server)
    throw err
  }
}

async function startNode (args: {
  privateKey: PrivateKey
  announce: string[]
  config: RelayConfig
  onReservationRequest: (peer: PeerId) => void
  onPort: (port: number) => void
}): Promise<RelayNode> {
  // The internal port is picked, released and then bound by libp2p; retry if something took it meanwhile.
  for (let attempt = 1; ; attempt++) {
    const internalPort = await freeLoopbackPort()
    try {
      const node = await createRelayNode({
        privateKey: args.privateKey,
        internalPort,
        announce: args.announce,
        limits: args.config.limits,
        onReservationRequest: args.onReservationRequest
      })
      args.onPort(internalPort)
      return node
    } catch (err) {
      if (attempt >= 3 || !String((err as Error).message).includes('EADDRINUSE')) throw err
    }
  }
}

async function listen (server: Server, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => { reject(err) }
    server.once('error', onError)
    server.listen({ host, port, ipv6Only: false }, () => { server.off('error', onError); resolve() })
  })
}

function boundPort (server: Server): number {
  const addr = server.address()
  if (addr == null || typeof addr === 'string') throw new Error('HTTP server has no TCP address')
  return addr.port
}

async function closeServer (server: Server): Promise<void> {
  await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
}

/** The bound address as WebSocket multiaddrs; a wildcard bind expands to every interface address. */
export function publicWsAddrs (host: string, port: number): string[] {
  const base = multiaddr(`/${isIPv6(host) ? 'ip6' : 'ip4'}/${host}/tcp/${port}`)
  return getThinWaistAddresses(base, port).map((ma) => ma.encapsulate('/ws').toString())
}

/** The URL to open: a wildcard bind is shown as loopback, IPv6 in brackets. */
export function appUrl (host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return `http://${isIPv6(shown) ? `[${shown}]` : shown}:${port}/`
}

async function withTimeout<T> (p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`timed out after ${ms} ms`)) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}
