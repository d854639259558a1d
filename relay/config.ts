// The relay's configuration: defaults, validation, and the CLI/environment front end. Both startRelay()
// and the CLI go through resolveConfig(), so a value is checked the same way wherever it comes from.
import { isIP } from 'node:net'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { WebSockets, WebSocketsSecure } from '@multiformats/multiaddr-matcher'
import { RelayConfigError } from './errors'
import { formatBytes, formatDuration, parseBytes, parseDuration, parseInteger } from './units'
import type { LogLevel } from '../src/node/ports'

/** One STUN or TURN server the relay recommends to wallets (the shape of RTCIceServer). */
export interface IceServer {
  urls: string
  username?: string
  credential?: string
}

export interface RelayLimits {
  /** Circuit-relay slots held at once. A slot outlives its connection until its TTL expires. */
  maxReservations: number
  /** How long a slot lasts unless the wallet refreshes it (libp2p clients refresh 5 min before expiry). */
  reservationTtlMs: number
  /** A relayed connection is reset after this long; the wallet then reconnects. */
  relayDurationMs: number
  /** A relayed connection is reset after this many bytes (both directions together). */
  relayDataBytes: number
  /** libp2p connections held at once (every online wallet holds one). */
  maxConnections: number
}

export type RelayLogLevel = LogLevel | 'silent'

export interface RelayConfig {
  /** The IP address the HTTP + WebSocket port binds to. */
  host: string
  /** 0 picks a free port (tests). */
  port: number
  /** Public WebSocket multiaddrs to advertise instead of the bound address (e.g. wss behind a TLS proxy). */
  announce: string[]
  /** The built app to serve; null serves no app (relay only). */
  dist: string | null
  /** Where the relay's libp2p private key lives (created on first run); null = a fresh identity each start. */
  keyFile: string | null
  iceServers: IceServer[]
  limits: RelayLimits
  logLevel: RelayLogLevel
}

export type RelayOptions = Partial<Omit<RelayConfig, 'limits'>> & { limits?: Partial<RelayLimits> }

export const DEFAULT_LIMITS: Readonly<Omit<RelayLimits, 'maxConnections'>> = Object.freeze({
  maxReservations: 1024,
  reservationTtlMs: 30 * 60_000,
  relayDurationMs: 10 * 60_000,
  relayDataBytes: 1024 * 1024
})

/** Headroom over maxReservations for wallets that dial through the relay without holding a slot. */
export const CONNECTION_HEADROOM = 256

const LOG_LEVELS: readonly RelayLogLevel[] = ['debug', 'info', 'warn', 'error', 'silent']

/** Where the CLI keeps the relay identity unless told otherwise (outside the repo, stable across runs). */
export function defaultKeyFile (env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME != null && env.HOME !== '' ? env.HOME : homedir()
  const state = env.XDG_STATE_HOME != null && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(home, '.local', 'state')
  return join(state, 'mychips-relay', 'peer-key.json')
}

/** Fills defaults and checks every value; throws RelayConfigError naming the bad one. */
export function resolveConfig (options: RelayOptions = {}): RelayConfig {
  const host = checkHost('host', options.host ?? '127.0.0.1')
  const port = options.port ?? 8080
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RelayConfigError(`port: ${port} is not a TCP port (0 to 65535)`)
  const announce = (options.announce ?? []).map((a) => checkAnnounce('announce', a))
  const iceServers = (options.iceServers ?? []).map((s) => checkIceServer('ice server', s))
  const limits = resolveLimits(options.limits ?? {})
  const logLevel = options.logLevel ?? 'info'
  if (!LOG_LEVELS.includes(logLevel)) throw new RelayConfigError(`log level: "${String(logLevel)}" is not one of ${LOG_LEVELS.join(', ')}`)
  return {
    host,
    port,
    announce,
    dist: options.dist === null ? null : resolve(options.dist ?? 'dist'),
    keyFile: options.keyFile == null ? null : resolve(options.keyFile),
    iceServers,
    limits,
    logLevel
  }
}

function resolveLimits (l: Partial<RelayLimits>): RelayLimits {
  const maxReservations = checkWhole('max reservations', l.maxReservations ?? DEFAULT_LIMITS.maxReservations, 1, 1_000_000)
  const limits: RelayLimits = {
    maxReservations,
    reservationTtlMs: checkWhole('reservation TTL (ms)', l.reservationTtlMs ?? DEFAULT_LIMITS.reservationTtlMs, 60_000, 24 * 3_600_000),
    relayDurationMs: checkWhole('relay duration (ms)', l.relayDurationMs ?? DEFAULT_LIMITS.relayDurationMs, 1000, 24 * 3_600_000),
    relayDataBytes: checkWhole('relay data (bytes)', l.relayDataBytes ?? DEFAULT_LIMITS.relayDataBytes, 1024, 1024 ** 4),
    maxConnections: checkWhole('max connections', l.maxConnections ?? maxReservations + CONNECTION_HEADROOM, 1, 10_000_000)
  }
  if (limits.maxConnections < maxReservations) {
    throw new RelayConfigError(`max connections: ${limits.maxConnections} is below max reservations (${maxReservations}); every reservation needs a connection`)
  }
  return limits
}

function checkWhole (what: string, n: number, min: number, max: number): number {
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new RelayConfigError(`${what}: ${n} is out of range (${min} to ${max})`)
  return n
}

function checkHost (what: string, host: string): string {
  if (host === 'localhost') return '127.0.0.1'
  if (isIP(host) === 0) throw new RelayConfigError(`${what}: "${host}" is not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or ::)`)
  return host
}

function checkAnnounce (what: string, text: string): string {
  let ma
  try { ma = multiaddr(text.trim()) } catch { throw new RelayConfigError(`${what}: "${text}" is not a multiaddr`) }
  if (ma.getComponents().some((c) => c.name === 'p2p')) {
    throw new RelayConfigError(`${what}: "${text}" must not contain /p2p/ (the relay appends its own peer id)`)
  }
  if (!WebSockets.exactMatch(ma) && !WebSocketsSecure.exactMatch(ma)) {
    throw new RelayConfigError(`${what}: "${text}" is not a WebSocket address (e.g. /dns4/relay.example/tcp/443/tls/ws)`)
  }
  return ma.toString()
}

const ICE_URL = /^(stuns?|turns?):[^\s,]+$/

function checkIceServer (what: string, s: IceServer): IceServer {
  const m = ICE_URL.exec(s.urls)
  if (m == null) throw new RelayConfigError(`${what}: "${s.urls}" is not a stun:, stuns:, turn: or turns: URL`)
  const isTurn = m[1] === 'turn' || m[1] === 'turns'
  const hasCreds = s.username != null || s.credential != null
  if (isTurn && (s.username == null || s.username === '' || s.credential == null || s.credential === '')) {
    throw new RelayConfigError(`${what}: "${s.urls}" is a TURN server and needs a username and a credential (urls,username,credential)`)
  }
  if (!isTurn && hasCreds) throw new RelayConfigError(`${what}: "${s.urls}" is a STUN server and takes no username or credential`)
  return isTurn ? { urls: s.urls, username: s.username, credential: s.credential } : { urls: s.urls }
}

/** "urls[,username,credential]" as given on the command line. */
export function parseIceServer (what: string, text: string): IceServer {
  const parts = text.split(',')
  if (parts.length !== 1 && parts.length !== 3) {
    throw new RelayConfigError(`${what}: "${text}" must be "url" or "url,username,credential"`)
  }
  const [urls = '', username, credential] = parts
  return checkIceServer(what, username == null ? { urls } : { urls, username, credential })
}

// ---- CLI and environment ----

interface Setting {
  flag: string
  env: string
  multiple?: boolean
  help: string
}

/** Every setting, in --help order. Each flag has an environment variable; a flag wins over its variable. */
export const SETTINGS = {
  host: { flag: 'host', env: 'MYCHIPS_RELAY_HOST', help: 'IP address to bind (default 127.0.0.1; 0.0.0.0 or :: for all interfaces)' },
  port: { flag: 'port', env: 'MYCHIPS_RELAY_PORT', help: 'TCP port for the app and the WebSocket listener (default 8080)' },
  announce: { flag: 'announce', env: 'MYCHIPS_RELAY_ANNOUNCE', multiple: true, help: 'public WebSocket multiaddr to advertise, repeatable (env: space-separated), e.g. /dns4/relay.example/tcp/443/tls/ws' },
  dist: { flag: 'dist', env: 'MYCHIPS_RELAY_DIST', help: 'directory of the built app to serve (default ./dist)' },
  keyFile: { flag: 'key-file', env: 'MYCHIPS_RELAY_KEY_FILE', help: 'relay identity key, created on first run (default $XDG_STATE_HOME/mychips-relay/peer-key.json)' },
  iceServer: { flag: 'ice-server', env: 'MYCHIPS_RELAY_ICE_SERVERS', multiple: true, help: 'STUN/TURN server for wallets, "url" or "url,username,credential", repeatable (env: space-separated)' },
  maxReservations: { flag: 'max-reservations', env: 'MYCHIPS_RELAY_MAX_RESERVATIONS', help: `circuit-relay slots held at once (default ${DEFAULT_LIMITS.maxReservations})` },
  maxConnections: { flag: 'max-connections', env: 'MYCHIPS_RELAY_MAX_CONNECTIONS', help: `libp2p connections held at once (default max-reservations + ${CONNECTION_HEADROOM})` },
  reservationTtl: { flag: 'reservation-ttl', env: 'MYCHIPS_RELAY_RESERVATION_TTL', help: `slot lifetime unless refreshed, e.g. 30m (default ${formatDuration(DEFAULT_LIMITS.reservationTtlMs)})` },
  relayDuration: { flag: 'relay-duration', env: 'MYCHIPS_RELAY_RELAY_DURATION', help: `max life of one relayed connection, e.g. 10m (default ${formatDuration(DEFAULT_LIMITS.relayDurationMs)})` },
  relayData: { flag: 'relay-data', env: 'MYCHIPS_RELAY_RELAY_DATA', help: `max bytes through one relayed connection, e.g. 1MiB (default ${formatBytes(DEFAULT_LIMITS.relayDataBytes)})` },
  logLevel: { flag: 'log-level', env: 'MYCHIPS_RELAY_LOG_LEVEL', help: 'debug, info, warn, error or silent (default info)' }
} as const satisfies Record<string, Setting>

export type CliResult = { kind: 'help', text: string } | { kind: 'run', config: RelayConfig, keyFileDefaulted: boolean }

export function helpText (): string {
  const lines = [
    'Usage: npm run relay -- [options]     (or: tsx relay/cli.ts [options])',
    '',
    'MyCHIPs wallet relay: serves the wallet app and relays libp2p traffic (WebSockets + circuit relay v2)',
    'on one port. Every option can also be set with its environment variable; a flag wins.',
    ''
  ]
  for (const s of Object.values(SETTINGS)) {
    lines.push(`  --${s.flag} <value>`.padEnd(31) + s.help)
    lines.push(''.padEnd(31) + `env ${s.env}`)
  }
  lines.push('  -h, --help'.padEnd(31) + 'print this help')
  return lines.join('\n')
}

/**
 * Reads flags and environment variables into a checked config. Throws RelayConfigError with one line
 * naming the flag or variable at fault.
 */
export function parseCli (argv: readonly string[], env: NodeJS.ProcessEnv): CliResult {
  const options: Record<string, { type: 'string' | 'boolean', multiple?: boolean, short?: string }> = { help: { type: 'boolean', short: 'h' } }
  // Every flag is read as a list so a single-valued flag given twice is an error, not "last one wins".
  for (const s of Object.values(SETTINGS)) options[s.flag] = { type: 'string', multiple: true }
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as typeof values
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err)
    throw new RelayConfigError(`${message.replace(/\s*To specify an option argument.*$/, '')} (see --help)`)
  }
  if (values.help === true) return { kind: 'help', text: helpText() }

  /** The flag's value(s) if given, else the environment variable's, with the name to blame. */
  const read = (s: Setting): { from: string, values: string[] } | undefined => {
    const v = values[s.flag]
    if (v !== undefined) {
      const list = Array.isArray(v) ? v : [String(v)]
      return { from: `--${s.flag}`, values: list }
    }
    const e = env[s.env]
    if (e == null || e.trim() === '') return undefined
    return { from: s.env, values: s.multiple === true ? e.trim().split(/\s+/) : [e.trim()] }
  }
  const one = (s: Setting): { from: string, value: string } | undefined => {
    const r = read(s)
    if (r == null) return undefined
    if (r.values.length > 1) throw new RelayConfigError(`${r.from}: given more than once`)
    return { from: r.from, value: r.values[0] ?? '' }
  }
  const opts: RelayOptions = {}
  const limits: Partial<RelayLimits> = {}

  const host = one(SETTINGS.host)
  if (host != null) opts.host = checkHost(host.from, host.value)
  const port = one(SETTINGS.port)
  if (port != null) opts.port = parseInteger(port.from, port.value, 0, 65535)
  const announce = read(SETTINGS.announce)
  if (announce != null) opts.announce = announce.values.map((a) => checkAnnounce(announce.from, a))
  const dist = one(SETTINGS.dist)
  if (dist != null) opts.dist = dist.value
  const keyFile = one(SETTINGS.keyFile)
  opts.keyFile = keyFile?.value ?? defaultKeyFile(env)
  const ice = read(SETTINGS.iceServer)
  if (ice != null) opts.iceServers = ice.values.map((v) => parseIceServer(ice.from, v))
  const maxRes = one(SETTINGS.maxReservations)
  if (maxRes != null) limits.maxReservations = parseInteger(maxRes.from, maxRes.value, 1, 1_000_000)
  const maxConn = one(SETTINGS.maxConnections)
  if (maxConn != null) limits.maxConnections = parseInteger(maxConn.from, maxConn.value, 1, 10_000_000)
  const ttl = one(SETTINGS.reservationTtl)
  if (ttl != null) limits.reservationTtlMs = inRange(ttl.from, parseDuration(ttl.from, ttl.value), 60_000, 24 * 3_600_000, formatDuration)
  const dur = one(SETTINGS.relayDuration)
  if (dur != null) limits.relayDurationMs = inRange(dur.from, parseDuration(dur.from, dur.value), 1000, 24 * 3_600_000, formatDuration)
  const data = one(SETTINGS.relayData)
  if (data != null) limits.relayDataBytes = inRange(data.from, parseBytes(data.from, data.value), 1024, 1024 ** 4, formatBytes)
  const level = one(SETTINGS.logLevel)
  if (level != null) {
    if (!LOG_LEVELS.includes(level.value as RelayLogLevel)) throw new RelayConfigError(`${level.from}: "${level.value}" is not one of ${LOG_LEVELS.join(', ')}`)
    opts.logLevel = level.value as RelayLogLevel
  }
  opts.limits = limits
  return { kind: 'run', config: resolveConfig(opts), keyFileDefaulted: keyFile == null }
}

function inRange (what: string, n: number, min: number, max: number, fmt: (n: number) => string): number {
  if (n < min || n > max) throw new RelayConfigError(`${what}: ${fmt(n)} is out of range (${fmt(min)} to ${fmt(max)})`)
  return n
}
