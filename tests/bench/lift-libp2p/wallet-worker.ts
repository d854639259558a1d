// One wallet node in its own worker thread (its own event loop and V8 heap), as on its own machine: the
// bench drives it through messages.ts. Real libp2p (WebSockets, noise, yamux) to the other workers on
// 127.0.0.1, directly or through the relay on the main thread.
import '../../../relay/node20-polyfill'
import { parentPort } from 'node:worker_threads'
import { Session } from 'node:inspector/promises'
import { writeFileSync } from 'node:fs'
import { webcrypto } from 'node:crypto'
import { webCryptoProvider } from '../../../src/core/crypto/webcrypto'
import type { SignatureProvider } from '../../../src/core/crypto/provider'
import type { LiftView, WalletNode } from '../../../src/node/api'
import { createIdentity } from '../../../src/node/identity/identity'
import { systemClock, systemRandom, systemTimers, type Logger } from '../../../src/node/ports'
import { openMemoryStore } from '../../../src/node/store/memory'
import { startWalletNode } from '../../../src/node/wallet-node'
import { devicePrivateKey } from '../../../src/node/identity/identity'
import { createLibp2pNode } from '../../../src/node/net/libp2p/node'
import { Libp2pNetwork } from '../../../src/node/net/libp2p/network'
import { RelayManager } from '../../../src/node/net/libp2p/relays'
import type { LiftService } from '../../../src/node/services/lifts/service'
import type { Answer, BatchResult, Commands, PaidLift, Request, TimedEvent, WalletStart } from './messages'

const BASE = 'https://wallet.example/'
const port = parentPort
if (port === null) throw new Error('wallet-worker runs in a worker thread')

let node: WalletNode | undefined
let network: Libp2pNetwork | undefined
let relays: RelayManager | undefined
let lifts: LiftService | undefined
let name = '?'
let recording = false
/** Discoveries this node ran (a payment runs a second one when the first found no route in its time budget). */
let finds = 0
let events: TimedEvent[] = []

/** Events that time the phases of a lift (services/lifts/engine.ts and referee-service.ts). */
const PHASE_EVENTS = new Set(['lift.originate', 'lift.received', 'lift.verified', 'lift.call', 'referee.decided'])

const now = (): number => performance.timeOrigin + performance.now()

/** Records the phase events while asked to; DEBUG_WALLET=1 prints every log line. */
const logger: Logger = {
  log: (level, event, fields) => {
    if (event === 'route.find') finds++
    if (recording && PHASE_EVENTS.has(event)) {
      const lift = fields?.lift
      const leg = fields?.leg
      events.push({ at: now(), node: name, event, ...(typeof lift === 'string' ? { lift } : {}), ...(typeof leg === 'number' ? { leg } : {}) })
    }
    if (process.env.DEBUG_WALLET !== undefined) console.error(Math.round(performance.now()), name, level, event, JSON.stringify(fields ?? {}))
  }
}

function running (): { node: WalletNode, lifts: LiftService } {
  if (node === undefined || lifts === undefined) throw new Error('the wallet is not started')
  return { node, lifts }
}

async function sleep (ms: number): Promise<void> { await new Promise(resolve => setTimeout(resolve, ms)) }

async function pay (to: string, units: number, maxFee?: number): Promise<PaidLift> {
  const t = performance.now()
  const startedAt = now()
  const found = finds
  const lift: LiftView = await running().lifts.pay({ to, units, ...(maxFee !== undefined ? { maxFee } : {}) })
  const ms = performance.now() - t
  if (recording) events.push({ at: startedAt, node: name, event: 'pay.start', lift: lift.id }, { at: now(), node: name, event: 'pay.end', lift: lift.id })
  return { id: lift.id, status: lift.status, ms, discoveries: finds - found, ...(lift.error !== undefined ? { code: lift.error.code } : {}) }
}

/** LIFT_LIBP2P_PROF=<dir>: a CPU profile of this thread while events are recorded (<dir>/<name>-<time>.cpuprofile). */
/** What this node did while events were recorded: signatures, verifications, requests sent per protocol. */
let counts: Record<string, number> = {}
/** LIFT_LIBP2P_TRACE=1: every request sent and served, timed (see the bench's timeline). */
const trace = (what: string): void => { if (recording && process.env.LIFT_LIBP2P_TRACE !== undefined) events.push({ at: now(), node: name, event: what }) }
const count = (what: string): void => { if (recording) counts[what] = (counts[what] ?? 0) + 1 }

function counting (inner: SignatureProvider): SignatureProvider {
  return {
    name: inner.name,
    publicKey: async secret => { count('publicKey'); return await inner.publicKey(secret) },
    sign: async (secret, message) => { count('sign'); return await inner.sign(secret, message) },
    verify: async (key, message, sig) => { count('verify'); return await inner.verify(key, message, sig) }
  }
}

let profiler: Session | undefined
async function profile (on: boolean): Promise<void> {
  const dir = process.env.LIFT_LIBP2P_PROF
  if (dir === undefined) return
  if (on && profiler === undefined) {
    profiler = new Session()
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 })
    await profiler.post('Profiler.start')
  } else if (!on && profiler !== undefined) {
    const { profile } = await profiler.post('Profiler.stop')
    writeFileSync(`${dir}/${name}-${Date.now()}.cpuprofile`, JSON.stringify(profile))
    profiler.disconnect()
    profiler = undefined
  }
}

const commands: { [C in keyof Commands]: (...args: Parameters<Commands[C]>) => Promise<ReturnType<Commands[C]>> } = {
  async start (s: WalletStart) {
    name = s.name
    const crypto = counting(webCryptoProvider(webcrypto.subtle as SubtleCrypto))
    const store = await openMemoryStore()
    const { identity } = await createIdentity({ store, crypto, clock: systemClock, random: systemRandom }, s.name)
    // The network is built here as wallet-node.ts builds it for a Node host (so that the bench can see
    // which kind of link carries the lifts), and given to the node.
    const relayAddrs = s.relay !== undefined ? [s.relay] : []
    const libp2p = await createLibp2pNode({
      host: 'node', privateKey: devicePrivateKey(identity), reservations: relayAddrs.length, webrtc: false,
      listen: s.direct ? ['/ip4/127.0.0.1/tcp/0/ws'] : [], allowInsecureLoopback: true
    })
    network = new Libp2pNetwork(libp2p, { timers: systemTimers, clock: systemClock, logger, upgradeToDirect: false })
    const request = network.request.bind(network)
    network.request = async (peer, protocol, body, options) => {
      count(`sent ${protocol}`)
      trace(`> ${protocol.split('/')[2] ?? protocol} ${body.byteLength}B`)
      try {
        return await request(peer, protocol, body, options)
      } finally {
        trace(`< ${protocol.split('/')[2] ?? protocol}`)
      }
    }
    const handle = network.handle.bind(network)
    network.handle = (protocol, handler, options) => {
      handle(protocol, async (body, from) => {
        trace(`in ${protocol.split('/')[2] ?? protocol} ${body.byteLength}B`)
        try {
          return await handler(body, from)
        } finally {
          trace(`out ${protocol.split('/')[2] ?? protocol}`)
        }
      }, options)
    }
    relays = new RelayManager(libp2p, relayAddrs, { clock: systemClock, timers: systemTimers, random: systemRandom, logger })
    node = await startWalletNode({
      identity, store, crypto, clock: systemClock, timers: systemTimers, random: systemRandom, logger,
      network: { kind: 'given', network, relays },
      recovery: false
    })
    relays.start()
    lifts = node.lifts as LiftService
    return { userId: identity.userId }
  },
  async ready () {
    const { node } = running()
    for (const end = Date.now() + 15_000; ; await sleep(10)) {
      const status = node.status()
      if (status.relays.every(r => r.state === 'reserved') && node.contact().addrs.length > 0) return { addrs: node.contact().addrs }
      if (Date.now() > end) throw new Error(`${name}: not reachable (relays ${JSON.stringify(status.relays.map(r => r.state))})`)
    }
  },
  async invite (limit: number) {
    const inv = await running().node.tallies!.invite(BASE, { kind: 'extend', myLimit: limit, partnerLimit: 0 })
    return { link: inv.link }
  },
  async redeem (link: string) {
    return { id: (await running().node.tallies!.redeem(link)).id }
  },
  async accept (id: string) {
    await running().node.tallies!.accept(id)
    return null
  },
  async tally (id: string) {
    const v = await running().node.tallies!.get(id)
    return { status: v.status, balance: v.balance }
  },
  async payTally (id: string, units: number) {
    return { status: (await running().node.tallies!.pay(id, units)).status }
  },
  async liftPay (to: string, units: number, maxFee?: number) {
    return await pay(to, units, maxFee)
  },
  async batch (to: string, n: number): Promise<BatchResult> {
    const t = performance.now()
    const results = await Promise.allSettled(Array.from({ length: n }, async () => await pay(to, 1, 0)))
    const ms = performance.now() - t
    const good = results.filter(r => r.status === 'fulfilled' && r.value.status === 'good').length
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map(r => (r.reason as { code?: string }).code ?? String(r.reason))
    const other = results.filter((r): r is PromiseFulfilledResult<PaidLift> => r.status === 'fulfilled' && r.value.status !== 'good').map(r => `${r.value.status}:${r.value.code ?? ''}`)
    return { good, ms, failed, other }
  },
  async links () {
    const kinds: string[] = []
    for (const t of running().lifts.ledger.tallies()) for (const peer of t.partner.peers) kinds.push(network?.link(peer)?.kind ?? 'none')
    return kinds
  },
  async events (record: boolean) {
    const out = events
    events = []
    recording = record
    await profile(record)
    if (record) counts = {}
    return out
  },
  async settle (ms: number) {
    const { lifts } = running()
    const settled = (): boolean => lifts.ledger.tallies().every(t => Object.values(t.state.pending).every(c => c.kind !== 'lift'))
    for (const end = Date.now() + ms; !settled(); await sleep(2)) {
      if (Date.now() > end) throw new Error(`${name}: lift chits still pending after ${ms} ms`)
    }
    return null
  },
  async stats () {
    return counts
  },
  async stop () {
    relays?.stop()
    await node?.stop()
    node = undefined
    return null
  }
}

port.on('message', (request: Request) => {
  const run = commands[request.cmd] as (...args: unknown[]) => Promise<unknown>
  run(...request.args).then(
    value => { port.postMessage({ id: request.id, ok: true, value } satisfies Answer) },
    (err: unknown) => {
      const code = (err as { code?: unknown }).code
      port.postMessage({ id: request.id, ok: false, code: typeof code === 'string' ? code : 'INTERNAL', message: err instanceof Error ? err.message : String(err) } satisfies Answer)
    })
})
