import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { buildRelayDocument, RELAY_DOCUMENT_PATH, RelayDocumentSchema } from '../../../relay/document'

const peerId = '12D3KooWADid1mMiQxNCgZ4g5W45pCMsYCR3276BNQuFwoaTDHD5'
const limits = { maxReservations: 1024, reservationTtlMs: 1_800_000, relayDurationMs: 600_000, relayDataBytes: 1_048_576 }

describe('relay document', () => {
  it('lives at the well-known path', () => {
    expect(RELAY_DOCUMENT_PATH).toBe('/.well-known/mychips-relay.json')
  })

  it('has version 1, the peer id, addresses ending in /p2p/<id> once, ICE servers and limits', () => {
    const doc = buildRelayDocument({
      peerId,
      multiaddrs: ['/dns4/relay.example/tcp/443/tls/ws', `/ip4/127.0.0.1/tcp/8080/ws/p2p/${peerId}`, '/dns4/relay.example/tcp/443/tls/ws'],
      iceServers: [{ urls: 'stun:stun.example' }, { urls: 'turn:turn.example', username: 'u', credential: 'c' }],
      limits: { ...limits, maxConnections: 5 } as typeof limits
    })
    expect(doc).toEqual({
      v: 1,
      peerId,
      multiaddrs: [`/dns4/relay.example/tcp/443/tls/ws/p2p/${peerId}`, `/ip4/127.0.0.1/tcp/8080/ws/p2p/${peerId}`],
      iceServers: [{ urls: 'stun:stun.example' }, { urls: 'turn:turn.example', username: 'u', credential: 'c' }],
      limits // only the four published limits, nothing internal
    })
    expect(v.parse(RelayDocumentSchema, JSON.parse(JSON.stringify(doc)))).toEqual(doc)
  })

  it('the schema refuses a wrong version, a bad ICE URL or a fractional limit', () => {
    const good = buildRelayDocument({ peerId, multiaddrs: [], iceServers: [], limits })
    expect(v.safeParse(RelayDocumentSchema, { ...good, v: 2 }).success).toBe(false)
    expect(v.safeParse(RelayDocumentSchema, { ...good, iceServers: [{ urls: 'http://x' }] }).success).toBe(false)
    expect(v.safeParse(RelayDocumentSchema, { ...good, limits: { ...limits, relayDataBytes: 1.5 } }).success).toBe(false)
    expect(v.safeParse(RelayDocumentSchema, { ...good, peerId: '' }).success).toBe(false)
  })
})
