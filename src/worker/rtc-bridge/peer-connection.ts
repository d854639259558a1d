// The worker's stand-in for RTCPeerConnection. Every method that the real one runs asynchronously becomes a
// 'pc.call' to the page; state, candidates and remote channels come back as events. It covers what
// @libp2p/webrtc 6 uses (private-to-private transport, muxer, stream): createOffer, createAnswer,
// setLocalDescription, setRemoteDescription, addIceCandidate, createDataChannel, close, the four state
// attributes and their change events, icecandidate(error) and datachannel.
import type { RtcBridge } from './bridge'
import type { BridgedDataChannel } from './data-channel'
import { BridgedSessionDescription, candidateInit, descriptionInit } from './descriptions'
import { BridgedIceCandidate } from './descriptions'
import { domError, eventWith, HandlerTarget } from './events'
import type { DataChannelInit, EventOf, PeerConnectionStates, RtcConfig, SessionDescription } from './protocol'

type PeerEvent = EventOf<'pc.state' | 'pc.icecandidate' | 'pc.icecandidateerror' | 'pc.datachannel'>
type Listener<E extends Event = Event> = ((this: BridgedPeerConnection, event: E) => unknown) | null

const closedError = (): Error => domError('InvalidStateError', "The RTCPeerConnection's signalingState is 'closed'.")

export class BridgedPeerConnection extends HandlerTarget {
  onconnectionstatechange: Listener = null
  oniceconnectionstatechange: Listener = null
  onicegatheringstatechange: Listener = null
  onsignalingstatechange: Listener = null
  onicecandidate: Listener<Event & { candidate: BridgedIceCandidate | null }> = null
  onicecandidateerror: Listener<Event & { errorCode: number, errorText: string, url: string, address: string | null, port: number | null }> = null
  ondatachannel: Listener<Event & { channel: BridgedDataChannel }> = null
  onnegotiationneeded: Listener = null
  /** Not forwarded: @libp2p/webrtc trickles candidates over its own signalling stream. */
  readonly canTrickleIceCandidates: boolean | null = null

  readonly #bridge: RtcBridge
  readonly #key: number
  readonly #config: RtcConfig
  #states: PeerConnectionStates = { connectionState: 'new', iceConnectionState: 'new', iceGatheringState: 'new', signalingState: 'stable' }
  #local: BridgedSessionDescription | null = null
  #remote: BridgedSessionDescription | null = null
  readonly #channels = new Set<BridgedDataChannel>()

  constructor (bridge: RtcBridge, config: RTCConfiguration = {}) {
    super()
    this.#bridge = bridge
    this.#config = cloneConfig(config)
    this.#key = bridge.addPeer(this)
    bridge.post({ t: 'pc.create', pc: this.#key, config: this.#config })
  }

  get connectionState (): RTCPeerConnectionState { return this.#states.connectionState }
  get iceConnectionState (): RTCIceConnectionState { return this.#states.iceConnectionState }
  get iceGatheringState (): RTCIceGatheringState { return this.#states.iceGatheringState }
  get signalingState (): RTCSignalingState { return this.#states.signalingState }
  get localDescription (): BridgedSessionDescription | null { return this.#local }
  get remoteDescription (): BridgedSessionDescription | null { return this.#remote }
  get currentLocalDescription (): BridgedSessionDescription | null { return this.#local }
  get currentRemoteDescription (): BridgedSessionDescription | null { return this.#remote }

  getConfiguration (): RTCConfiguration { return structuredClone(this.#config) }

  async createOffer (_options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit> {
    return await this.#describe('createOffer')
  }

  async createAnswer (_options?: RTCAnswerOptions): Promise<RTCSessionDescriptionInit> {
    return await this.#describe('createAnswer')
  }

  async setLocalDescription (description?: RTCSessionDescriptionInit): Promise<void> {
    await this.#call(description === undefined
      ? { op: 'setLocalDescription' }
      : { op: 'setLocalDescription', description: descriptionInit(description) })
  }

  async setRemoteDescription (description: RTCSessionDescriptionInit): Promise<void> {
    await this.#call({ op: 'setRemoteDescription', description: descriptionInit(description) })
  }

  async addIceCandidate (candidate?: RTCIceCandidateInit | null): Promise<void> {
    await this.#call({ op: 'addIceCandidate', candidate: candidate == null ? null : candidateInit(candidate) })
  }

  createDataChannel (label: string, init: RTCDataChannelInit = {}): BridgedDataChannel {
    if (this.#states.signalingState === 'closed') throw closedError()
    label = String(label)
    if (new TextEncoder().encode(label).byteLength > 65_535) throw new TypeError('RTCDataChannel label is longer than 65535 bytes')
    if (init.negotiated === true && init.id === undefined) throw new TypeError('RTCDataChannel: negotiated is true but no id is given')
    const options: DataChannelInit = {}
    if (init.ordered !== undefined) options.ordered = init.ordered
    if (init.maxPacketLifeTime !== undefined) options.maxPacketLifeTime = init.maxPacketLifeTime
    if (init.maxRetransmits !== undefined) options.maxRetransmits = init.maxRetransmits
    if (init.protocol !== undefined) options.protocol = init.protocol
    if (init.negotiated !== undefined) options.negotiated = init.negotiated
    if (init.id !== undefined) options.id = init.id
    const channel = this.#bridge.addChannel(this, {
      label,
      protocol: options.protocol ?? '',
      id: options.id ?? null,
      ordered: options.ordered ?? true,
      negotiated: options.negotiated ?? false,
      maxPacketLifeTime: options.maxPacketLifeTime ?? null,
      maxRetransmits: options.maxRetransmits ?? null,
      readyState: 'connecting'
    })
    this.#channels.add(channel)
    this.#bridge.post({ t: 'dc.create', pc: this.#key, dc: channel.key, label, init: options })
    return channel
  }

  /** Like the real close(): synchronous, no events; its channels close with it and without events. */
  close (): void {
    if (this.#states.signalingState === 'closed') return
    this.#states = { ...this.#states, connectionState: 'closed', iceConnectionState: 'closed', signalingState: 'closed' }
    for (const channel of this.#release(closedError)) channel.detach()
    this.#bridge.post({ t: 'pc.close', pc: this.#key })
  }

  /** Applies one event from the page (the bridge routes by peer key). */
  receive (event: PeerEvent): void {
    if (this.#states.signalingState === 'closed') return
    switch (event.t) {
      case 'pc.state': {
        const { t: _t, pc: _pc, localDescription, remoteDescription, ...states } = event
        this.#local = toDescription(localDescription)
        this.#remote = toDescription(remoteDescription)
        // Only a page that could not create the real connection reports 'closed': let go of this one.
        // Its pending calls stay pending: the page answers each with the constructor's error.
        if (states.signalingState === 'closed') for (const channel of this.#release()) channel.detach()
        this.#setStates(states)
        return
      }
      case 'pc.icecandidate': {
        let candidate: BridgedIceCandidate | null = null
        if (event.candidate !== null) {
          try { candidate = new BridgedIceCandidate(event.candidate) } catch { return }
        }
        this.emit(eventWith('icecandidate', { candidate }))
        return
      }
      case 'pc.icecandidateerror': {
        const { t: _t, pc: _pc, ...fields } = event
        this.emit(eventWith('icecandidateerror', fields))
        return
      }
      case 'pc.datachannel': {
        const { t: _t, pc: _pc, dc, ...init } = event
        const channel = this.#bridge.adoptChannel(this, dc, init)
        if (channel === undefined) return
        this.#channels.add(channel)
        this.emit(eventWith('datachannel', { channel }))
      }
    }
  }

  /** The bridge's port died: the connection failed for good; channels get 'close', libp2p tears down. */
  fail (): void {
    if (this.#states.signalingState === 'closed') return
    const channels = this.#release(() => domError('InvalidStateError', 'the RTC bridge to the page is closed'))
    for (const channel of channels) channel.fail()
    this.#setStates({ connectionState: 'failed', iceConnectionState: 'failed', iceGatheringState: this.#states.iceGatheringState, signalingState: 'closed' })
  }

  /** Forgets a channel that closed. */
  dropChannel (channel: BridgedDataChannel): void {
    this.#channels.delete(channel)
  }

  /** Unregisters this connection and its channels from the bridge, rejecting pending calls with error(). */
  #release (error?: () => Error): BridgedDataChannel[] {
    const channels = [...this.#channels]
    this.#channels.clear()
    this.#bridge.removePeer(this.#key, channels, error)
    return channels
  }

  #setStates (next: PeerConnectionStates): void {
    const prev = this.#states
    this.#states = next
    if (next.signalingState !== prev.signalingState) this.emit(new Event('signalingstatechange'))
    if (next.iceGatheringState !== prev.iceGatheringState) this.emit(new Event('icegatheringstatechange'))
    if (next.iceConnectionState !== prev.iceConnectionState) this.emit(new Event('iceconnectionstatechange'))
    if (next.connectionState !== prev.connectionState) this.emit(new Event('connectionstatechange'))
  }

  async #describe (op: 'createOffer' | 'createAnswer'): Promise<RTCSessionDescriptionInit> {
    const description = await this.#call({ op })
    if (description === undefined) throw domError('OperationError', `${op} returned no description`)
    return description.sdp === undefined ? { type: description.type } : { type: description.type, sdp: description.sdp }
  }

  async #call (body: Parameters<RtcBridge['call']>[1]): Promise<SessionDescription | undefined> {
    if (this.#states.signalingState === 'closed') throw closedError()
    return await this.#bridge.call(this.#key, body)
  }
}

function toDescription (d: SessionDescription | null | undefined): BridgedSessionDescription | null {
  return d == null ? null : new BridgedSessionDescription(d)
}

/** Keeps the clone-safe, known part of the configuration (certificates cannot cross to the page). */
function cloneConfig (config: RTCConfiguration): RtcConfig {
  const out: RtcConfig = {}
  if (config.iceServers !== undefined) {
    out.iceServers = config.iceServers.map((s) => {
      const server: NonNullable<RtcConfig['iceServers']>[number] = { urls: Array.isArray(s.urls) ? [...s.urls] : s.urls }
      if (s.username !== undefined) server.username = s.username
      if (s.credential !== undefined) server.credential = s.credential
      return server
    })
  }
  if (config.iceTransportPolicy !== undefined) out.iceTransportPolicy = config.iceTransportPolicy
  if (config.bundlePolicy !== undefined) out.bundlePolicy = config.bundlePolicy
  if (config.rtcpMuxPolicy !== undefined) out.rtcpMuxPolicy = config.rtcpMuxPolicy
  if (config.iceCandidatePoolSize !== undefined) out.iceCandidatePoolSize = config.iceCandidatePoolSize
  if (config.certificates !== undefined && config.certificates.length > 0) {
    throw domError('NotSupportedError', 'the RTC bridge cannot forward RTCCertificates to the page')
  }
  return out
}

/** The constructor installed as globalThis.RTCPeerConnection: a stand-in bound to one bridge. */
export function peerConnectionClass (bridge: RtcBridge): new (config?: RTCConfiguration) => BridgedPeerConnection {
  return class RTCPeerConnection extends BridgedPeerConnection {
    constructor (config?: RTCConfiguration) { super(bridge, config) }
    /** Only webRTCDirect needs certificates; the private-to-private transport never calls this. */
    static async generateCertificate (): Promise<never> {
      throw domError('NotSupportedError', 'RTCPeerConnection.generateCertificate is not available through the RTC bridge')
    }
  }
}
