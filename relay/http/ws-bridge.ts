// One public port for the app and for libp2p. @libp2p/websockets 10 always creates its own HTTP
// server on its own TCP port (WebSocketsInit takes only http.ServerOptions, and its listener answers
// every plain HTTP request with 400), so it cannot share our server. Instead the public server takes
// WebSocket upgrade requests and pipes each one, byte for byte, to the libp2p listener on an internal
// loopback port. libp2p then does the WebSocket handshake itself; the pipe only copies bytes.
// The cost: libp2p sees every client as 127.0.0.1, so we remember which pipe carries which client
// (by the pipe's local port) for the logs.
import { connect, type Socket } from 'node:net'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from '../../src/node/ports'
import { errorFields } from '../log'

export interface ClientInfo {
  /** The TCP peer of the public socket (a reverse proxy's address when behind one). */
  ip: string
  /** The first X-Forwarded-For entry, when a proxy sent one (informational; never trusted for policy). */
  forwardedFor?: string
}

export interface WsBridge {
  handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** The client behind the pipe whose loopback side has this local port (what libp2p sees as remote port). */
  clientFor (loopbackPort: number): ClientInfo | undefined
  readonly openPipes: number
  /** Refuse new upgrades (503) from now on. */
  stopAccepting (): void
  /** Destroys every open pipe. */
  destroyAll (): void
}

export interface WsBridgeOptions {
  /** The libp2p WebSocket listener's loopback address, or null while it is not up. */
  target: () => { host: string, port: number } | null
  /** Most pipes open at once (each is two sockets); beyond it upgrades get 503 so a flood cannot exhaust file descriptors. */
  maxPipes: number
  log: Logger
}

export function wsBridge (opts: WsBridgeOptions): WsBridge {
  const pipes = new Set<{ client: Duplex, upstream: Socket }>()
  const clients = new Map<number, ClientInfo>()
  let accepting = true

  return {
    get openPipes () { return pipes.size },
    clientFor: (port) => clients.get(port),
    stopAccepting () { accepting = false },
    destroyAll () {
      for (const p of pipes) { p.client.destroy(); p.upstream.destroy() }
      pipes.clear()
      clients.clear()
    },
    handleUpgrade (req, socket, head) {
      socket.on('error', () => { socket.destroy() })
      if (!isWebSocketUpgrade(req)) return refuse(socket, 400, 'Bad Request', 'only WebSocket upgrades are accepted')
      const target = opts.target()
      if (!accepting || target == null) return refuse(socket, 503, 'Service Unavailable', 'relay is not accepting connections')
      if (pipes.size >= opts.maxPipes) {
        opts.log.log('warn', 'ws.full', { client: req.socket.remoteAddress, pipes: pipes.size })
        return refuse(socket, 503, 'Service Unavailable', 'relay is full')
      }

      const info: ClientInfo = { ip: req.socket.remoteAddress ?? 'unknown' }
      const xff = req.headers['x-forwarded-for']
      const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim()
      if (first != null && first !== '') info.forwardedFor = first.slice(0, 64)

      const upstream = connect({ host: target.host, port: target.port })
      const pipe = { client: socket, upstream }
      pipes.add(pipe)
      let localPort: number | undefined
      const cleanup = (): void => {
        pipes.delete(pipe)
        if (localPort != null) clients.delete(localPort)
        socket.destroy()
        upstream.destroy()
      }
      upstream.setNoDelay(true)
      if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') (socket as Socket).setNoDelay(true)
      upstream.on('connect', () => {
        localPort = upstream.localPort
        if (localPort != null) clients.set(localPort, info)
      })
      upstream.on('error', (err) => {
        opts.log.log('warn', 'ws.pipe_error', { client: info.ip, ...errorFields(err) })
        cleanup()
      })
      upstream.on('close', cleanup)
      socket.on('close', cleanup)

      // Replay the upgrade request exactly as received, then copy bytes both ways.
      upstream.write(requestHead(req))
      if (head.length > 0) upstream.write(head)
      socket.pipe(upstream)
      upstream.pipe(socket)
    }
  }
}

export function isWebSocketUpgrade (req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.upgrade ?? '').toLowerCase() === 'websocket'
}

/** The request line and headers as they arrived (Node's parser already rejected CR/LF in values). */
export function requestHead (req: IncomingMessage): string {
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`
  return head + '\r\n'
}

function refuse (socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length + 1}\r\n\r\n${body}\n`)
}
