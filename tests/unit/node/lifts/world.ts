// Test world for lifts: wallet nodes with the tally service over the REAL diary service and the lift
// service, on the simulated network and virtual time. Tallies open through the real invite/redeem/accept
// flow; balances are set with real pay chits. Discovery is an oracle (OracleRoutes): it computes routes
// from every node's certified tally states, with the session keys and link nonces the protocol uses, so
// these tests exercise execution, referees and decisions on their own (route*.test.ts test discovery).
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { edgeLading } from '../../../../src/core/lift/lading'
import { linkNonce } from '../../../../src/core/lift/ids'
import type { RoutePlan } from '../../../../src/core/lift/types'
import type { Identity, WalletNode } from '../../../../src/node/api'
import { createIdentity } from '../../../../src/node/identity/identity'
import { silentLogger, type Logger } from '../../../../src/node/ports'
import { MemoryDatabase, openMemoryStore } from '../../../../src/node/store/memory'
import type { MemoryStore } from '../../../../src/node/store/memory'
import { SimNetwork, type SimNode } from '../../../../src/node/net/sim/network'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { VirtualTime } from '../../../../src/node/net/sim/time'
import { startWalletNode, type LiftOptions } from '../../../../src/node/wallet-node'
import { createDiaryService } from '../../../../src/node/services/diary/index'
import type { Discovery, LiftKeys, LiftLedger, LiftServiceDeps, RouteRequest, RouteService } from '../../../../src/node/services/lifts/contracts'
import type { LiftService } from '../../../../src/node/services/lifts/service'
import type { TallyService } from '../../../../src/node/services/tallies/service'

export const BASE = 'https://wallet.example/'

/** LIFT_DEBUG=1 prints the lift services' logs. */
function logger (name: string): Logger {
  if (process.env.LIFT_DEBUG === undefined) return silentLogger
  return { log: (level, event, fields) => { if (event.startsWith('lift') || event.startsWith('referee') || level !== 'debug') console.log(name, level, event, JSON.stringify(fields)) } }
}

export interface LiftWallet {
  name: string
  identity: Identity
  node: WalletNode
  tallies: TallyService
  lifts: LiftService
  store: MemoryStore
  db: MemoryDatabase
  net: SimNode
  /** Stops the node (a crash: nothing is flushed beyond what the store holds). */
  crash (): Promise<void>
  /** Starts a new node on the same store (after crash()). */
  restart (): Promise<LiftWallet>
}

/** One node as the oracle sees it. */
interface OracleNode { userId: string, ledger: LiftLedger, keys: LiftKeys, random: LiftServiceDeps['random'] }

/** Central route finding over every registered node's certified states (the test's discovery). */
export class OracleRoutes {
  readonly nodes = new Map<string, OracleNode>()
  /** find() calls made (how many discoveries were run). */
  finds = 0

  service (deps: LiftServiceDeps, maxDepth = 6): RouteService {
    const me: OracleNode = { userId: deps.identity.userId, ledger: deps.ledger, keys: deps.keys, random: deps.random }
    this.nodes.set(me.userId, me)
    return {
      start: () => {},
      stop: () => {},
      find: async (request: RouteRequest) => { this.finds++; return this.#find(me, request, request.maxDepth ?? maxDepth) }
    }
  }

  #find (me: OracleNode, request: RouteRequest, maxDepth: number): Discovery {
    const session = toBase64url(me.random.bytes(32))
    const target = request.kind === 'circular' ? me.userId : request.to
    const plans: RoutePlan[] = []
    const walk = (node: OracleNode, hops: RoutePlan['hops'], seen: Set<string>): void => {
      if (hops.length >= maxDepth || plans.length >= 64) return
      for (const t of node.ledger.tallies()) {
        const lading = edgeLading(t.state, t.side)
        if (lading.free < request.units) continue
        const next = this.nodes.get(t.partner.userId)
        if (next === undefined) continue
        const hop = { link: linkNonce(t.id, session), key: next.keys.session(session).key, free: lading.free, clutch: lading.clutch }
        if (next.userId === target) { plans.push({ hops: [...hops, hop] }); continue }
        if (seen.has(next.userId)) continue
        walk(next, [...hops, hop], new Set([...seen, next.userId]))
      }
    }
    walk(me, [], new Set([me.userId]))
    return { session, key: me.keys.session(session).key, plans, messages: 0 }
  }
}

export interface LiftWorld {
  time: VirtualTime
  net: SimNetwork
  oracle: OracleRoutes
  wallet: (name: string, lifts?: LiftOptions) => Promise<LiftWallet>
  /**
   * Opens a tally where `foil` owes `stock` (stock extends `limits.foil` of credit to the foil; the foil
   * extends `limits.stock` to the stock), then sets the balance with a real payment (balance < 0: the foil
   * owes). Returns the tally id.
   */
  tally: (foil: LiftWallet, stock: LiftWallet, opts: { balance: number, limit: { foil: number, stock: number } }) => Promise<string>
  /** Runs until the promise settles (virtual time). */
  run: <T>(p: Promise<T>) => Promise<T>
}

/** discovery 'oracle': OracleRoutes; 'real': the route service (/mychips/route/1.0.0) of every node. */
export function liftWorld (seed: number, options: { latency?: { minMs: number, maxMs: number }, discovery?: 'oracle' | 'real' } = {}): LiftWorld {
  const time = new VirtualTime()
  const net = new SimNetwork({ timers: time.timers, random: seededRandom(seed), latency: options.latency ?? { minMs: 5, maxMs: 30 } })
  const oracle = new OracleRoutes()
  let n = 0
  const boot = async (name: string, identity: Identity, db: MemoryDatabase, random: ReturnType<typeof seededRandom>, sim: SimNode, lifts: LiftOptions): Promise<LiftWallet> => {
    const store = await openMemoryStore(db)
    const node = await startWalletNode({
      identity, store, crypto: nobleProvider, clock: time.clock, timers: time.timers, random, logger: logger(name),
      network: { kind: 'given', network: sim },
      tallies: { diary: deps => createDiaryService(deps), retry: { initialMs: 1000, maxMs: 8000 }, certifyWaitMs: 2000 },
      recovery: false,
      lifts: options.discovery === 'real' ? lifts : { route: deps => oracle.service(deps), ...lifts }
    })
    const w: LiftWallet = {
      name, identity, node, tallies: node.tallies as TallyService, lifts: node.lifts as LiftService, store, db, net: sim,
      crash: async () => { await node.stop() },
      restart: async () => await boot(name, identity, db, random, sim, lifts)
    }
    return w
  }
  const wallet = async (name: string, lifts: LiftOptions = {}): Promise<LiftWallet> => {
    const random = seededRandom(seed * 1000 + ++n)
    const db = new MemoryDatabase()
    const store = await openMemoryStore(db)
    const { identity } = await createIdentity({ store, crypto: nobleProvider, clock: time.clock, random }, name)
    await store.close()
    return await boot(name, identity, db, random, net.node(identity.peerId), lifts)
  }
  const run = async <T>(p: Promise<T>): Promise<T> => await time.run(p)
  const tally = async (foil: LiftWallet, stock: LiftWallet, opts: { balance: number, limit: { foil: number, stock: number } }): Promise<string> => {
    const inv = await stock.tallies.invite(BASE, { kind: 'extend', myLimit: opts.limit.foil, partnerLimit: opts.limit.stock })
    const { id } = await run(foil.tallies.redeem(inv.link))
    await run(foil.tallies.accept(id))
    await time.advance(1000)
    if (opts.balance < 0) await run(foil.tallies.pay(id, -opts.balance))
    if (opts.balance > 0) await run(stock.tallies.pay(id, opts.balance))
    await time.advance(1000)
    return id
  }
  return { time, net, oracle, wallet, tally, run }
}

/** My balance on a tally (certified, my side), read synchronously from the ledger view. */
export function balanceOn (w: LiftWallet, tally: string): number {
  const t = ledgerOf(w).tally(tally)
  if (t === undefined) throw new Error(`${w.name} has no open tally ${tally}`)
  const b = t.state.balance
  return (t.side === 'stock' ? b : -b) + 0
}

/** Pending lift chits on a tally (as its certified state holds them). */
export function pendingLifts (w: LiftWallet, tally: string): number {
  const t = ledgerOf(w).tally(tally)
  return t === undefined ? 0 : Object.values(t.state.pending).filter(c => c.kind === 'lift').length
}

/** The user's net: the sum of its balances from its own side. */
export function netOf (w: LiftWallet): number {
  return ledgerOf(w).tallies().reduce((s, t) => s + (t.side === 'stock' ? t.state.balance : -t.state.balance), 0) + 0
}

function ledgerOf (w: LiftWallet): LiftLedger {
  return w.lifts.ledger
}
