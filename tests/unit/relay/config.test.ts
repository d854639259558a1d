import { describe, expect, it } from 'vitest'
import { CONNECTION_HEADROOM, defaultKeyFile, DEFAULT_LIMITS, helpText, parseCli, parseIceServer, resolveConfig, SETTINGS, type CliResult } from '../../../relay/config'
import { RelayConfigError } from '../../../relay/errors'

const run = (argv: string[], env: NodeJS.ProcessEnv = {}): Extract<CliResult, { kind: 'run' }>['config'] => {
  const r = parseCli(argv, env)
  if (r.kind !== 'run') throw new Error('expected a run config')
  return r.config
}
const refusal = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    parseCli(argv, env)
  } catch (err) {
    expect(err).toBeInstanceOf(RelayConfigError)
    expect((err as RelayConfigError).code).toBe('RELAY_CONFIG')
    const message = (err as Error).message
    expect(message).not.toContain('\n') // one line for people
    return message
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`)
}

describe('relay config defaults', () => {
  it('binds 127.0.0.1:8080, serves ./dist, wallet-sized limits, no ICE servers, info logs', () => {
    const c = run([], { HOME: '/home/u' })
    expect(c.host).toBe('127.0.0.1')
    expect(c.port).toBe(8080)
    expect(c.dist).toBe(`${process.cwd()}/dist`)
    expect(c.announce).toEqual([])
    expect(c.iceServers).toEqual([])
    expect(c.logLevel).toBe('info')
    expect(c.keyFile).toBe('/home/u/.local/state/mychips-relay/peer-key.json')
    expect(c.limits).toEqual({
      maxReservations: 1024,
      reservationTtlMs: 30 * 60_000,
      relayDurationMs: 10 * 60_000,
      relayDataBytes: 1024 * 1024,
      maxConnections: 1024 + CONNECTION_HEADROOM
    })
    expect(DEFAULT_LIMITS.maxReservations).toBeGreaterThanOrEqual(1024)
  })

  it('keeps the key in XDG_STATE_HOME when set', () => {
    expect(defaultKeyFile({ XDG_STATE_HOME: '/state', HOME: '/home/u' })).toBe('/state/mychips-relay/peer-key.json')
  })

  it('library options default to an ephemeral identity', () => {
    expect(resolveConfig({}).keyFile).toBeNull()
    expect(resolveConfig({ dist: null }).dist).toBeNull()
  })
})

describe('flags', () => {
  it('reads every flag', () => {
    const c = run([
      '--host', '0.0.0.0', '--port', '9000', '--announce', '/dns4/relay.example/tcp/443/tls/ws', '--announce', '/ip4/203.0.113.7/tcp/9000/ws',
      '--dist', '/srv/app', '--key-file', '/var/lib/relay/key.json', '--ice-server', 'stun:stun.example:3478',
      '--ice-server', 'turn:turn.example:3478?transport=udp,alice,s3cret', '--max-reservations', '4096', '--max-connections', '5000',
      '--reservation-ttl', '1h', '--relay-duration', '15m', '--relay-data', '2MiB', '--log-level', 'debug'
    ])
    expect(c).toEqual({
      host: '0.0.0.0',
      port: 9000,
      announce: ['/dns4/relay.example/tcp/443/tls/ws', '/ip4/203.0.113.7/tcp/9000/ws'],
      dist: '/srv/app',
      keyFile: '/var/lib/relay/key.json',
      iceServers: [{ urls: 'stun:stun.example:3478' }, { urls: 'turn:turn.example:3478?transport=udp', username: 'alice', credential: 's3cret' }],
      limits: { maxReservations: 4096, maxConnections: 5000, reservationTtlMs: 3_600_000, relayDurationMs: 900_000, relayDataBytes: 2 * 1024 * 1024 },
      logLevel: 'debug'
    })
  })

  it('maps localhost to 127.0.0.1 and accepts IPv6', () => {
    expect(run(['--host', 'localhost']).host).toBe('127.0.0.1')
    expect(run(['--host', '::']).host).toBe('::')
  })

  it('sizes max connections from max reservations unless given', () => {
    expect(run(['--max-reservations', '10']).limits.maxConnections).toBe(10 + CONNECTION_HEADROOM)
  })

  it('--help returns the text naming every flag and environment variable', () => {
    const r = parseCli(['--help'], {})
    expect(r.kind).toBe('help')
    const text = helpText()
    for (const s of Object.values(SETTINGS)) {
      expect(text).toContain(`--${s.flag}`)
      expect(text).toContain(s.env)
    }
  })
})

describe('environment variables', () => {
  it('reads every variable; lists are space-separated', () => {
    const c = run([], {
      MYCHIPS_RELAY_HOST: '::1',
      MYCHIPS_RELAY_PORT: '8443',
      MYCHIPS_RELAY_ANNOUNCE: '/dns4/a.example/tcp/443/tls/ws  /dns6/b.example/tcp/443/wss',
      MYCHIPS_RELAY_DIST: '/srv/app',
      MYCHIPS_RELAY_KEY_FILE: '/k.json',
      MYCHIPS_RELAY_ICE_SERVERS: 'stun:s.example turns:t.example:5349,u,p',
      MYCHIPS_RELAY_MAX_RESERVATIONS: '2000',
      MYCHIPS_RELAY_MAX_CONNECTIONS: '3000',
      MYCHIPS_RELAY_RESERVATION_TTL: '45m',
      MYCHIPS_RELAY_RELAY_DURATION: '120',
      MYCHIPS_RELAY_RELAY_DATA: '524288',
      MYCHIPS_RELAY_LOG_LEVEL: 'warn'
    })
    expect(c.host).toBe('::1')
    expect(c.port).toBe(8443)
    expect(c.announce).toEqual(['/dns4/a.example/tcp/443/tls/ws', '/dns6/b.example/tcp/443/wss'])
    expect(c.dist).toBe('/srv/app')
    expect(c.keyFile).toBe('/k.json')
    expect(c.iceServers).toEqual([{ urls: 'stun:s.example' }, { urls: 'turns:t.example:5349', username: 'u', credential: 'p' }])
    expect(c.limits).toEqual({ maxReservations: 2000, maxConnections: 3000, reservationTtlMs: 45 * 60_000, relayDurationMs: 120_000, relayDataBytes: 524_288 })
    expect(c.logLevel).toBe('warn')
  })

  it('a flag wins over its variable; an empty variable is unset', () => {
    expect(run(['--port', '9001'], { MYCHIPS_RELAY_PORT: '9002' }).port).toBe(9001)
    expect(run([], { MYCHIPS_RELAY_PORT: '' }).port).toBe(8080)
    expect(run(['--announce', '/ip4/1.2.3.4/tcp/80/ws'], { MYCHIPS_RELAY_ANNOUNCE: '/ip4/5.6.7.8/tcp/80/ws' }).announce).toEqual(['/ip4/1.2.3.4/tcp/80/ws'])
  })

  it('names the variable at fault', () => {
    expect(refusal([], { MYCHIPS_RELAY_PORT: 'eighty' })).toBe('MYCHIPS_RELAY_PORT: "eighty" is not a whole number')
    expect(refusal([], { MYCHIPS_RELAY_RELAY_DATA: 'lots' })).toMatch(/^MYCHIPS_RELAY_RELAY_DATA: "lots" is not a size/)
  })
})

describe('bad values are refused with one line naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--port', '65536'], /^--port: 65536 is out of range/],
    [['--port', '-1'], /--port/],
    [['--port', '80.5'], /^--port: "80.5" is not a whole number/],
    [['--port', '1', '--port', '2'], /^--port: given more than once/],
    [['--host', 'relay.example'], /^--host: "relay.example" is not an IP address/],
    [['--announce', 'not-a-multiaddr'], /^--announce: "not-a-multiaddr" is not a multiaddr/],
    [['--announce', '/ip4/1.2.3.4/tcp/443'], /is not a WebSocket address/],
    [['--announce', '/ip4/1.2.3.4/tcp/443/ws/p2p/12D3KooWADid1mMiQxNCgZ4g5W45pCMsYCR3276BNQuFwoaTDHD5'], /must not contain \/p2p\//],
    [['--ice-server', 'http://stun.example'], /is not a stun:, stuns:, turn: or turns: URL/],
    [['--ice-server', 'turn:t.example'], /needs a username and a credential/],
    [['--ice-server', 'turn:t.example,u'], /must be "url" or "url,username,credential"/],
    [['--ice-server', 'turn:t.example,,p'], /needs a username and a credential/],
    [['--ice-server', 'stun:s.example,u,p'], /takes no username or credential/],
    [['--max-reservations', '0'], /^--max-reservations: 0 is out of range/],
    [['--max-reservations', 'many'], /is not a whole number/],
    [['--max-reservations', '100', '--max-connections', '50'], /below max reservations/],
    [['--reservation-ttl', '10s'], /^--reservation-ttl: 10s is out of range \(1m to 1d\)/],
    [['--reservation-ttl', 'forever'], /is not a duration/],
    [['--relay-duration', '500ms'], /^--relay-duration: 500ms is out of range/],
    [['--relay-duration', '2d'], /out of range/],
    [['--relay-data', '512'], /^--relay-data: 512B is out of range/],
    [['--relay-data', '1.5MiB'], /is not a size/],
    [['--log-level', 'trace'], /^--log-level: "trace" is not one of debug, info, warn, error, silent/],
    [['--nope'], /Unknown option '--nope'.*\(see --help\)/],
    [['stray'], /stray.*\(see --help\)/],
    [['--port'], /argument missing/]
  ]
  it.each(cases)('%j', (argv, expected) => {
    expect(refusal(argv)).toMatch(expected)
  })
})

describe('ICE servers', () => {
  it('parses url[,username,credential]', () => {
    expect(parseIceServer('x', 'stun:s.example:3478')).toEqual({ urls: 'stun:s.example:3478' })
    expect(parseIceServer('x', 'turns:t.example:5349?transport=tcp,user,pa:ss')).toEqual({ urls: 'turns:t.example:5349?transport=tcp', username: 'user', credential: 'pa:ss' })
  })
})

describe('resolveConfig (library options) checks values too', () => {
  it.each([
    [{ port: 70000 }, /port: 70000 is not a TCP port/],
    [{ port: 1.5 }, /not a TCP port/],
    [{ host: 'example.com' }, /not an IP address/],
    [{ announce: ['/ip4/1.2.3.4/tcp/1'] }, /not a WebSocket address/],
    [{ iceServers: [{ urls: 'turn:x' }] }, /needs a username/],
    [{ limits: { maxReservations: 0 } }, /max reservations: 0 is out of range/],
    [{ limits: { relayDataBytes: 10 } }, /relay data \(bytes\): 10 is out of range/],
    [{ limits: { maxReservations: 10, maxConnections: 5 } }, /below max reservations/],
    [{ logLevel: 'loud' as never }, /log level/]
  ])('%j', (opts, expected) => {
    expect(() => resolveConfig(opts)).toThrow(expected)
    expect(() => resolveConfig(opts)).toThrow(RelayConfigError)
  })
})
