// The words and data-phase of the node status badge, and the peer row sentence.
import { describe, expect, it } from 'vitest'
import type { NodeStatus, PeerStatus } from '../../../../src/worker/api'
import { connectedPeerCount, peerText, shortId, statusView } from '../../../../src/ui/lib/status-view'

const base: NodeStatus = { phase: 'running', userId: 'u', name: 'Ann', peerId: 'p', addrs: [], relays: [], peers: [] }
const relay = (state: 'connecting' | 'connected' | 'reserved' | 'down', error?: string) =>
  error === undefined ? { addr: `/ip4/127.0.0.1/tcp/1/ws/p2p/R${state}`, state } : { addr: `/ip4/127.0.0.1/tcp/1/ws/p2p/R${state}`, state, error }

describe('statusView', () => {
  it('says starting before the first status', () => {
    expect(statusView(undefined, true)).toMatchObject({ phase: 'starting', text: 'starting' })
  })

  it('follows the best relay state: connecting → connected → reserved', () => {
    expect(statusView({ ...base, relays: [relay('connecting')] }, true)).toMatchObject({ phase: 'connecting', text: 'connecting to relay' })
    expect(statusView({ ...base, relays: [relay('down'), relay('connected')] }, true)).toMatchObject({ phase: 'connected', text: 'relay connected' })
    expect(statusView({ ...base, relays: [relay('connected'), relay('reserved')] }, true)).toMatchObject({ phase: 'reserved', text: 'reservation held', tone: 'ok' })
  })

  it('says offline with the reason when every relay is down', () => {
    const v = statusView({ ...base, relays: [relay('down', 'connection refused')] }, true)
    expect(v).toMatchObject({ phase: 'offline', text: 'offline' })
    expect(v.detail).toContain('connection refused')
    expect(v.detail).toContain('Retrying')
  })

  it('says offline when the browser is offline, whatever the node reports', () => {
    expect(statusView({ ...base, relays: [relay('reserved')] }, false)).toMatchObject({ phase: 'offline' })
  })

  it('reports a failed or stopped node', () => {
    expect(statusView({ ...base, phase: 'failed', error: 'store is stale' }, true)).toMatchObject({ phase: 'failed', detail: 'store is stale', tone: 'bad' })
    expect(statusView({ ...base, phase: 'stopped' }, true)).toMatchObject({ phase: 'stopped' })
  })

  it('starting with no relay yet is starting; running with none is offline', () => {
    expect(statusView({ ...base, phase: 'starting' }, true).phase).toBe('starting')
    expect(statusView(base, true).phase).toBe('offline')
  })
})

describe('peer text', () => {
  const peer: PeerStatus = { peerId: '12D3KooWabcdefghijklmnop', name: 'Bob', link: 'direct', hello: 'verified' }
  it('names a verified peer and the link kind', () => {
    expect(peerText(peer)).toBe('connected to Bob · direct')
    expect(peerText({ ...peer, link: 'relayed' })).toBe('connected to Bob · relayed')
  })
  it('says pending and failed hellos, with the cause', () => {
    expect(peerText({ ...peer, hello: 'pending', name: undefined })).toContain('saying hello to 12D3Ko…klmnop')
    expect(peerText({ ...peer, hello: 'failed', error: 'invalid signature' })).toBe('hello to Bob failed: invalid signature · direct')
  })
  it('counts only linked peers', () => {
    expect(connectedPeerCount(undefined)).toBe(0)
    expect(connectedPeerCount({ ...base, peers: [peer, { ...peer, peerId: 'x', link: 'none' }, { ...peer, peerId: 'y', link: 'relayed' }] })).toBe(2)
  })
  it('shortens long ids only', () => {
    expect(shortId('short')).toBe('short')
    expect(shortId('abcdefghijklmnopqrstuvwxyz')).toBe('abcdef…uvwxyz')
  })
})
