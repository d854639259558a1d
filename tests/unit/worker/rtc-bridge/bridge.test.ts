// Both halves of the RTC bridge in Node: the worker's stand-ins ↔ real MessageChannel ↔ the page's host
// driving a fake RTCPeerConnection (fake-rtc.ts).
import { afterEach, describe, expect, it } from 'vitest'
import type { BridgedDataChannel } from '../../../../src/worker/rtc-bridge/data-channel'
import type { BridgedPeerConnection } from '../../../../src/worker/rtc-bridge/peer-connection'
import { RtcBridge } from '../../../../src/worker/rtc-bridge/bridge'
import { serveRtcBridge } from '../../../../src/ui/lib/rtc-host'
import { FakeRtc } from './fake-rtc'
import type { FakeDataChannel, FakePeerConnection } from './fake-rtc'
import type { Side } from './harness'
import { closeSides, makeSide, negotiate, settle, until } from './harness'

let open: Side[] = []
afterEach(() => { closeSides(...open); open = [] })

function pair (): { rtc: FakeRtc, a: Side, b: Side } {
  const rtc = new FakeRtc()
  const a = makeSide(rtc)
  const b = makeSide(rtc)
  open.push(a, b)
  return { rtc, a, b }
}

async function connected (): Promise<{ rtc: FakeRtc, a: Side, b: Side, pa: BridgedPeerConnection, pb: BridgedPeerConnection, init: BridgedDataChannel, remoteInit: BridgedDataChannel }> {
  const { rtc, a, b } = pair()
  const pa = new a.PC({ iceServers: [] })
  const pb = new b.PC({ iceServers: [] })
  const remote: BridgedDataChannel[] = []
  pb.ondatachannel = ({ channel }) => { remote.push(channel) }
  const { init } = await negotiate(pa, pb, a.bridge.classes.RTCIceCandidate)
  await until(() => init.readyState === 'open' && remote[0]?.readyState === 'open', 'init channel open')
  return { rtc, a, b, pa, pb, init, remoteInit: remote[0]! }
}

/** The fake (page-side) channel behind a worker-side channel, found by label and peer. */
function realChannel (rtc: FakeRtc, pcIndex: number, label: string): FakeDataChannel {
  const dc = rtc.peers[pcIndex]!.channels.find(c => c.label === label)
  if (dc === undefined) throw new Error(`no real channel ${label}`)
  return dc
}

describe('RTC bridge: handshake and signalling', () => {
  it('says hello both ways', async () => {
    const { a } = pair()
    await Promise.all([a.bridge.ready, a.host.ready])
    expect(a.bridge.stats()).toMatchObject({ connected: true, closed: false, dropped: 0 })
  })

  it('round-trips offer, answer and candidates to a connected pair, mirroring every state', async () => {
    const { rtc, a, pa, pb, init, remoteInit } = await connected()
    const real = rtc.peers[0] as FakePeerConnection
    expect(real.config).toEqual({ iceServers: [] })
    expect(pa.signalingState).toBe('stable')
    expect(pb.signalingState).toBe('stable')
    expect(pa.localDescription?.type).toBe('offer')
    expect(pa.remoteDescription?.type).toBe('answer')
    expect(pb.remoteDescription?.sdp).toBe(pa.localDescription?.sdp)
    expect(pa.iceConnectionState).toBe('connected')
    expect(pa.iceGatheringState).toBe('complete')
    // Each side's two gathered candidates crossed page → worker → (signalling) → worker → page intact.
    expect(real.added.map(c => c.candidate)).toEqual([1, 2].map(n => `candidate:${n} 1 udp 2122260223 10.99.0.${n} 5000${n} typ host`))
    expect(real.added[0]).toMatchObject({ sdpMid: '0', sdpMLineIndex: 0 })
    expect((rtc.peers[1] as FakePeerConnection).added).toHaveLength(2)
    // The 'init' channel opened on both sides with the id the page assigned.
    expect(init.label).toBe('init')
    expect(remoteInit.label).toBe('init')
    expect(init.id).toBe(realChannel(rtc, 0, 'init').id)
    expect(a.bridge.stats()).toMatchObject({ peers: 1, channels: 1, pendingCalls: 0 })
    expect(a.host.stats()).toMatchObject({ peers: 1, channels: 1 })
  })

  it('fires the state events @libp2p/webrtc listens to, through both listeners and on-handlers', async () => {
    const { a, b } = pair()
    const pa = new a.PC()
    const pb = new b.PC()
    const seen: string[] = []
    pa.addEventListener('connectionstatechange', () => { seen.push(`listener:${pa.connectionState}`) })
    pa.onconnectionstatechange = () => { seen.push(`handler:${pa.connectionState}`) }
    pa.onsignalingstatechange = () => { seen.push(`signaling:${pa.signalingState}`) }
    const errors: number[] = []
    pa.onicecandidateerror = (e) => { errors.push(e.errorCode) }
    const ends: Array<string | null> = []
    pa.addEventListener('icecandidate', (e) => { ends.push((e as Event & { candidate: { candidate: string } | null }).candidate?.candidate ?? null) })
    await negotiate(pa, pb, a.bridge.classes.RTCIceCandidate)
    expect(seen).toEqual(['signaling:have-local-offer', 'signaling:stable', 'listener:connecting', 'handler:connecting', 'listener:connected', 'handler:connected'])
    expect(errors).toEqual([701])
    expect(ends.at(-1)).toBeNull()
    expect(ends.filter(c => c !== null)).toHaveLength(2)
  })

  it('rejects a failed operation with the real error name and message', async () => {
    const { a } = pair()
    const pc = new a.PC()
    await expect(pc.setRemoteDescription({ type: 'offer', sdp: 'garbage' })).rejects.toMatchObject({ name: 'OperationError', message: 'Failed to parse SessionDescription.' })
    await expect(pc.createAnswer()).rejects.toMatchObject({ name: 'InvalidStateError' })
    await expect(pc.addIceCandidate({ candidate: 'candidate:1 1 udp 1 10.0.0.1 1 typ host', sdpMid: '0' })).rejects.toMatchObject({ name: 'InvalidStateError', message: 'The remote description was null' })
    const err = await pc.createAnswer().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DOMException)
    expect(a.bridge.stats().pendingCalls).toBe(0)
  })

  it('a peer connection the page could not create fails, and its calls carry the real constructor error', async () => {
    const { a } = pair()
    const pc = new a.PC({ iceServers: [{ urls: 'bogus:127.0.0.1' }] })
    const states: string[] = []
    pc.onconnectionstatechange = () => { states.push(pc.connectionState) }
    const offer = pc.createOffer()
    await expect(offer).rejects.toMatchObject({ name: 'SyntaxError', message: 'ICE server parse failed: bogus:127.0.0.1' })
    expect(states).toEqual(['failed'])
    expect(pc.signalingState).toBe('closed')
    await expect(pc.createOffer()).rejects.toMatchObject({ name: 'InvalidStateError' })
    expect(a.bridge.stats()).toMatchObject({ peers: 0, pendingCalls: 0 })
    expect(a.host.stats().peers).toBe(0)
    pc.close() // harmless
  })

  it('builds RTCSessionDescription and RTCIceCandidate stand-ins that serialise like the real ones', () => {
    const bridge = new RtcBridge()
    const { RTCIceCandidate, RTCSessionDescription } = bridge.classes
    expect(new RTCSessionDescription({ type: 'answer', sdp: 'x' }).toJSON()).toEqual({ type: 'answer', sdp: 'x' })
    const c = new RTCIceCandidate({ candidate: 'candidate:1', sdpMLineIndex: 0 })
    expect(c.toJSON()).toEqual({ candidate: 'candidate:1', sdpMid: null, sdpMLineIndex: 0, usernameFragment: null })
    expect(() => new RTCIceCandidate({ candidate: 'candidate:1' })).toThrow(TypeError)
    bridge.close()
  })

  it('refuses generateCertificate (webRTCDirect only) with NotSupportedError', async () => {
    const bridge = new RtcBridge()
    const PC = bridge.classes.RTCPeerConnection as unknown as { generateCertificate: () => Promise<never> }
    await expect(PC.generateCertificate()).rejects.toMatchObject({ name: 'NotSupportedError' })
    bridge.close()
  })

  it('queues commands made before the port is connected and flushes them in order', async () => {
    const rtc = new FakeRtc()
    const bridge = new RtcBridge()
    const pc = new bridge.classes.RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] })
    const offer = pc.createOffer()
    expect(bridge.stats().queued).toBe(2)
    const { port1, port2 } = new MessageChannel()
    const host = serveRtcBridge(port2, { RTCPeerConnection: rtc.RTCPeerConnection })
    bridge.connect(port1)
    await expect(offer).resolves.toMatchObject({ type: 'offer' })
    expect((rtc.peers[0] as FakePeerConnection).config).toEqual({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] })
    bridge.close(); host.close(); port1.close(); port2.close()
  })
})

describe('RTC bridge: data', () => {
  it('carries binary data both ways, transferring the buffers instead of copying them across', async () => {
    const { rtc, a, b, pa, pb } = await connected()
    const incoming: BridgedDataChannel[] = []
    pb.ondatachannel = ({ channel }) => { incoming.push(channel) }
    const ch = pa.createDataChannel('', { ordered: true })
    await until(() => ch.readyState === 'open' && incoming[0]?.readyState === 'open', 'stream channel open')
    const there = incoming[0]!
    const got: unknown[] = []
    there.onmessage = (e) => { got.push(e.data) }
    const back: unknown[] = []
    ch.addEventListener('message', (e) => { back.push((e as MessageEvent).data) })

    // A view into a larger buffer the caller keeps using: only the view's bytes go, the buffer survives.
    const big = new Uint8Array(64).map((_, i) => i)
    const view = big.subarray(8, 24)
    a.fromWorker.length = 0
    ch.send(view)
    expect(big.byteLength).toBe(64) // not detached
    const sent = a.fromWorker.find(p => (p.message as { t: string }).t === 'dc.send')!
    const buf = (sent.message as { data: ArrayBuffer }).data
    expect(sent.transfer).toEqual([buf])
    expect(buf.byteLength).toBe(0) // detached by the transfer: it moved, it was not copied
    await until(() => got.length === 1, 'message at b')
    expect(got[0]).toBeInstanceOf(ArrayBuffer)
    expect([...new Uint8Array(got[0] as ArrayBuffer)]).toEqual([...view])

    // Page → worker: the page transfers what the real channel delivered.
    b.fromPage.length = 0
    there.send(new Uint8Array([9, 8, 7]).buffer)
    await until(() => back.length === 1, 'message back at a')
    expect([...new Uint8Array(back[0] as ArrayBuffer)]).toEqual([9, 8, 7])
    const delivered = a.fromPage.filter(p => (p.message as { t: string }).t === 'dc.message')
    const last = delivered.at(-1)!
    expect(last.transfer).toHaveLength(1)
    expect((last.transfer[0] as ArrayBuffer).byteLength).toBe(0)

    // Text stays text.
    ch.send('héllo')
    await until(() => got.length === 2, 'text at b')
    expect(got[1]).toBe('héllo')
    expect(realChannel(rtc, 0, '').sent.at(-1)).toBe('héllo')
  })

  it('delivers Blobs when binaryType is blob, and refuses to send Blobs', async () => {
    const { pa, pb } = await connected()
    const incoming: BridgedDataChannel[] = []
    pb.ondatachannel = ({ channel }) => { incoming.push(channel) }
    const ch = pa.createDataChannel('blobs')
    await until(() => ch.readyState === 'open' && incoming.length === 1, 'open')
    incoming[0]!.binaryType = 'blob'
    const got: unknown[] = []
    incoming[0]!.onmessage = (e) => { got.push(e.data) }
    ch.send(new Uint8Array([1, 2, 3]))
    await until(() => got.length === 1, 'blob')
    expect(got[0]).toBeInstanceOf(Blob)
    expect([...new Uint8Array(await (got[0] as Blob).arrayBuffer())]).toEqual([1, 2, 3])
    expect(() => { ch.send(new Blob(['x'])) }).toThrow(TypeError)
  })

  it('throws InvalidStateError on send before open, like a real channel', async () => {
    const { a } = pair()
    const pc = new a.PC()
    const ch = pc.createDataChannel('early')
    expect(ch.readyState).toBe('connecting')
    expect(() => { ch.send('x') }).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
  })

  it('accounts bufferedAmount: sync growth on send, page backlog after the ack, bufferedamountlow once drained', async () => {
    const { rtc, a, pa } = await connected()
    const ch = pa.createDataChannel('bp')
    await until(() => ch.readyState === 'open', 'open')
    rtc.autoDrain = false
    const real = realChannel(rtc, 0, 'bp')
    let lows = 0
    ch.bufferedAmountLowThreshold = 0
    ch.onbufferedamountlow = () => { lows++ }
    ch.send(new Uint8Array(1000))
    ch.send(new Uint8Array(1000))
    ch.send('abc')
    expect(ch.bufferedAmount).toBe(2003) // grows synchronously, as @libp2p/webrtc reads it right after send()
    await until(() => real.sent.length === 3, 'sends reached the page')
    await settle()
    expect(real.bufferedAmount).toBe(2003)
    expect(ch.bufferedAmount).toBe(2003) // now backlog on the page's channel, as acked
    expect(lows).toBe(0)
    real.drain()
    await until(() => ch.bufferedAmount === 0, 'drained')
    expect(lows).toBe(1)

    // The threshold crosses to the page, and the event fires on crossing it, not only at zero.
    ch.bufferedAmountLowThreshold = 1500
    await settle()
    expect(real.bufferedAmountLowThreshold).toBe(1500)
    ch.send(new Uint8Array(4000))
    await until(() => real.sent.length === 4, 'send reached page')
    await settle()
    expect(lows).toBe(1)
    real.drain()
    await until(() => lows === 2, 'second low')
    // Never above the threshold, so no event: it fires on crossing, not on every report below it.
    ch.send(new Uint8Array(100))
    await until(() => real.sent.length === 5, 'small send reached page')
    real.drain()
    await settle()
    expect(lows).toBe(2)
    // The page had no event to report that drain, so the worker's view may lag, by at most the threshold.
    expect(ch.bufferedAmount).toBe(100)
    // A threshold change makes the page report afresh; the worker's view crossing it fires the event,
    // which unblocks a caller that checked bufferedAmount > 0 and then waits (drainAndClose does).
    ch.bufferedAmountLowThreshold = 0
    await until(() => ch.bufferedAmount === 0, 'fresh report')
    expect(lows).toBe(3)
    expect(a.bridge.stats().dropped).toBe(0)
  })

  it('counts in-flight bytes even when the page drains at once, and fires bufferedamountlow on the ack', async () => {
    const { rtc, pa } = await connected()
    const ch = pa.createDataChannel('fast')
    await until(() => ch.readyState === 'open', 'open')
    rtc.autoDrain = true
    const lows: number[] = []
    ch.addEventListener('bufferedamountlow', () => { lows.push(ch.bufferedAmount) })
    for (let i = 0; i < 10; i++) ch.send(new Uint8Array(16_384))
    expect(ch.bufferedAmount).toBe(163_840)
    await until(() => ch.bufferedAmount === 0, 'all acked and drained')
    expect(lows.length).toBeGreaterThanOrEqual(1)
    expect(lows.every(n => n === 0)).toBe(true)
  })

  it('surfaces a failed send on the page as an error event with the real name, and keeps the accounting right', async () => {
    const { rtc, pa } = await connected()
    const ch = pa.createDataChannel('err')
    await until(() => ch.readyState === 'open', 'open')
    const errors: Error[] = []
    ch.onerror = (e) => { errors.push(e.error) }
    rtc.failSends = true
    ch.send(new Uint8Array(10))
    await until(() => errors.length === 1, 'error event')
    expect(errors[0]).toMatchObject({ name: 'OperationError', message: 'RTCDataChannel send queue is full' })
    expect(ch.bufferedAmount).toBe(0)
  })

  it('forwards an error event raised by the real channel', async () => {
    const { rtc, pa } = await connected()
    const ch = pa.createDataChannel('err2')
    await until(() => ch.readyState === 'open', 'open')
    const errors: Error[] = []
    ch.addEventListener('error', (e) => { errors.push((e as Event & { error: Error }).error) })
    realChannel(rtc, 0, 'err2').error('OperationError', 'SCTP failure')
    await until(() => errors.length === 1, 'error')
    expect(errors[0]).toBeInstanceOf(DOMException)
    expect(errors[0]).toMatchObject({ name: 'OperationError', message: 'SCTP failure' })
  })
})

describe('RTC bridge: closing and cleanup', () => {
  it('closes a channel: closing, then close on both sides, and both halves forget it', async () => {
    const { a, b, pa, init, remoteInit } = await connected()
    const events: string[] = []
    init.onclose = () => { events.push('local close') }
    remoteInit.addEventListener('close', () => { events.push('remote close') })
    init.close()
    expect(init.readyState).toBe('closing')
    await until(() => events.length === 2, 'close events')
    expect(init.readyState).toBe('closed')
    expect(remoteInit.readyState).toBe('closed')
    expect(a.bridge.stats().channels).toBe(0)
    expect(a.host.stats().channels).toBe(0)
    expect(b.bridge.stats().channels).toBe(0)
    expect(b.host.stats().channels).toBe(0)
    expect(() => { init.send('x') }).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    expect(pa.connectionState).toBe('connected')
  })

  it('closes a peer connection: the real one closes, both halves forget it, pending calls reject', async () => {
    const { rtc, a, b, pa, init, remoteInit } = await connected()
    const ch = pa.createDataChannel('x')
    let localCloseEvents = 0
    init.onclose = () => { localCloseEvents++ }
    const pending = pa.createOffer()
    pa.close()
    await expect(pending).rejects.toMatchObject({ name: 'InvalidStateError' })
    expect(pa.connectionState).toBe('closed')
    expect(pa.signalingState).toBe('closed')
    expect(init.readyState).toBe('closed')
    expect(ch.readyState).toBe('closed')
    await expect(pa.createOffer()).rejects.toMatchObject({ name: 'InvalidStateError' })
    expect(() => pa.createDataChannel('y')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    await until(() => a.host.stats().peers === 0, 'host forgot the peer')
    expect(a.host.stats().channels).toBe(0)
    expect(a.bridge.stats()).toMatchObject({ peers: 0, channels: 0, pendingCalls: 0 })
    expect((rtc.peers[0] as FakePeerConnection).signalingState).toBe('closed')
    // The remote side hears its channel close.
    await until(() => remoteInit.readyState === 'closed', 'remote channel closed')
    expect(b.bridge.stats().channels).toBe(0)
    await settle()
    expect(localCloseEvents).toBe(0) // per spec, pc.close() closes channels without events
  })

  it('tells libp2p the connection failed when the network drops it', async () => {
    const { rtc, pa, init } = await connected()
    const states: string[] = []
    pa.addEventListener('connectionstatechange', () => { states.push(pa.connectionState) })
    let closed = false
    init.onclose = () => { closed = true }
    ;(rtc.peers[0] as FakePeerConnection).drop()
    await until(() => states.includes('failed') && closed, 'failed + channel closed')
  })

  it('when the worker side ends, every connection fails, channels close with events, calls reject', async () => {
    const { a, pa, init } = await connected()
    const states: string[] = []
    pa.onconnectionstatechange = () => { states.push(pa.connectionState) }
    let closeEvents = 0
    init.onclose = () => { closeEvents++ }
    const call = pa.createOffer()
    a.bridge.close()
    await expect(call).rejects.toMatchObject({ name: 'InvalidStateError' })
    expect(states).toEqual(['failed'])
    expect(closeEvents).toBe(1)
    expect(a.bridge.stats()).toMatchObject({ peers: 0, channels: 0, pendingCalls: 0, closed: true })
    // A peer connection made after the end fails at once instead of hanging.
    const late = new a.PC()
    await expect(late.createOffer()).rejects.toMatchObject({ name: 'InvalidStateError' })
    await settle()
    expect(late.connectionState).toBe('failed')
    // The page notices the port closing and closes the real connections.
    await until(() => a.host.stats().closed, 'host closed')
    expect(a.host.stats()).toMatchObject({ peers: 0, channels: 0 })
  })

  it('when the page side ends (worker terminated), the host closes every real connection', async () => {
    const { rtc, a, pa } = await connected()
    pa.createDataChannel('more')
    await settle()
    a.host.close()
    expect(a.host.stats()).toMatchObject({ peers: 0, channels: 0, closed: true })
    expect((rtc.peers[0] as FakePeerConnection).signalingState).toBe('closed')
    // And the worker half hears the port close (Node and recent Chromium fire 'close' on MessagePort).
    await until(() => a.bridge.stats().closed, 'bridge closed')
    expect(pa.connectionState).toBe('failed')
  })
})

describe('RTC bridge: malformed and unknown messages', () => {
  const garbage: unknown[] = [
    null, undefined, 42, 'dc.send', [], {}, { t: 'nope' },
    { t: 'pc.create', pc: -1, config: {} },
    { t: 'pc.create', pc: 1.5, config: {} },
    { t: 'pc.create', pc: 7, config: { iceServers: 'stun:x' } },
    { t: 'pc.call', pc: 1, call: 1, op: 'getStats' },
    { t: 'pc.call', pc: 1, call: 1, op: 'setRemoteDescription', description: { type: 'bogus', sdp: '' } },
    { t: 'dc.create', pc: 1, dc: '../etc', label: 'x', init: {} },
    { t: 'dc.send', dc: 'w1', data: 12, bytes: 2 },
    { t: 'dc.send', dc: 'w1', data: new Uint8Array(2), bytes: 2 },
    { t: 'dc.threshold', dc: 'w1', value: -5 },
    { t: 'dc.close' }
  ]

  it('the page host drops every malformed command, counts it, and keeps working', async () => {
    const { a, b } = pair()
    // Posted on the worker's end of the port, as a confused or hostile worker would.
    for (const g of garbage) a.workerPort.postMessage(g)
    await until(() => a.host.stats().dropped === garbage.length, 'all dropped')
    expect(a.droppedByHost).toHaveLength(garbage.length)
    expect(a.host.stats()).toMatchObject({ peers: 0, channels: 0, closed: false })
    // Still fully working afterwards.
    const pa = new a.PC()
    const pb = new b.PC()
    await negotiate(pa, pb, a.bridge.classes.RTCIceCandidate)
  })

  it('the page host answers commands for unknown peers and channels without acting on them', async () => {
    const { a } = pair()
    const seen: unknown[] = []
    a.workerPort.addEventListener('message', (e) => { seen.push(e.data) })
    a.workerPort.postMessage({ t: 'pc.call', pc: 99, call: 5000, op: 'createOffer' })
    a.workerPort.postMessage({ t: 'dc.send', dc: 'w77', data: new ArrayBuffer(4), bytes: 4 })
    a.workerPort.postMessage({ t: 'dc.close', dc: 'w78' })
    a.workerPort.postMessage({ t: 'dc.create', pc: 99, dc: 'w79', label: '', init: {} })
    a.workerPort.postMessage({ t: 'pc.close', pc: 99 })
    await until(() => seen.length >= 6, 'answers')
    expect(seen).toContainEqual({ t: 'reply', call: 5000, ok: false, error: { name: 'InvalidStateError', message: 'no such RTCPeerConnection (it was closed)' } })
    expect(seen).toContainEqual({ t: 'dc.buffered', dc: 'w77', acked: 4, bufferedAmount: 0 })
    expect(seen).toContainEqual({ t: 'dc.close', dc: 'w77' })
    expect(seen).toContainEqual({ t: 'dc.close', dc: 'w78' })
    expect(seen).toContainEqual({ t: 'dc.close', dc: 'w79' })
    expect(a.host.stats().peers).toBe(0)
  })

  it('the worker bridge drops malformed events and ignores unknown peers, channels and calls', async () => {
    const { a, b, pa, pb, init } = await connected()
    const before = a.bridge.stats()
    const junk: unknown[] = [
      null, 'x', { t: 'reply' }, { t: 'reply', call: 1, ok: 'yes' }, { t: 'dc.message', dc: 'w1', data: 5 },
      { t: 'pc.state', pc: 1, connectionState: 'exploded', iceConnectionState: 'new', iceGatheringState: 'new', signalingState: 'stable' },
      { t: 'pc.datachannel', pc: 1, dc: 'x1' }
    ]
    for (const j of junk) a.pagePort.postMessage(j)
    // Well-formed but about things that do not exist.
    a.pagePort.postMessage({ t: 'reply', call: 999_999, ok: true })
    a.pagePort.postMessage({ t: 'dc.message', dc: 'm999', data: 'stray' })
    a.pagePort.postMessage({ t: 'pc.icecandidate', pc: 999, candidate: null })
    a.pagePort.postMessage({ t: 'dc.close', dc: 'w999' })
    // A datachannel announcement may not reuse a worker-side key.
    a.pagePort.postMessage({ t: 'pc.datachannel', pc: 1, dc: init.key, label: 'evil', protocol: '', id: 1, ordered: true, negotiated: false, maxPacketLifeTime: null, maxRetransmits: null, readyState: 'open' })
    await until(() => a.bridge.stats().dropped === before.dropped + junk.length, 'dropped')
    await settle()
    expect(a.droppedByBridge).toHaveLength(junk.length)
    expect(a.bridge.stats()).toMatchObject({ peers: 1, channels: before.channels, pendingCalls: 0 })
    expect(pa.connectionState).toBe('connected')
    expect(init.readyState).toBe('open')
    // And data still flows.
    const incoming: BridgedDataChannel[] = []
    pb.ondatachannel = ({ channel }) => { incoming.push(channel) }
    const ch = pa.createDataChannel('after')
    await until(() => ch.readyState === 'open' && incoming.length === 1, 'open')
    const got: unknown[] = []
    incoming[0]!.onmessage = (e) => { got.push(e.data) }
    ch.send('still fine')
    await until(() => got.length === 1, 'delivered')
    expect(got).toEqual(['still fine'])
    expect(b.bridge.stats().dropped).toBe(0)
  })
})
