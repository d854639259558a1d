// Three wallet nodes in one process (one event loop) over libp2p through a loopback relay, tallies P–X and
// X–Q opened through the real invitation flow: the integration test's fixture (tests/integration/lifts.test.ts).
// The bench runs each wallet in its own worker thread instead (remote.ts).
import { webcrypto } from 'node:crypto'
import { webCryptoProvider } from '../../../src/core/crypto/webcrypto'
import type { SignatureProvider } from '../../../src/core/crypto/provider'
import type { TallyView, WalletNode } from '../../../src/node/api'
import { createIdentity } from '../../../src/node/identity/identity'
import { silentLogger, systemClock, systemRandom, systemTimers, type Logger } from '../../../src/node/ports'
import { openMemoryStore } from '../../../src/node/store/memory'
import { startWalletNode } from '../../../src/node/wallet-node'
import type { LiftConfig } from '../../../src/node/services/lifts/contracts'
import type { LiftService } from '../../../src/node/services/lifts/service'
import { until } from './wait'

const BASE = 'https://wallet.example/'

export interface TrioWallet { name: string, userId: string, node: WalletNode, lifts: LiftService }

export interface LiftTrio {
  p: TrioWallet
  x: TrioWallet
  q: TrioWallet
  /** Tally ids: X owes P (P gives to X), Q owes X (X gives to Q). */
  px: string
  xq: string
  /** With `cycle`: P owes Q, closing the circle of debts X → P → Q → X. */
  qp?: string
  stop (): Promise<void>
}

/** DEBUG_WALLET=1 prints the nodes' logs. */
function logger (name: string): Logger {
  if (process.env.DEBUG_WALLET === undefined) return silentLogger
  return { log: (level, event, fields) => { console.log(Math.round(performance.now()), name, level, event, JSON.stringify(fields ?? {})) } }
}

async function wallet (name: string, relay: string, crypto: SignatureProvider, config?: Partial<LiftConfig>): Promise<TrioWallet> {
  const store = await openMemoryStore()
  const { identity } = await createIdentity({ store, crypto, clock: systemClock, random: systemRandom }, name)
  const node = await startWalletNode({
    identity, store, crypto, clock: systemClock, timers: systemTimers, random: systemRandom, logger: logger(name),
    network: { kind: 'libp2p', host: 'node', relays: [relay], webrtc: false, allowInsecureLoopback: true },
    recovery: false,
    ...(config !== undefined ? { lifts: { config } } : {})
  })
  return { name, userId: identity.userId, node, lifts: node.lifts as LiftService }
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

/**
 * Three wallets P, X, Q over libp2p through a loopback relay, with P–X and X–Q tallies carrying `balance`
 * (and with `cycle` a Q–P one too: P owes Q); `lifts`: the wallets' lift config.
 */
export async function liftTrio (options: { relay: string, crypto?: SignatureProvider, balance?: number, cycle?: boolean, lifts?: Partial<LiftConfig> }): Promise<LiftTrio> {
  const crypto = options.crypto ?? webCryptoProvider(webcrypto.subtle as SubtleCrypto)
  const balance = options.balance ?? 1_000_000
  const all: TrioWallet[] = []
  try {
    for (const name of ['P', 'X', 'Q']) all.push(await wallet(name, options.relay, crypto, options.lifts))
    const [p, x, q] = all as [TrioWallet, TrioWallet, TrioWallet]
    await until(async () => all, ws => ws.every(w => w.node.status().relays[0]?.state === 'reserved' && w.node.contact().addrs.length > 0), 'the relay reservations')
    const px = await openOwing(x, p, balance, 10 * balance)
    const xq = await openOwing(q, x, balance, 10 * balance)
    const qp = options.cycle === true ? await openOwing(p, q, balance, 10 * balance) : undefined
    return { p, x, q, px, xq, ...(qp !== undefined ? { qp } : {}), stop: async () => { await Promise.all(all.map(async w => { await w.node.stop() })) } }
  } catch (err) {
    await Promise.all(all.map(async w => { await w.node.stop() }))
    throw err
  }
}
