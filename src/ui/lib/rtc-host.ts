// Page half of the RTC bridge. RTCPeerConnection exists only on the main thread, so the wallet worker's
// stand-ins (src/worker/rtc-bridge) ask this host to create and drive the real peer connections and data
// channels; events and data flow back over the same MessagePort, with ArrayBuffers transferred.
// Every command is validated on receipt; anything malformed is dropped. This file is in the page bundle:
// it imports only the protocol (valibot), nothing from libp2p.
import type { BridgeError, BridgeEvent, BridgePort, CallCommand, Command, CommandOf, DataChannelInit, SessionDescription } from '../../worker/rtc-bridge/protocol'
import { parseCommand, RTC_BRIDGE_VERSION, toBridgeError } from '../../worker/rtc-bridge/protocol'

/** The MessagePort subset the host needs: the same as the worker half's. */
export type HostPort = BridgePort

export interface RtcHostOptions {
  /** The RTCPeerConnection constructor (default: the page's). Tests pass a fake. */
  RTCPeerConnection?: new (config?: RTCConfiguration) => RTCPeerConnection
  /** Told about every command that failed validation (it is ignored either way). */
  onDropped?: (data: unknown) => void
}

export interface RtcHostStats {
  peers: number
  channels: number
  dropped: number
  closed: boolean
}

export interface RtcHost {
  /** Resolves when the worker half said hello. */
  readonly ready: Promise<void>
  stats (): RtcHostStats
  /** Closes every real peer connection and stops listening (the worker is gone or going). */
  close (): void
}

interface Peer {
  pc: RTCPeerConnection
  /** The last state snapshot sent, so an unchanged one is not sent again. */
  last: string
  channels: Set<string>
}

interface Channel {
  dc: RTCDataChannel
  pc: number
}

export function serveRtcBridge (port: HostPort, options: RtcHostOptions = {}): RtcHost {
  const PeerConnection = options.RTCPeerConnection ?? globalThis.RTCPeerConnection
  const peers = new Map<number, Peer>()
  const channels = new Map<string, Channel>()
  /** Why a peer connection could not be created: its calls are refused with that error. */
  const unborn = new Map<number, BridgeError>()
  let nextRemoteChannel = 0
  let dropped = 0
  let closed = false
  // Not Promise.withResolvers: the page must load (and explain itself) in browsers that lack it.
  let helloed: () => void = () => {}
  const ready = new Promise<void>(resolve => { helloed = resolve })

  const post = (event: BridgeEvent, transfer: Transferable[] = []): void => {
    if (!closed) port.postMessage(event, transfer)
  }

  const snapshot = (key: number, peer: Peer): void => {
    const { pc } = peer
    const event: BridgeEvent = {
      t: 'pc.state',
      pc: key,
      connectionState: pc.connectionState,
      iceConnectionState: pc.iceConnectionState,
      iceGatheringState: pc.iceGatheringState,
      signalingState: pc.signalingState,
      localDescription: describe(pc.localDescription),
      remoteDescription: describe(pc.remoteDescription)
    }
    const text = JSON.stringify(event)
    if (text === peer.last) return
    peer.last = text
    post(event)
  }

  // Handlers are attached in the same task that created the channel, so no event (not even an early
  // message, which Chromium can deliver before 'open') is missed.
  const wireChannel = (key: string, dc: RTCDataChannel, pcKey: number): void => {
    dc.binaryType = 'arraybuffer'
    channels.set(key, { dc, pc: pcKey })
    peers.get(pcKey)?.channels.add(key)
    dc.onopen = () => { post({ t: 'dc.open', dc: key, id: dc.id }) }
    dc.onmessage = (e: MessageEvent) => {
      const data: unknown = e.data
      if (typeof data === 'string') post({ t: 'dc.message', dc: key, data })
      else if (data instanceof ArrayBuffer) post({ t: 'dc.message', dc: key, data }, [data])
    }
    dc.onbufferedamountlow = () => { post({ t: 'dc.bufferedamountlow', dc: key, bufferedAmount: dc.bufferedAmount }) }
    dc.onclosing = () => { post({ t: 'dc.closing', dc: key }) }
    dc.onclose = () => {
      forgetChannel(key)
      post({ t: 'dc.close', dc: key })
    }
    dc.onerror = (e: Event) => { post({ t: 'dc.error', dc: key, error: toBridgeError((e as Event & { error?: unknown }).error ?? e) }) }
  }

  const unwireChannel = (dc: RTCDataChannel): void => {
    dc.onopen = dc.onmessage = dc.onbufferedamountlow = dc.onclosing = dc.onclose = dc.onerror = null
  }

  const forgetChannel = (key: string): void => {
    const channel = channels.get(key)
    if (channel === undefined) return
    channels.delete(key)
    peers.get(channel.pc)?.channels.delete(key)
  }

  const createPeer = (command: CommandOf<'pc.create'>): void => {
    if (peers.has(command.pc)) return
    let pc: RTCPeerConnection
    try {
      pc = new PeerConnection(toRtcConfiguration(command.config))
    } catch (err) {
      // The real constructor threw (say, a bad ICE server URL). The worker's stand-in already exists, so
      // it learns through a failed state, and every call it makes is refused with the real error.
      unborn.set(command.pc, errorOf(err))
      // The stand-in never sends pc.close for these; keep only the latest few.
      if (unborn.size > 64) unborn.delete(unborn.keys().next().value as number)
      post({ t: 'pc.state', pc: command.pc, connectionState: 'failed', iceConnectionState: 'failed', iceGatheringState: 'new', signalingState: 'closed', localDescription: null, remoteDescription: null })
      return
    }
    const key = command.pc
    const peer: Peer = { pc, last: '', channels: new Set() }
    peers.set(key, peer)
    const sync = (): void => { snapshot(key, peer) }
    pc.onconnectionstatechange = sync
    pc.oniceconnectionstatechange = sync
    pc.onicegatheringstatechange = sync
    pc.onsignalingstatechange = sync
    pc.onicecandidate = (e) => { post({ t: 'pc.icecandidate', pc: key, candidate: e.candidate === null ? null : candidateJson(e.candidate) }) }
    pc.onicecandidateerror = (e) => {
      post({
        t: 'pc.icecandidateerror',
        pc: key,
        errorCode: e.errorCode,
        errorText: e.errorText.slice(0, 1000),
        url: e.url.slice(0, 1000),
        address: e.address?.slice(0, 200) ?? null,
        port: e.port ?? null
      })
    }
    pc.ondatachannel = (e) => {
      const dc = e.channel
      const dcKey = `m${++nextRemoteChannel}`
      // Announce before wiring so the worker knows the channel before its first event.
      post({
        t: 'pc.datachannel',
        pc: key,
        dc: dcKey,
        label: dc.label,
        protocol: dc.protocol,
        id: dc.id,
        ordered: dc.ordered,
        negotiated: dc.negotiated,
        maxPacketLifeTime: dc.maxPacketLifeTime,
        maxRetransmits: dc.maxRetransmits,
        readyState: dc.readyState
      })
      wireChannel(dcKey, dc, key)
    }
  }

  const closePeer = (key: number): void => {
    unborn.delete(key)
    const peer = peers.get(key)
    if (peer === undefined) return
    peers.delete(key)
    for (const dcKey of peer.channels) {
      const channel = channels.get(dcKey)
      if (channel !== undefined) unwireChannel(channel.dc)
      channels.delete(dcKey)
    }
    const { pc } = peer
    pc.onconnectionstatechange = pc.oniceconnectionstatechange = pc.onicegatheringstatechange = pc.onsignalingstatechange = null
    pc.onicecandidate = null
    pc.onicecandidateerror = null
    pc.ondatachannel = null
    pc.close()
  }

  const runCall = async (command: CallCommand): Promise<void> => {
    const peer = peers.get(command.pc)
    if (peer === undefined) {
      post({ t: 'reply', call: command.call, ok: false, error: unborn.get(command.pc) ?? { name: 'InvalidStateError', message: 'no such RTCPeerConnection (it was closed)' } })
      return
    }
    const { pc } = peer
    let description: SessionDescription | undefined
    try {
      switch (command.op) {
        case 'createOffer': description = describe(await pc.createOffer()) ?? undefined; break
        case 'createAnswer': description = describe(await pc.createAnswer()) ?? undefined; break
        case 'setLocalDescription': await pc.setLocalDescription(command.description); break
        case 'setRemoteDescription': await pc.setRemoteDescription(command.description); break
        case 'addIceCandidate': await pc.addIceCandidate(command.candidate ?? undefined); break
      }
    } catch (err) {
      if (peers.get(command.pc) === peer) snapshot(command.pc, peer)
      post({ t: 'reply', call: command.call, ok: false, error: errorOf(err) })
      return
    }
    // State first, then the reply: the worker sees signalingState updated when its promise resolves.
    if (peers.get(command.pc) === peer) snapshot(command.pc, peer)
    post(description === undefined ? { t: 'reply', call: command.call, ok: true } : { t: 'reply', call: command.call, ok: true, description })
  }

  const createChannel = (command: CommandOf<'dc.create'>): void => {
    const peer = peers.get(command.pc)
    if (peer === undefined || channels.has(command.dc) || !command.dc.startsWith('w')) {
      post({ t: 'dc.close', dc: command.dc })
      return
    }
    let dc: RTCDataChannel
    try {
      dc = peer.pc.createDataChannel(command.label, toChannelInit(command.init))
    } catch (err) {
      post({ t: 'dc.error', dc: command.dc, error: errorOf(err) })
      post({ t: 'dc.close', dc: command.dc })
      return
    }
    wireChannel(command.dc, dc, command.pc)
    post({ t: 'dc.created', dc: command.dc, id: dc.id, readyState: dc.readyState })
  }

  const send = (command: CommandOf<'dc.send'>): void => {
    const channel = channels.get(command.dc)
    if (channel === undefined) {
      // Acknowledge anyway so the worker's bufferedAmount does not stay inflated, then tell it the truth.
      post({ t: 'dc.buffered', dc: command.dc, acked: command.bytes, bufferedAmount: 0 })
      post({ t: 'dc.close', dc: command.dc })
      return
    }
    const { dc } = channel
    let failure: BridgeError | undefined
    // A channel that is closing here but not yet there drops the data, as a closing channel would.
    if (dc.readyState === 'open') {
      try {
        if (typeof command.data === 'string') dc.send(command.data)
        else dc.send(command.data)
      } catch (err) {
        failure = errorOf(err)
      }
    }
    post({ t: 'dc.buffered', dc: command.dc, acked: command.bytes, bufferedAmount: dc.bufferedAmount })
    if (failure !== undefined) post({ t: 'dc.error', dc: command.dc, error: failure })
  }

  const handle = (command: Command): void => {
    switch (command.t) {
      case 'hello':
        if (command.version !== RTC_BRIDGE_VERSION) console.warn(`rtc bridge: worker speaks version ${command.version}, page ${RTC_BRIDGE_VERSION}`)
        post({ t: 'hello', version: RTC_BRIDGE_VERSION })
        helloed()
        return
      case 'pc.create': createPeer(command); return
      case 'pc.call': void runCall(command); return
      case 'pc.close': closePeer(command.pc); return
      case 'dc.create': createChannel(command); return
      case 'dc.send': send(command); return
      case 'dc.threshold': {
        const channel = channels.get(command.dc)
        if (channel === undefined) return
        channel.dc.bufferedAmountLowThreshold = command.value
        // A fresh figure: the worker's may be stale by up to the old threshold (no event reports a
        // drain that never crossed it), and a caller waiting on the new threshold needs the truth.
        post({ t: 'dc.buffered', dc: command.dc, acked: 0, bufferedAmount: channel.dc.bufferedAmount })
        return
      }
      case 'dc.close': {
        const channel = channels.get(command.dc)
        if (channel === undefined) post({ t: 'dc.close', dc: command.dc })
        else channel.dc.close()
      }
    }
  }

  const onMessage = (event: MessageEvent): void => {
    const command = parseCommand(event.data)
    if (command === undefined) {
      dropped++
      options.onDropped?.(event.data)
      return
    }
    handle(command)
  }

  const close = (): void => {
    if (closed) return
    for (const key of [...peers.keys()]) closePeer(key)
    unborn.clear()
    closed = true
    port.removeEventListener('message', onMessage)
    port.removeEventListener('close', close)
    port.close?.()
  }

  port.addEventListener('message', onMessage)
  // Fired where supported (Node; recent Chromium) when the worker's end goes away.
  port.addEventListener('close', close)
  port.start?.()

  return {
    ready,
    stats: () => ({ peers: peers.size, channels: channels.size, dropped, closed }),
    close
  }
}

function describe (d: RTCSessionDescriptionInit | RTCSessionDescription | null): SessionDescription | null {
  if (d === null) return null
  return d.sdp === undefined ? { type: d.type } : { type: d.type, sdp: d.sdp }
}

function candidateJson (c: RTCIceCandidate): { candidate: string, sdpMid: string | null, sdpMLineIndex: number | null, usernameFragment: string | null } {
  const json = c.toJSON()
  return {
    candidate: json.candidate ?? '',
    sdpMid: json.sdpMid ?? null,
    sdpMLineIndex: json.sdpMLineIndex ?? null,
    usernameFragment: json.usernameFragment ?? null
  }
}

function errorOf (err: unknown): BridgeError {
  return toBridgeError(err)
}

function toRtcConfiguration (config: CommandOf<'pc.create'>['config']): RTCConfiguration {
  const out: RTCConfiguration = {}
  if (config.iceServers !== undefined) out.iceServers = config.iceServers.map(s => ({ ...s }))
  if (config.iceTransportPolicy !== undefined) out.iceTransportPolicy = config.iceTransportPolicy
  if (config.bundlePolicy !== undefined) out.bundlePolicy = config.bundlePolicy
  if (config.rtcpMuxPolicy !== undefined) out.rtcpMuxPolicy = config.rtcpMuxPolicy
  if (config.iceCandidatePoolSize !== undefined) out.iceCandidatePoolSize = config.iceCandidatePoolSize
  return out
}

function toChannelInit (init: DataChannelInit): RTCDataChannelInit {
  return { ...init }
}
