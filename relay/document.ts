// The relay's self-description at /.well-known/mychips-relay.json. The app fetches it from its own
// origin to find the relay that served it (DESIGN.md §4). Browser-safe: no Node imports, so the
// worker may import the type and schema to validate what it fetched.
import * as v from 'valibot'

export const RELAY_DOCUMENT_PATH = '/.well-known/mychips-relay.json'

export const IceServerSchema = v.object({
  urls: v.pipe(v.string(), v.regex(/^(stuns?|turns?):\S+$/)),
  username: v.optional(v.string()),
  credential: v.optional(v.string())
})

export const RelayDocumentSchema = v.object({
  v: v.literal(1),
  /** The relay's libp2p peer id. */
  peerId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  /** WebSocket multiaddrs wallets dial, each ending in /p2p/<peerId>. */
  multiaddrs: v.pipe(v.array(v.pipe(v.string(), v.maxLength(1024))), v.maxLength(64)),
  /** STUN/TURN servers the relay recommends for WebRTC (RTCIceServer shape). */
  iceServers: v.pipe(v.array(IceServerSchema), v.maxLength(32)),
  limits: v.object({
    maxReservations: v.pipe(v.number(), v.integer(), v.minValue(0)),
    /** A reservation lasts this long unless refreshed. */
    reservationTtlMs: v.pipe(v.number(), v.integer(), v.minValue(0)),
    /** The relay resets a relayed connection after this long; the wallet reconnects. */
    relayDurationMs: v.pipe(v.number(), v.integer(), v.minValue(0)),
    /** ... or after this many bytes, both directions counted together. */
    relayDataBytes: v.pipe(v.number(), v.integer(), v.minValue(0))
  })
})

export type RelayDocument = v.InferOutput<typeof RelayDocumentSchema>

export interface RelayDocumentInput {
  peerId: string
  multiaddrs: readonly string[]
  iceServers: ReadonlyArray<{ urls: string, username?: string, credential?: string }>
  limits: { maxReservations: number, reservationTtlMs: number, relayDurationMs: number, relayDataBytes: number }
}

export function buildRelayDocument (input: RelayDocumentInput): RelayDocument {
  const suffix = `/p2p/${input.peerId}`
  return {
    v: 1,
    peerId: input.peerId,
    multiaddrs: [...new Set(input.multiaddrs.map((a) => (a.endsWith(suffix) ? a : a + suffix)))],
    iceServers: input.iceServers.map((s) => (s.username != null ? { urls: s.urls, username: s.username, credential: s.credential } : { urls: s.urls })),
    limits: {
      maxReservations: input.limits.maxReservations,
      reservationTtlMs: input.limits.reservationTtlMs,
      relayDurationMs: input.limits.relayDurationMs,
      relayDataBytes: input.limits.relayDataBytes
    }
  }
}
