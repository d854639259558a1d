// The relay document, /.well-known/mychips-relay.json, served by the origin that serves the app.
// It names the default relay and the STUN/TURN servers it recommends. It is input from outside,
// so it is validated here (valibot) and the page only ever uses the parsed value.
import * as v from 'valibot'

export const RELAY_DOC_PATH = '/.well-known/mychips-relay.json'

const MultiaddrString = v.pipe(
  v.string(),
  v.maxLength(1024),
  v.regex(/^\/[^\s]+$/, 'a multiaddr starts with "/" and has no spaces')
)

const PeerIdString = v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{20,128}$/, 'a peer id is base58 or base32 text'))

const IceUrl = v.pipe(v.string(), v.maxLength(512), v.regex(/^(stun|stuns|turn|turns):\S+$/, 'an ICE server URL starts with stun:, stuns:, turn: or turns:'))

const IceServer = v.object({
  urls: v.union([IceUrl, v.pipe(v.array(IceUrl), v.minLength(1), v.maxLength(16))]),
  username: v.optional(v.pipe(v.string(), v.maxLength(512))),
  credential: v.optional(v.pipe(v.string(), v.maxLength(512)))
})

export const RelayDocSchema = v.object({
  v: v.literal(1),
  peerId: PeerIdString,
  multiaddrs: v.pipe(v.array(MultiaddrString), v.minLength(1), v.maxLength(32)),
  iceServers: v.pipe(v.array(IceServer), v.maxLength(16)),
  // The relay's limits are informative for the page (shown in settings); the relay enforces them.
  limits: v.optional(v.record(v.string(), v.union([v.number(), v.string(), v.boolean(), v.null()])))
})

export type RelayDoc = v.InferOutput<typeof RelayDocSchema>

export class RelayDocError extends Error {
  readonly code = 'RELAY_DOC_INVALID'
  constructor (message: string) {
    super(message)
    this.name = 'RelayDocError'
  }
}

/** Parses and validates the relay document; throws RelayDocError with the first problem found. */
export function parseRelayDoc (input: unknown): RelayDoc {
  const result = v.safeParse(RelayDocSchema, input)
  if (!result.success) {
    const issue = result.issues[0]
    const path = issue?.path?.map(p => String(p.key)).join('.') ?? ''
    throw new RelayDocError(`The relay document is invalid${path !== '' ? ` at ${path}` : ''}: ${issue?.message ?? 'unknown problem'}`)
  }
  return result.output
}

/** True when a WebSocket multiaddr needs TLS (wss), which an https page requires. */
function isSecureWs (addr: string): boolean {
  return /\/(tls(\/sni\/[^/]+)?\/ws|wss)(\/|$)/.test(addr)
}

function isWs (addr: string): boolean {
  return /\/(ws|wss)(\/|$)/.test(addr)
}

/** Appends /p2p/<peerId> unless the address already names a peer. */
export function withPeerId (addr: string, peerId: string): string {
  return /\/p2p\/[^/]+$/.test(addr) ? addr : `${addr.replace(/\/$/, '')}/p2p/${peerId}`
}

/**
 * The address of the relay the page should dial: a WebSocket address the page may open (an https
 * page cannot open ws://, a mixed-content block), with the relay's peer id. Undefined when none fits.
 */
export function relayDialAddr (doc: RelayDoc, pageIsHttps: boolean): string | undefined {
  const ws = doc.multiaddrs.filter(isWs)
  const usable = pageIsHttps ? ws.filter(isSecureWs) : ws
  // On http (127.0.0.1 in development and tests) prefer plain ws: the relay's TLS normally ends at a proxy.
  const preferred = pageIsHttps ? usable[0] : (usable.find(a => !isSecureWs(a)) ?? usable[0])
  return preferred === undefined ? undefined : withPeerId(preferred, doc.peerId)
}

/** A relay address typed by the user in settings: a multiaddr that names the relay's peer. */
export function validateRelayAddr (input: string): { ok: true, addr: string } | { ok: false, error: string } {
  const addr = input.trim()
  if (addr === '') return { ok: false, error: 'Enter a relay address.' }
  if (!v.is(MultiaddrString, addr)) return { ok: false, error: 'A relay address is a multiaddr such as /dns4/relay.example/tcp/443/tls/ws/p2p/12D3Koo…' }
  if (!isWs(addr)) return { ok: false, error: 'A browser reaches a relay over WebSockets: the address needs /ws or /tls/ws.' }
  if (!/\/p2p\/[A-Za-z0-9]{20,128}$/.test(addr)) return { ok: false, error: 'The address must end with /p2p/<the relay\'s peer id>.' }
  return { ok: true, addr }
}
