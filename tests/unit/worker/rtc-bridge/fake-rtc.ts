// A small in-memory WebRTC for the page side of bridge tests: peer connections created from one FakeRtc
// find each other through their SDP, trickle fake candidates, connect once both sides hold both
// descriptions and a remote candidate, and carry data-channel messages between them. It follows the
// browser's observable behaviour where the bridge depends on it: sync createDataChannel, ids assigned on
// connect, bufferedAmount growing on send and shrinking as data drains, 'bufferedamountlow' on crossing
// the threshold, close without events on pc.close(), DOMExceptions with the real names.

type Handler = ((event: Event) => unknown) | null

class FakeTarget extends EventTarget {
  fire (event: Event): void {
    this.dispatchEvent(event)
    const handler = (this as unknown as Record<string, Handler | undefined>)[`on${event.type}`]
    if (typeof handler === 'function') handler.call(this, event)
  }
}

function withFields<T extends object> (type: string, fields: T): Event & T {
  const event = new Event(type)
  for (const [k, v] of Object.entries(fields)) Object.defineProperty(event, k, { value: v })
  return event as Event & T
}

const later = (fn: () => void): void => { setTimeout(fn, 0) }

export class FakeDataChannel extends FakeTarget {
  onopen: Handler = null
  onclose: Handler = null
  onclosing: Handler = null
  onerror: Handler = null
  onmessage: Handler = null
  onbufferedamountlow: Handler = null
  binaryType: BinaryType = 'blob'
  bufferedAmountLowThreshold = 0
  bufferedAmount = 0
  readyState: RTCDataChannelState = 'connecting'
  id: number | null = null
  peer: FakeDataChannel | undefined
  /** Every payload handed to send(), as the page received it. */
  readonly sent: Array<string | ArrayBuffer> = []
  #queue: Array<string | ArrayBuffer> = []

  constructor (readonly owner: FakePeerConnection, readonly label: string, readonly init: RTCDataChannelInit) {
    super()
  }

  get protocol (): string { return this.init.protocol ?? '' }
  get ordered (): boolean { return this.init.ordered ?? true }
  get negotiated (): boolean { return this.init.negotiated ?? false }
  get maxPacketLifeTime (): number | null { return this.init.maxPacketLifeTime ?? null }
  get maxRetransmits (): number | null { return this.init.maxRetransmits ?? null }

  send (data: string | ArrayBuffer | ArrayBufferView | Blob): void {
    if (this.readyState !== 'open') throw new DOMException(`RTCDataChannel.readyState is '${this.readyState}'`, 'InvalidStateError')
    if (this.owner.rtc.failSends) throw new DOMException('RTCDataChannel send queue is full', 'OperationError')
    let payload: string | ArrayBuffer
    if (typeof data === 'string') payload = data
    else if (data instanceof ArrayBuffer) payload = data
    else throw new TypeError('fake sends strings and ArrayBuffers only')
    this.sent.push(payload)
    const copy = typeof payload === 'string' ? payload : payload.slice(0)
    this.bufferedAmount += typeof copy === 'string' ? new TextEncoder().encode(copy).byteLength : copy.byteLength
    this.#queue.push(copy)
    if (this.owner.rtc.autoDrain) later(() => { this.drain() })
  }

  /** Moves every queued message to the peer (what the SCTP stack does over time). */
  drain (): void {
    if (this.#queue.length === 0) return
    const before = this.bufferedAmount
    for (const data of this.#queue.splice(0)) {
      this.bufferedAmount -= typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength
      const peer = this.peer
      if (peer !== undefined && peer.readyState === 'open') {
        peer.fire(new MessageEvent('message', { data }))
      }
    }
    if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
      this.fire(new Event('bufferedamountlow'))
    }
  }

  close (): void {
    if (this.readyState === 'closing' || this.readyState === 'closed') return
    this.readyState = 'closing'
    later(() => {
      this.finish()
      this.peer?.finish()
    })
  }

  open (id: number): void {
    this.id = id
    this.readyState = 'open'
    this.fire(new Event('open'))
  }

  finish (): void {
    if (this.readyState === 'closed') return
    this.readyState = 'closed'
    this.fire(new Event('close'))
  }

  error (name: string, message: string): void {
    this.fire(withFields('error', { error: new DOMException(message, name) }))
  }
}

export class FakeIceCandidate {
  constructor (readonly candidate: string, readonly sdpMid: string | null, readonly sdpMLineIndex: number | null) {}
  toJSON (): RTCIceCandidateInit {
    return { candidate: this.candidate, sdpMid: this.sdpMid, sdpMLineIndex: this.sdpMLineIndex, usernameFragment: null }
  }
}

export class FakePeerConnection extends FakeTarget {
  onconnectionstatechange: Handler = null
  oniceconnectionstatechange: Handler = null
  onicegatheringstatechange: Handler = null
  onsignalingstatechange: Handler = null
  onicecandidate: Handler = null
  onicecandidateerror: Handler = null
  ondatachannel: Handler = null

  connectionState: RTCPeerConnectionState = 'new'
  iceConnectionState: RTCIceConnectionState = 'new'
  iceGatheringState: RTCIceGatheringState = 'new'
  signalingState: RTCSignalingState = 'stable'
  localDescription: RTCSessionDescriptionInit | null = null
  remoteDescription: RTCSessionDescriptionInit | null = null
  readonly name: string
  readonly channels: FakeDataChannel[] = []
  readonly added: RTCIceCandidateInit[] = []
  remote: FakePeerConnection | undefined
  #nextId = 0

  constructor (readonly rtc: FakeRtc, readonly config: RTCConfiguration) {
    super()
    for (const server of config.iceServers ?? []) {
      for (const url of [server.urls].flat()) {
        if (!/^(stun|turns?):/.test(url)) throw new DOMException(`ICE server parse failed: ${url}`, 'SyntaxError')
      }
    }
    this.name = `pc${rtc.peers.length}`
    rtc.peers.push(this)
  }

  async createOffer (): Promise<RTCSessionDescriptionInit> {
    this.#checkOpen()
    return { type: 'offer', sdp: `v=0 fake ${this.name}` }
  }

  async createAnswer (): Promise<RTCSessionDescriptionInit> {
    this.#checkOpen()
    if (this.signalingState !== 'have-remote-offer') throw new DOMException(`createAnswer in state ${this.signalingState}`, 'InvalidStateError')
    return { type: 'answer', sdp: `v=0 fake ${this.name}` }
  }

  async setLocalDescription (d?: RTCSessionDescriptionInit): Promise<void> {
    this.#checkOpen()
    if (d === undefined) throw new DOMException('fake needs an explicit description', 'OperationError')
    this.localDescription = { type: d.type, sdp: d.sdp ?? '' }
    this.#setSignaling(d.type === 'offer' ? 'have-local-offer' : 'stable')
    later(() => { this.#gather() })
  }

  async setRemoteDescription (d: RTCSessionDescriptionInit): Promise<void> {
    this.#checkOpen()
    const match = /^v=0 fake (pc\d+)$/.exec(d.sdp ?? '')
    const remote = this.rtc.peers.find(p => p.name === match?.[1])
    if (remote === undefined) throw new DOMException('Failed to parse SessionDescription.', 'OperationError')
    this.remote = remote
    this.remoteDescription = { type: d.type, sdp: d.sdp ?? '' }
    this.#setSignaling(d.type === 'offer' ? 'have-remote-offer' : 'stable')
    this.#maybeConnect()
  }

  async addIceCandidate (c?: RTCIceCandidateInit): Promise<void> {
    this.#checkOpen()
    if (this.remoteDescription === null) throw new DOMException('The remote description was null', 'InvalidStateError')
    if (c === undefined || c.candidate === '') return
    if (!(c.candidate ?? '').startsWith('candidate:')) throw new DOMException('Error processing ICE candidate', 'OperationError')
    this.added.push(c)
    this.#maybeConnect()
  }

  createDataChannel (label: string, init: RTCDataChannelInit = {}): FakeDataChannel {
    this.#checkOpen()
    const dc = new FakeDataChannel(this, label, init)
    this.channels.push(dc)
    if (this.connectionState === 'connected') later(() => { this.#announce(dc) })
    return dc
  }

  close (): void {
    if (this.signalingState === 'closed') return
    this.signalingState = 'closed'
    this.connectionState = 'closed'
    this.iceConnectionState = 'closed'
    for (const dc of this.channels) {
      dc.readyState = 'closed'
      later(() => { dc.peer?.finish() })
    }
  }

  /** Simulates the network dropping: the connection fails and its channels close with events. */
  drop (): void {
    this.#setConnection('failed')
    for (const dc of this.channels) dc.finish()
  }

  #checkOpen (): void {
    if (this.signalingState === 'closed') throw new DOMException("The RTCPeerConnection's signalingState is 'closed'.", 'InvalidStateError')
  }

  #setSignaling (state: RTCSignalingState): void {
    if (this.signalingState === state) return
    this.signalingState = state
    this.fire(new Event('signalingstatechange'))
  }

  #setConnection (state: RTCPeerConnectionState): void {
    if (this.connectionState === state) return
    this.connectionState = state
    this.iceConnectionState = state === 'connecting' ? 'checking' : state === 'connected' ? 'connected' : this.iceConnectionState
    this.fire(new Event('iceconnectionstatechange'))
    this.fire(new Event('connectionstatechange'))
  }

  #gather (): void {
    if (this.signalingState === 'closed' || this.iceGatheringState !== 'new') return
    this.iceGatheringState = 'gathering'
    this.fire(new Event('icegatheringstatechange'))
    for (const n of [1, 2]) {
      const candidate = new FakeIceCandidate(`candidate:${n} 1 udp 2122260223 10.99.0.${n} 5000${n} typ host`, '0', 0)
      this.fire(withFields('icecandidate', { candidate }))
    }
    this.fire(withFields('icecandidateerror', { errorCode: 701, errorText: 'STUN host lookup failed', url: 'stun:example.invalid', address: null, port: null }))
    this.iceGatheringState = 'complete'
    this.fire(new Event('icegatheringstatechange'))
    this.fire(withFields('icecandidate', { candidate: null }))
  }

  #maybeConnect (): void {
    const remote = this.remote
    if (remote === undefined || this.connectionState !== 'new') return
    if (this.localDescription === null || this.remoteDescription === null || this.added.length === 0) return
    if (remote.localDescription === null || remote.remoteDescription === null || remote.added.length === 0) return
    for (const pc of [this, remote]) pc.#setConnection('connecting')
    later(() => {
      for (const pc of [this, remote]) pc.#setConnection('connected')
      for (const pc of [this, remote]) for (const dc of pc.channels) if (dc.peer === undefined) pc.#announce(dc)
    })
  }

  /** Opens a local channel: the remote side gets 'datachannel' (already open), then both get 'open'. */
  #announce (dc: FakeDataChannel): void {
    const remote = this.remote
    if (remote === undefined || dc.peer !== undefined || dc.readyState !== 'connecting') return
    const id = this.#nextId++ * 2 + (this.rtc.peers.indexOf(this) < this.rtc.peers.indexOf(remote) ? 0 : 1)
    const peer = new FakeDataChannel(remote, dc.label, dc.init)
    peer.peer = dc
    dc.peer = peer
    peer.id = id
    peer.readyState = 'open'
    remote.channels.push(peer)
    remote.fire(withFields('datachannel', { channel: peer }))
    peer.fire(new Event('open'))
    dc.open(id)
  }
}

/** One fake network: its RTCPeerConnection constructor is what the page-side host is given. */
export class FakeRtc {
  readonly peers: FakePeerConnection[] = []
  /** When false, sent data stays buffered until a test calls channel.drain(). */
  autoDrain = true
  /** When true, every send throws OperationError (a full send queue). */
  failSends = false
  readonly RTCPeerConnection: new (config?: RTCConfiguration) => RTCPeerConnection

  constructor () {
    this.RTCPeerConnection = boundPeerConnection(this)
  }
}

function boundPeerConnection (rtc: FakeRtc): new (config?: RTCConfiguration) => RTCPeerConnection {
  return class extends FakePeerConnection {
    constructor (config: RTCConfiguration = {}) { super(rtc, config) }
  } as unknown as new (config?: RTCConfiguration) => RTCPeerConnection
}
