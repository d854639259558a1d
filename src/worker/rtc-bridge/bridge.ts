// Worker half of the RTC bridge: owns the MessagePort to the page, routes validated events to the
// stand-in peer connections and channels, and correlates method calls with their replies.
// Commands issued before the port arrives are queued and flushed on connect(), so libp2p may construct
// peer connections as soon as it likes.
import type { ChannelInit } from './data-channel'
import { BridgedDataChannel } from './data-channel'
import { BridgedIceCandidate, BridgedSessionDescription } from './descriptions'
import type { BridgePort } from './protocol'
import { domError, errorFrom } from './events'
import type { BridgedPeerConnection } from './peer-connection'
import { peerConnectionClass } from './peer-connection'
import type { BridgeEvent, CallCommand, Command, SessionDescription } from './protocol'
import { parseEvent, RTC_BRIDGE_VERSION } from './protocol'

/** Distributes Omit over the call variants, so each keeps its own fields. */
type CallBody = CallCommand extends infer C ? C extends CallCommand ? Omit<C, 't' | 'pc' | 'call'> : never : never

interface PendingCall {
  pc: number
  resolve: (description: SessionDescription | undefined) => void
  reject: (err: Error) => void
}

export interface RtcBridgeStats {
  /** Open stand-in peer connections. */
  peers: number
  channels: number
  pendingCalls: number
  /** Commands waiting for the port. */
  queued: number
  /** Messages from the page that failed validation and were ignored. */
  dropped: number
  connected: boolean
  closed: boolean
}

/** The constructors the bridge installs on the worker's global scope. */
export interface RtcClasses {
  RTCPeerConnection: new (config?: RTCConfiguration) => BridgedPeerConnection
  RTCSessionDescription: typeof BridgedSessionDescription
  RTCIceCandidate: typeof BridgedIceCandidate
}

export interface RtcBridgeOptions {
  /** Told about every message that failed validation (for logs); it is ignored either way. */
  onDropped?: (data: unknown) => void
}

export class RtcBridge {
  readonly classes: RtcClasses
  /** Resolves when the page half answered the hello: the bridge works end to end. */
  readonly ready: Promise<void>

  #port: BridgePort | undefined
  #queue: Array<[Command, Transferable[]]> = []
  #closed = false
  #nextPeer = 0
  #nextCall = 0
  #nextChannel = 0
  #dropped = 0
  readonly #peers = new Map<number, BridgedPeerConnection>()
  readonly #channels = new Map<string, BridgedDataChannel>()
  readonly #owners = new Map<BridgedDataChannel, BridgedPeerConnection>()
  readonly #calls = new Map<number, PendingCall>()
  readonly #onReady: () => void
  readonly #onDropped: ((data: unknown) => void) | undefined
  readonly #onMessage = (event: MessageEvent): void => { this.#receive(event.data) }
  readonly #onPortClose = (): void => { this.close() }

  constructor (options: RtcBridgeOptions = {}) {
    this.#onDropped = options.onDropped
    const ready = Promise.withResolvers<void>()
    this.ready = ready.promise
    this.#onReady = ready.resolve
    this.classes = {
      RTCPeerConnection: peerConnectionClass(this),
      RTCSessionDescription: BridgedSessionDescription,
      RTCIceCandidate: BridgedIceCandidate
    }
  }

  /** Attaches the port to the page half and flushes queued commands. */
  connect (port: BridgePort): void {
    if (this.#closed) throw domError('InvalidStateError', 'the RTC bridge is closed')
    if (this.#port !== undefined) throw domError('InvalidStateError', 'the RTC bridge is already connected')
    this.#port = port
    port.addEventListener('message', this.#onMessage)
    port.addEventListener('close', this.#onPortClose)
    port.start?.()
    port.postMessage({ t: 'hello', version: RTC_BRIDGE_VERSION } satisfies Command, [])
    for (const [command, transfer] of this.#queue.splice(0)) port.postMessage(command, transfer)
  }

  /**
   * Ends the bridge (the page went away, or the worker shuts down): every peer connection fails, every
   * channel closes with a 'close' event and every pending call rejects, so libp2p tears its connections
   * down instead of waiting forever.
   */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue.length = 0
    for (const peer of [...this.#peers.values()]) peer.fail()
    for (const [id, call] of this.#calls) {
      this.#calls.delete(id)
      call.reject(domError('InvalidStateError', 'the RTC bridge to the page is closed'))
    }
    const port = this.#port
    if (port !== undefined) {
      port.removeEventListener('message', this.#onMessage)
      port.removeEventListener('close', this.#onPortClose)
      port.close?.()
    }
  }

  stats (): RtcBridgeStats {
    return {
      peers: this.#peers.size,
      channels: this.#channels.size,
      pendingCalls: this.#calls.size,
      queued: this.#queue.length,
      dropped: this.#dropped,
      connected: this.#port !== undefined,
      closed: this.#closed
    }
  }

  // ---- used by the stand-ins -------------------------------------------------------------------------

  /** @internal */
  post (command: Command, transfer: Transferable[] = []): void {
    if (this.#closed) return
    if (this.#port === undefined) this.#queue.push([command, transfer])
    else this.#port.postMessage(command, transfer)
  }

  /** @internal Registers a peer connection; a closed bridge gives it an already-failed life. */
  addPeer (peer: BridgedPeerConnection): number {
    const key = ++this.#nextPeer
    if (this.#closed) queueMicrotask(() => { peer.fail() })
    else this.#peers.set(key, peer)
    return key
  }

  /** @internal Unregisters a peer connection and its channels; rejects its pending calls with error(). */
  removePeer (key: number, channels: BridgedDataChannel[], error?: () => Error): void {
    this.#peers.delete(key)
    for (const channel of channels) this.#forgetChannel(channel)
    if (error === undefined) return
    for (const [id, call] of this.#calls) {
      if (call.pc !== key) continue
      this.#calls.delete(id)
      call.reject(error())
    }
  }

  /** @internal A channel this side creates ('w' keys). */
  addChannel (owner: BridgedPeerConnection, init: ChannelInit): BridgedDataChannel {
    const channel = new BridgedDataChannel(`w${++this.#nextChannel}`, this, init)
    this.#channels.set(channel.key, channel)
    this.#owners.set(channel, owner)
    return channel
  }

  /** @internal A channel the remote opened, announced by the page under its own 'm' key. */
  adoptChannel (owner: BridgedPeerConnection, key: string, init: ChannelInit): BridgedDataChannel | undefined {
    if (!key.startsWith('m') || this.#channels.has(key)) return undefined
    const channel = new BridgedDataChannel(key, this, init)
    this.#channels.set(key, channel)
    this.#owners.set(channel, owner)
    return channel
  }

  /** @internal Sends one method call and waits for the page's reply. */
  async call (pc: number, body: CallBody): Promise<SessionDescription | undefined> {
    if (this.#closed) throw domError('InvalidStateError', 'the RTC bridge to the page is closed')
    const call = ++this.#nextCall
    const pending = Promise.withResolvers<SessionDescription | undefined>()
    this.#calls.set(call, { pc, resolve: pending.resolve, reject: pending.reject })
    this.post({ t: 'pc.call', pc, call, ...body } as CallCommand)
    return await pending.promise
  }

  // ---- events from the page ----------------------------------------------------------------------------

  #receive (data: unknown): void {
    const event = parseEvent(data)
    if (event === undefined) {
      this.#dropped++
      this.#onDropped?.(data)
      return
    }
    this.#dispatch(event)
  }

  #dispatch (event: BridgeEvent): void {
    switch (event.t) {
      case 'hello':
        this.#onReady()
        return
      case 'reply': {
        const call = this.#calls.get(event.call)
        if (call === undefined) return
        this.#calls.delete(event.call)
        if (event.ok) call.resolve(event.description)
        else call.reject(errorFrom(event.error))
        return
      }
      case 'pc.state':
      case 'pc.icecandidate':
      case 'pc.icecandidateerror':
      case 'pc.datachannel':
        this.#peers.get(event.pc)?.receive(event)
        return
      default: {
        const channel = this.#channels.get(event.dc)
        if (channel === undefined) return
        if (channel.receive(event)) {
          this.#owners.get(channel)?.dropChannel(channel)
          this.#forgetChannel(channel)
        }
      }
    }
  }

  #forgetChannel (channel: BridgedDataChannel): void {
    this.#channels.delete(channel.key)
    this.#owners.delete(channel)
  }
}
