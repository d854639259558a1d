// The RTC bridge wire protocol: what crosses the dedicated MessagePort between the worker's stand-in
// RTCPeerConnection (src/worker/rtc-bridge/worker) and the real one on the page (src/ui/lib/rtc-host.ts).
// Both sides import this file and validate every message on receipt: a message that does not parse is
// dropped (and counted), never acted on. It must stay small and free of libp2p, since the page bundles it.
import * as v from 'valibot'

/** Bumped on any incompatible change; both halves ship in one build, so this guards stale tabs only. */
export const RTC_BRIDGE_VERSION = 1

const Id = v.pipe(v.number(), v.integer(), v.minValue(0))
/** Channel keys: 'w<n>' for channels the worker created, 'm<n>' for channels the remote opened. */
const ChannelKey = v.pipe(v.string(), v.regex(/^[wm]\d{1,15}$/))
const Count = v.pipe(v.number(), v.integer(), v.minValue(0))
const Text = v.pipe(v.string(), v.maxLength(1_000_000))
const Label = v.pipe(v.string(), v.maxLength(65_535))
const NullableText = v.nullish(Text)
const Payload = v.union([Text, v.custom<ArrayBuffer>((x) => x instanceof ArrayBuffer, 'ArrayBuffer expected')])

const IceServer = v.object({
  urls: v.union([Text, v.array(Text)]),
  username: v.optional(Text),
  credential: v.optional(Text)
})

/** The clone-safe part of RTCConfiguration the bridge forwards (certificates stay on the page). */
export const RtcConfigSchema = v.object({
  iceServers: v.optional(v.array(IceServer)),
  iceTransportPolicy: v.optional(v.picklist(['all', 'relay'])),
  bundlePolicy: v.optional(v.picklist(['balanced', 'max-bundle', 'max-compat'])),
  rtcpMuxPolicy: v.optional(v.picklist(['require'])),
  iceCandidatePoolSize: v.optional(v.pipe(Count, v.maxValue(255)))
})
export type RtcConfig = v.InferOutput<typeof RtcConfigSchema>

export const SessionDescriptionSchema = v.object({
  type: v.picklist(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: v.optional(Text)
})
export type SessionDescription = v.InferOutput<typeof SessionDescriptionSchema>

export const IceCandidateSchema = v.object({
  candidate: v.optional(Text),
  sdpMid: NullableText,
  sdpMLineIndex: v.nullish(Count),
  usernameFragment: NullableText
})
export type IceCandidate = v.InferOutput<typeof IceCandidateSchema>

const DataChannelInitSchema = v.object({
  ordered: v.optional(v.boolean()),
  maxPacketLifeTime: v.optional(Count),
  maxRetransmits: v.optional(Count),
  protocol: v.optional(Label),
  negotiated: v.optional(v.boolean()),
  id: v.optional(v.pipe(Count, v.maxValue(65_534)))
})
export type DataChannelInit = v.InferOutput<typeof DataChannelInitSchema>

/** An error as it crosses the port: the real DOMException/TypeError name and message. */
const ErrorSchema = v.object({ name: v.pipe(v.string(), v.maxLength(200)), message: v.pipe(v.string(), v.maxLength(10_000)) })
export type BridgeError = v.InferOutput<typeof ErrorSchema>

const ConnectionState = v.picklist(['new', 'connecting', 'connected', 'disconnected', 'failed', 'closed'])
const IceConnectionState = v.picklist(['new', 'checking', 'connected', 'completed', 'disconnected', 'failed', 'closed'])
const IceGatheringState = v.picklist(['new', 'gathering', 'complete'])
const SignalingState = v.picklist(['stable', 'have-local-offer', 'have-remote-offer', 'have-local-pranswer', 'have-remote-pranswer', 'closed'])
const ChannelState = v.picklist(['connecting', 'open', 'closing', 'closed'])

export type PeerConnectionStates = v.InferOutput<typeof PeerStateSchema>
const PeerStateSchema = v.object({
  connectionState: ConnectionState,
  iceConnectionState: IceConnectionState,
  iceGatheringState: IceGatheringState,
  signalingState: SignalingState
})

// ---- worker → page: commands -------------------------------------------------------------------------

const callBase = { t: v.literal('pc.call'), pc: Id, call: Id }

/** One RTCPeerConnection method call; the page answers with a 'reply' carrying the same call id. */
export const CallSchema = v.variant('op', [
  v.object({ ...callBase, op: v.literal('createOffer') }),
  v.object({ ...callBase, op: v.literal('createAnswer') }),
  v.object({ ...callBase, op: v.literal('setLocalDescription'), description: v.optional(SessionDescriptionSchema) }),
  v.object({ ...callBase, op: v.literal('setRemoteDescription'), description: SessionDescriptionSchema }),
  v.object({ ...callBase, op: v.literal('addIceCandidate'), candidate: v.nullable(IceCandidateSchema) })
])
export type CallCommand = v.InferOutput<typeof CallSchema>
export type CallOp = CallCommand['op']

export const CommandSchema = v.variant('t', [
  v.object({ t: v.literal('hello'), version: Count }),
  v.object({ t: v.literal('pc.create'), pc: Id, config: RtcConfigSchema }),
  CallSchema,
  v.object({ t: v.literal('pc.close'), pc: Id }),
  v.object({ t: v.literal('dc.create'), pc: Id, dc: ChannelKey, label: Label, init: DataChannelInitSchema }),
  /** `bytes` is what the worker counted into its bufferedAmount (UTF-8 length for text). */
  v.object({ t: v.literal('dc.send'), dc: ChannelKey, data: Payload, bytes: Count }),
  v.object({ t: v.literal('dc.threshold'), dc: ChannelKey, value: Count }),
  v.object({ t: v.literal('dc.close'), dc: ChannelKey })
])
export type Command = v.InferOutput<typeof CommandSchema>

// ---- page → worker: replies and events -----------------------------------------------------------------

export const EventSchema = v.variant('t', [
  v.object({ t: v.literal('hello'), version: Count }),
  v.variant('ok', [
    v.object({
      t: v.literal('reply'),
      call: Id,
      ok: v.literal(true),
      /** createOffer / createAnswer results. */
      description: v.optional(SessionDescriptionSchema)
    }),
    v.object({ t: v.literal('reply'), call: Id, ok: v.literal(false), error: ErrorSchema })
  ]),
  v.object({
    t: v.literal('pc.state'),
    pc: Id,
    ...PeerStateSchema.entries,
    localDescription: v.nullish(SessionDescriptionSchema),
    remoteDescription: v.nullish(SessionDescriptionSchema)
  }),
  v.object({ t: v.literal('pc.icecandidate'), pc: Id, candidate: v.nullable(IceCandidateSchema) }),
  v.object({
    t: v.literal('pc.icecandidateerror'),
    pc: Id,
    errorCode: Count,
    errorText: v.pipe(v.string(), v.maxLength(1000)),
    url: v.pipe(v.string(), v.maxLength(1000)),
    address: v.nullable(v.pipe(v.string(), v.maxLength(200))),
    port: v.nullable(Count)
  }),
  v.object({
    t: v.literal('pc.datachannel'),
    pc: Id,
    dc: ChannelKey,
    label: Label,
    protocol: Label,
    id: v.nullable(Count),
    ordered: v.boolean(),
    negotiated: v.boolean(),
    maxPacketLifeTime: v.nullable(Count),
    maxRetransmits: v.nullable(Count),
    readyState: ChannelState
  }),
  /** The page created the channel the worker asked for; `id` may still be null until SCTP is up. */
  v.object({ t: v.literal('dc.created'), dc: ChannelKey, id: v.nullable(Count), readyState: ChannelState }),
  v.object({ t: v.literal('dc.open'), dc: ChannelKey, id: v.nullable(Count) }),
  v.object({ t: v.literal('dc.message'), dc: ChannelKey, data: Payload }),
  /** Sends the page has handed to the real channel (`acked` bytes) and its bufferedAmount after them. */
  v.object({ t: v.literal('dc.buffered'), dc: ChannelKey, acked: Count, bufferedAmount: Count }),
  v.object({ t: v.literal('dc.bufferedamountlow'), dc: ChannelKey, bufferedAmount: Count }),
  v.object({ t: v.literal('dc.closing'), dc: ChannelKey }),
  v.object({ t: v.literal('dc.close'), dc: ChannelKey }),
  v.object({ t: v.literal('dc.error'), dc: ChannelKey, error: ErrorSchema })
])
export type BridgeEvent = v.InferOutput<typeof EventSchema>

/** A message of the given union member, e.g. EventOf<'dc.open'>. */
export type EventOf<T extends BridgeEvent['t']> = Extract<BridgeEvent, { t: T }>
export type CommandOf<T extends Command['t']> = Extract<Command, { t: T }>

export function parseCommand (data: unknown): Command | undefined {
  const r = v.safeParse(CommandSchema, data)
  return r.success ? r.output : undefined
}

export function parseEvent (data: unknown): BridgeEvent | undefined {
  const r = v.safeParse(EventSchema, data)
  return r.success ? r.output : undefined
}

/** The byte count a send adds to bufferedAmount (the spec counts UTF-8 bytes for text). */
export function payloadBytes (data: string | ArrayBuffer): number {
  return typeof data === 'string' ? new TextEncoder().encode(data).byteLength : data.byteLength
}

/** Turns anything thrown into the { name, message } that crosses the port. */
export function toBridgeError (e: unknown): BridgeError {
  if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e)) {
    const err = e as { name?: unknown, message?: unknown }
    return { name: typeof err.name === 'string' ? err.name : 'Error', message: String(err.message).slice(0, 10_000) }
  }
  return { name: 'Error', message: String(e).slice(0, 10_000) }
}

/** The subset of MessagePort either half of the bridge needs; a real MessagePort (browser or Node) satisfies it. */
export interface BridgePort {
  postMessage (message: unknown, transfer: Transferable[]): void
  addEventListener (type: 'message', listener: (event: MessageEvent) => void): void
  addEventListener (type: 'close', listener: () => void): void
  removeEventListener (type: 'message', listener: (event: MessageEvent) => void): void
  removeEventListener (type: 'close', listener: () => void): void
  start?: () => void
  close?: () => void
}
