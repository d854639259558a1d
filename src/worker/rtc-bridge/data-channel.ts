// The worker's stand-in for an RTCDataChannel whose real counterpart lives on the page.
//
// bufferedAmount is what @libp2p/webrtc reads right after send() to decide whether to wait for 'drain',
// so it must grow synchronously: it is the bytes sent but not yet handed to the real channel (`unacked`)
// plus the real channel's bufferedAmount as last reported by the page. 'bufferedamountlow' fires when
// that sum falls from above the threshold to at or below it, on whichever report makes it so. The page
// reports after every send, on every real 'bufferedamountlow' and after every threshold change; a drain
// that never crosses the threshold has no event, so between reports the worker may overstate the page's
// backlog by at most the threshold (0, as @libp2p/webrtc sets it, means exact when it matters).
import { errorFrom, eventWith, HandlerTarget, domError } from './events'
import type { Command, EventOf } from './protocol'
import { payloadBytes } from './protocol'

/** What a channel needs from its bridge: a way to send commands. */
export interface CommandSink {
  post (command: Command, transfer?: Transferable[]): void
}

export interface ChannelInit {
  label: string
  protocol: string
  id: number | null
  ordered: boolean
  negotiated: boolean
  maxPacketLifeTime: number | null
  maxRetransmits: number | null
  readyState: RTCDataChannelState
}

type ChannelEvent = EventOf<'dc.created' | 'dc.open' | 'dc.message' | 'dc.buffered' | 'dc.bufferedamountlow' | 'dc.closing' | 'dc.close' | 'dc.error'>
type Listener<E extends Event = Event> = ((this: BridgedDataChannel, event: E) => unknown) | null

export class BridgedDataChannel extends HandlerTarget {
  readonly label: string
  readonly protocol: string
  readonly ordered: boolean
  readonly negotiated: boolean
  readonly maxPacketLifeTime: number | null
  readonly maxRetransmits: number | null

  onopen: Listener = null
  onclosing: Listener = null
  onclose: Listener = null
  onerror: Listener<Event & { error: Error }> = null
  onmessage: Listener<MessageEvent> = null
  onbufferedamountlow: Listener = null

  #id: number | null
  #readyState: RTCDataChannelState
  #binaryType: BinaryType = 'arraybuffer'
  #threshold = 0
  #unacked = 0
  #remoteBuffered = 0
  #announced = false

  /** @param key the bridge's name for this channel ('w…' created here, 'm…' opened by the remote). */
  constructor (readonly key: string, private readonly sink: CommandSink, init: ChannelInit) {
    super()
    this.label = init.label
    this.protocol = init.protocol
    this.ordered = init.ordered
    this.negotiated = init.negotiated
    this.maxPacketLifeTime = init.maxPacketLifeTime
    this.maxRetransmits = init.maxRetransmits
    this.#id = init.id
    this.#readyState = init.readyState
  }

  get id (): number | null { return this.#id }
  get readyState (): RTCDataChannelState { return this.#readyState }
  get bufferedAmount (): number { return this.#unacked + this.#remoteBuffered }

  get binaryType (): BinaryType { return this.#binaryType }
  set binaryType (value: BinaryType) {
    // Like the real attribute: an unknown value is ignored. Data always crosses as ArrayBuffer.
    if (value === 'arraybuffer' || value === 'blob') this.#binaryType = value
  }

  get bufferedAmountLowThreshold (): number { return this.#threshold }
  set bufferedAmountLowThreshold (value: number) {
    const threshold = Math.max(0, Math.min(Math.trunc(Number(value)) || 0, 0xffffffff))
    this.#threshold = threshold
    this.sink.post({ t: 'dc.threshold', dc: this.key, value: threshold })
  }

  /** Copies the bytes once into a fresh buffer and transfers it: the caller keeps its own buffer intact. */
  send (data: string | ArrayBuffer | ArrayBufferView | Blob): void {
    if (this.#readyState !== 'open') {
      throw domError('InvalidStateError', `Failed to execute 'send' on 'RTCDataChannel': RTCDataChannel.readyState is not 'open' (it is '${this.#readyState}')`)
    }
    if (typeof data === 'string') {
      const bytes = payloadBytes(data)
      this.#unacked += bytes
      this.sink.post({ t: 'dc.send', dc: this.key, data, bytes })
      return
    }
    let copy: ArrayBuffer
    if (data instanceof ArrayBuffer) copy = data.slice(0)
    else if (ArrayBuffer.isView(data)) copy = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer
    else throw new TypeError('the RTC bridge sends strings, ArrayBuffers and ArrayBufferViews, not Blobs')
    this.#unacked += copy.byteLength
    this.sink.post({ t: 'dc.send', dc: this.key, data: copy, bytes: copy.byteLength }, [copy])
  }

  close (): void {
    if (this.#readyState === 'closing' || this.#readyState === 'closed') return
    this.#readyState = 'closing'
    this.sink.post({ t: 'dc.close', dc: this.key })
  }

  /** Applies one event from the page. Returns true once the channel is closed and can be forgotten. */
  receive (event: ChannelEvent): boolean {
    switch (event.t) {
      case 'dc.created':
        this.#id = event.id ?? this.#id
        return false
      case 'dc.open':
        // A remote channel arrives already 'open' and still gets its one 'open' event, as in the spec.
        if (this.#announced || this.#readyState === 'closing' || this.#readyState === 'closed') return false
        this.#announced = true
        this.#id = event.id ?? this.#id
        this.#readyState = 'open'
        this.emit(new Event('open'))
        return false
      case 'dc.message': {
        if (this.#readyState === 'closed') return false
        const data = typeof event.data === 'string' || this.#binaryType === 'arraybuffer' ? event.data : new Blob([event.data])
        this.emit(new MessageEvent('message', { data }))
        return false
      }
      case 'dc.buffered':
        this.#updateBuffered(() => {
          this.#unacked = Math.max(0, this.#unacked - event.acked)
          this.#remoteBuffered = event.bufferedAmount
        })
        return false
      case 'dc.bufferedamountlow':
        this.#updateBuffered(() => { this.#remoteBuffered = event.bufferedAmount })
        return false
      case 'dc.closing':
        if (this.#readyState === 'closed') return false
        this.#readyState = 'closing'
        this.emit(new Event('closing'))
        return false
      case 'dc.close':
        return this.fail()
      case 'dc.error':
        if (this.#readyState === 'closed') return false
        this.emit(eventWith('error', { error: errorFrom(event.error) }))
        return false
    }
  }

  /** The peer connection was closed here: per spec the channel closes without events. */
  detach (): void {
    this.#readyState = 'closed'
  }

  /** The channel (or the whole bridge) went away underneath us: close with a 'close' event. */
  fail (): boolean {
    if (this.#readyState === 'closed') return true
    this.#readyState = 'closed'
    this.emit(new Event('close'))
    return true
  }

  #updateBuffered (change: () => void): void {
    const before = this.bufferedAmount
    change()
    if (before > this.#threshold && this.bufferedAmount <= this.#threshold) this.emit(new Event('bufferedamountlow'))
  }
}
