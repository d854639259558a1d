import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { isAppRoute } from '../../../relay/http/static-app'
import { isWebSocketUpgrade, requestHead } from '../../../relay/http/ws-bridge'
import { appUrl, publicWsAddrs } from '../../../relay/server'

describe('SPA routes', () => {
  it.each([
    ['/', true], ['/contacts', true], ['/contacts/abc', true], ['/index.html', false], ['/missing.js', false],
    ['/assets/x', false], ['/assets/index-1.js', false], ['/.well-known/other', false], ['/v1.2/route', true]
  ])('%s → %s', (path, expected) => { expect(isAppRoute(path)).toBe(expected) })
})

describe('WebSocket upgrade pipe', () => {
  const req = (method: string, headers: Record<string, string>, rawHeaders: string[], url = '/'): IncomingMessage =>
    ({ method, url, headers, rawHeaders }) as unknown as IncomingMessage

  it('accepts only GET with Upgrade: websocket', () => {
    expect(isWebSocketUpgrade(req('GET', { upgrade: 'WebSocket' }, []))).toBe(true)
    expect(isWebSocketUpgrade(req('GET', { upgrade: 'h2c' }, []))).toBe(false)
    expect(isWebSocketUpgrade(req('POST', { upgrade: 'websocket' }, []))).toBe(false)
    expect(isWebSocketUpgrade(req('GET', {}, []))).toBe(false)
  })

  it('replays the request line and headers exactly, in order, with their original case', () => {
    const head = requestHead(req('GET', {}, ['Host', 'relay.example', 'Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version', '13'], '/?x=1'))
    expect(head).toBe('GET /?x=1 HTTP/1.1\r\nHost: relay.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
  })
})

describe('addresses and URL', () => {
  it('a specific bind announces itself; a wildcard bind expands to interface addresses including loopback', () => {
    expect(publicWsAddrs('127.0.0.1', 8080)).toEqual(['/ip4/127.0.0.1/tcp/8080/ws'])
    expect(publicWsAddrs('::1', 8080)).toEqual(['/ip6/::1/tcp/8080/ws'])
    const all = publicWsAddrs('0.0.0.0', 8080)
    expect(all).toContain('/ip4/127.0.0.1/tcp/8080/ws')
    expect(all.every((a) => a.endsWith('/tcp/8080/ws') && !a.includes('0.0.0.0'))).toBe(true)
  })

  it('shows a URL people can open', () => {
    expect(appUrl('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080/')
    expect(appUrl('0.0.0.0', 80)).toBe('http://127.0.0.1:80/')
    expect(appUrl('::', 8080)).toBe('http://[::1]:8080/')
    expect(appUrl('192.0.2.1', 9000)).toBe('http://192.0.2.1:9000/')
  })
})

describe('upgrade refusals on a real socket', () => {
  const upgrade = async (maxPipes: number, target: { host: string, port: number } | null): Promise<{ reply: string, warns: string[] }> => {
    const { createServer } = await import('node:http')
    const { connect } = await import('node:net')
    const { wsBridge } = await import('../../../relay/http/ws-bridge')
    const warns: string[] = []
    const bridge = wsBridge({ target: () => target, maxPipes, log: { log: (level, event) => { if (level === 'warn') warns.push(event) } } })
    const server = createServer()
    server.on('upgrade', (req, socket, head) => { bridge.handleUpgrade(req, socket, head) })
    await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve) })
    const port = (server.address() as { port: number }).port
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
        })
        let data = ''
        s.on('data', (d) => { data += d.toString() })
        s.on('close', () => { resolve(data) })
        s.on('error', reject)
      })
      return { reply, warns }
    } finally {
      bridge.destroyAll()
      server.closeAllConnections()
      await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
    }
  }

  it('answers 503 while libp2p is not up', async () => {
    const { reply } = await upgrade(10, null)
    expect(reply).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/)
  })

  it('answers 503 and warns when the pipe limit is reached', async () => {
    const { reply, warns } = await upgrade(0, { host: '127.0.0.1', port: 9 })
    expect(reply).toMatch(/^HTTP\/1\.1 503/)
    expect(reply).toContain('relay is full')
    expect(warns).toEqual(['ws.full'])
  })
})
