// Validation of the relay document and of relay addresses typed in settings.
import { describe, expect, it } from 'vitest'
import { parseRelayDoc, RelayDocError, relayDialAddr, validateRelayAddr, withPeerId } from '../../../../src/ui/lib/relay-doc'

const PEER = '12D3KooWRe1ayAbCdEfGhIjKlMnOpQrStUvWxYz1234567'
const good = {
  v: 1,
  peerId: PEER,
  multiaddrs: ['/ip4/127.0.0.1/tcp/8080/ws', '/dns4/relay.example/tcp/443/tls/ws'],
  iceServers: [{ urls: 'stun:stun.example:3478' }, { urls: ['turn:turn.example:3478'], username: 'u', credential: 'c' }],
  limits: { maxReservations: 1024, durationMs: 600000 }
}

describe('parseRelayDoc', () => {
  it('accepts a well-formed document (limits optional)', () => {
    expect(parseRelayDoc(good).peerId).toBe(PEER)
    const { limits: _, ...noLimits } = good
    expect(parseRelayDoc(noLimits).multiaddrs).toHaveLength(2)
  })

  it.each([
    ['wrong version', { ...good, v: 2 }, 'v'],
    ['no addresses', { ...good, multiaddrs: [] }, 'multiaddrs'],
    ['address without a slash', { ...good, multiaddrs: ['ip4/1.2.3.4/tcp/1/ws'] }, 'multiaddrs.0'],
    ['address with spaces', { ...good, multiaddrs: ['/ip4/1.2.3.4 /tcp/1/ws'] }, 'multiaddrs.0'],
    ['bad peer id', { ...good, peerId: 'not a peer id!' }, 'peerId'],
    ['ICE url of the wrong scheme', { ...good, iceServers: [{ urls: 'https://evil.example' }] }, 'iceServers.0.urls'],
    ['missing iceServers', { v: 1, peerId: PEER, multiaddrs: good.multiaddrs }, 'iceServers'],
    ['a limit that is an object', { ...good, limits: { x: { y: 1 } } }, 'limits.x']
  ])('refuses %s, naming where', (_name, doc, where) => {
    expect(() => parseRelayDoc(doc)).toThrow(RelayDocError)
    expect(() => parseRelayDoc(doc)).toThrow(`at ${where}`)
  })

  it('refuses non-objects', () => {
    for (const bad of [null, 'x', 42, []]) expect(() => parseRelayDoc(bad)).toThrow(RelayDocError)
  })
})

describe('relayDialAddr', () => {
  const doc = parseRelayDoc(good)
  it('an http page dials plain ws with the relay peer id appended', () => {
    expect(relayDialAddr(doc, false)).toBe(`/ip4/127.0.0.1/tcp/8080/ws/p2p/${PEER}`)
  })
  it('an https page dials only a TLS WebSocket address', () => {
    expect(relayDialAddr(doc, true)).toBe(`/dns4/relay.example/tcp/443/tls/ws/p2p/${PEER}`)
    expect(relayDialAddr(parseRelayDoc({ ...good, multiaddrs: ['/ip4/1.2.3.4/tcp/80/ws'] }), true)).toBeUndefined()
  })
  it('skips non-WebSocket addresses', () => {
    expect(relayDialAddr(parseRelayDoc({ ...good, multiaddrs: ['/ip4/1.2.3.4/tcp/4001'] }), false)).toBeUndefined()
  })
  it('keeps an address that already names its peer', () => {
    expect(withPeerId(`/ip4/1.2.3.4/tcp/1/ws/p2p/${PEER}`, PEER)).toBe(`/ip4/1.2.3.4/tcp/1/ws/p2p/${PEER}`)
  })
})

describe('validateRelayAddr', () => {
  it('accepts a wss multiaddr with a peer id', () => {
    expect(validateRelayAddr(` /dns4/r.example/tcp/443/tls/ws/p2p/${PEER} `)).toEqual({ ok: true, addr: `/dns4/r.example/tcp/443/tls/ws/p2p/${PEER}` })
  })
  it.each([
    ['', 'Enter a relay address'],
    ['relay.example', 'multiaddr'],
    [`/ip4/1.2.3.4/tcp/4001/p2p/${PEER}`, 'WebSockets'],
    ['/dns4/r.example/tcp/443/tls/ws', '/p2p/']
  ])('refuses %j', (input, message) => {
    const r = validateRelayAddr(input)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toContain(message)
  })
})
