// Lifts between real wallet nodes over libp2p on loopback (outside the simulator): three Node wallet
// nodes (native Ed25519), tallies P–X and X–Q opened through the real invitation flow, links relayed by
// the project's relay (relay/server.ts, 1 GiB data limit per relayed connection so the relay's reset
// policy is not what is measured). P pays Q, with whom it has no tally, through X: discovery
// (/mychips/route/1.0.0), the lift (/mychips/lift/1.0.0), the referee (P's own node) and three certified
// diary entries per leg.
// - latency: one payment at a time, request (pay) → good at the payer, p50 and p99 (target ≤ 100 ms);
// - concurrency: payments started at once, all carried by X (the intermediary holds every lift's two
//   chits); reported: the largest batch in which every lift ended good (target ≥ 100).
// Smoke mode: 5 payments of latency, a batch of 10.
import { webcrypto } from 'node:crypto'
import { webCryptoProvider } from '../../src/core/crypto/webcrypto'
import type { SignatureProvider } from '../../src/core/crypto/provider'
import type { LiftView, TallyView, WalletNode } from '../../src/node/api'
import { createIdentity } from '../../src/node/identity/identity'
import { silentLogger, systemClock, systemRandom, systemTimers, type Logger } from '../../src/node/ports'
import { openMemoryStore } from '../../src/node/store/memory'
import { startWalletNode } from '../../src/node/wallet-node'
import type { LiftService } from '../../src/node/services/lifts/service'
import { startRelay } from '../../relay/server'
import type { Bench } from './types'

const BASE = 'https://wallet.example/'

export interface TrioWallet { name: string, userId: string, node: WalletNode, lifts: LiftService }

export interface LiftTrio {
  p: TrioWallet
  x: TrioWallet
  q: TrioWallet
  /** Tally ids: X owes P (P gives to X), Q owes X (X gives to Q). */
  px: string
  xq: string
  stop (): Promise<void>
}

/** DEBUG_WALLET=1 prints the nodes' logs. */
function logger (name: string): Logger {
  if (process.env.DEBUG_WALLET === undefined) return silentLogger
  return { log: (level, event, fields) => { console.log(Math.round(performance.now()), name, level, event, JSON.stringify(fields ?? {})) } }
}

async function wallet (name: string, relay: string, crypto: SignatureProvider): Promise<TrioWallet> {
  const store = await openMemoryStore()
  const { identity } = await createIdentity({ store, crypto, clock: systemClock, random: systemRandom }, name)
  const node = await startWalletNode({
    identity, store, crypto, clock: systemClock, timers: systemTimers, random: systemRandom, logger: logger(name),
    network: { kind: 'libp2p', host: 'node', relays: [relay], webrtc: false, allowInsecureLoopback: true },
    recovery: false
  })
  return { name, userId: identity.userId, node, lifts: node.lifts as LiftService }
}

async function until<T> (read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v)) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/** Opens a tally where `foil` owes `stock` `balance` (a real payment), with `limit` of credit from the stock. */
async function openOwing (foil: TrioWallet, stock: TrioWallet, balance: number, limit: number): Promise<string> {
  const inv = await stock.node.tallies!.invite(BASE, { kind: 'extend', myLimit: limit, partnerLimit: 0 })
  const offer = await foil.node.tallies!.redeem(inv.link)
  await foil.node.tallies!.accept(offer.id)
  await until(async () => await stock.node.tallies!.get(offer.id), (v: TallyView) => v.status === 'open', 'the tally to open')
  await until(async () => await foil.node.tallies!.get(offer.id), (v: TallyView) => v.status === 'open', 'the tally to open')
  const paid = await foil.node.tallies!.pay(offer.id, balance)
  if (paid.status !== 'final') throw new Error(`the opening payment is ${paid.status}`)
  await until(async () => await stock.node.tallies!.get(offer.id), (v: TallyView) => v.balance === balance, 'the payment at the stock')
  return offer.id
}

/** Three wallets P, X, Q over libp2p through a loopback relay, with P–X and X–Q tallies carrying `balance`. */
export async function liftTrio (options: { relay: string, crypto?: SignatureProvider, balance?: number }): Promise<LiftTrio> {
  const crypto = options.crypto ?? webCryptoProvider(webcrypto.subtle as SubtleCrypto)
  const balance = options.balance ?? 1_000_000
  const all: TrioWallet[] = []
  try {
    for (const name of ['P', 'X', 'Q']) all.push(await wallet(name, options.relay, crypto))
    const [p, x, q] = all as [TrioWallet, TrioWallet, TrioWallet]
    await until(async () => all, ws => ws.every(w => w.node.status().relays[0]?.state === 'reserved' && w.node.contact().addrs.length > 0), 'the relay reservations')
    const px = await openOwing(x, p, balance, 10 * balance)
    const xq = await openOwing(q, x, balance, 10 * balance)
    return { p, x, q, px, xq, stop: async () => { await Promise.all(all.map(async w => { await w.node.stop() })) } }
  } catch (err) {
    await Promise.all(all.map(async w => { await w.node.stop() }))
    throw err
  }
}

function percentile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

const bench: Bench = async (ctx) => {
  const latencyN = ctx.smoke ? 5 : 100
  const batches = ctx.smoke ? [10] : [50, 100, 200]
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dist: null, keyFile: null, logLevel: 'silent', limits: { relayDataBytes: 1024 ** 3 } })
  const addr = relay.multiaddrs[0]
  if (addr === undefined) throw new Error('the relay has no address')
  const trio = await liftTrio({ relay: addr })
  try {
    const { p, q } = trio
    // warm up: connections, code paths, the verify caches
    for (let i = 0; i < 3; i++) await p.lifts.pay({ to: q.userId, units: 1 })
    const ms: number[] = []
    for (let i = 0; i < latencyN; i++) {
      const t = performance.now()
      const lift = await p.lifts.pay({ to: q.userId, units: 1 + (i % 5) })
      ms.push(performance.now() - t)
      if (lift.status !== 'good') throw new Error(`payment ${i} ended ${lift.status} (${lift.error?.code ?? ''})`)
    }
    ms.sort((a, b) => a - b)
    const extra = { payments: latencyN, users: 3, legs: 2, link: 'relayed (loopback)', crypto: 'webcrypto' }
    ctx.report({ bench: 'lift-libp2p', metric: 'payment lift request→good p50', value: round(percentile(ms, 0.5)), unit: 'ms', target: '<= 100 ms', ...extra })
    ctx.report({ bench: 'lift-libp2p', metric: 'payment lift request→good p99', value: round(percentile(ms, 0.99)), unit: 'ms', ...extra })

    let carried = 0
    for (const n of batches) {
      const t = performance.now()
      const results = await Promise.allSettled(Array.from({ length: n }, async () => await p.lifts.pay({ to: q.userId, units: 1, maxFee: 0 })))
      const good = results.filter((r): r is PromiseFulfilledResult<LiftView> => r.status === 'fulfilled' && r.value.status === 'good').length
      const failed = results.filter(r => r.status === 'rejected').map(r => (r.reason as { code?: string }).code ?? String(r.reason))
      const other = results.filter((r): r is PromiseFulfilledResult<LiftView> => r.status === 'fulfilled' && r.value.status !== 'good').map(r => `${r.value.status}:${r.value.error?.code ?? ''}`)
      ctx.log(`${n} concurrent payments: ${good} good in ${round((performance.now() - t) / 1000)} s; failed ${JSON.stringify(failed.slice(0, 5))} other ${JSON.stringify(other.slice(0, 5))}`)
      if (good !== n) break
      carried = n
    }
    ctx.report({ bench: 'lift-libp2p', metric: 'lifts one node carries at once without failures', value: carried, unit: 'lifts', target: '>= 100', tried: batches, node: 'X (intermediary)' })
  } finally {
    await trio.stop()
    await relay.stop()
  }
}

function round (x: number): number {
  return Math.round(x * 100) / 100
}

export default bench
