// Test world for route discovery: one node per user on the simulated network (virtual time, seeded
// latency), each with a fake LiftLedger over plain TallyState objects (discovery only reads states, and
// lading is a pure function of them: core/lift/lading.ts), real per-session keys, and a recorder of every
// /mychips/route/1.0.0 message each node receives (for the privacy assertions).
import { ed25519 } from '@noble/curves/ed25519.js'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { sessionSecret } from '../../../../src/core/lift/ids'
import type { TallyState } from '../../../../src/core/tally/state'
import { DEFAULT_VARS, type Side, type TradingVars } from '../../../../src/core/tally/types'
import type { Network } from '../../../../src/node/net/network'
import { SimNetwork, type SimNode } from '../../../../src/node/net/sim/network'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { VirtualTime } from '../../../../src/node/net/sim/time'
import { silentLogger } from '../../../../src/node/ports'
import { ROUTE_MARK_PROTOCOL, ROUTE_PROTOCOL } from '../../../../src/node/protocols/route'
import type { LedgerTally, LiftConfig, LiftKeys, LiftLedger } from '../../../../src/node/services/lifts/contracts'
import { createRouteService, type RouteLimits, type RouteServiceHandle } from '../../../../src/node/services/lifts/route-service'

/** A tally as research scenario 22 writes it: `balance` from the foil's side (negative: the foil owes). */
export interface TallySpec {
  id: string
  foil: string
  stock: string
  balance: number
  /** Per side, the most that side may owe (limit.foil = the stock's terms.limit). Default 0. */
  limit?: { foil?: number, stock?: number }
  /** Trading variables keyed by the user who holds them. */
  trading?: Record<string, Partial<TradingVars>>
}

export interface Captured {
  /** The node that received the message. */
  to: string
  from: string
  /** A route query or its answer (/mychips/route/1.0.0), a circular discovery's mark or its answer (/mychips/route-mark/1.0.0). */
  kind: 'query' | 'answer' | 'mark' | 'mark-answer'
  text: string
}

export interface RouteNode {
  name: string
  userId: string
  peerId: string
  net: SimNode
  keys: LiftKeys
  service: RouteServiceHandle
}

export interface WorldOptions {
  seed?: number
  latency?: { minMs: number, maxMs: number }
  config?: Partial<LiftConfig>
  limits?: Partial<RouteLimits>
}

const decoder = new TextDecoder()

export class RouteWorld {
  readonly time = new VirtualTime()
  readonly net: SimNetwork
  readonly nodes = new Map<string, RouteNode>()
  readonly states = new Map<string, TallyState>()
  readonly specs = new Map<string, TallySpec>()
  readonly captured: Captured[] = []
  /** Tallies a node's ledger does not show (user → tally ids). */
  readonly hidden = new Map<string, Set<string>>()
  readonly #random: ReturnType<typeof seededRandom>
  /** Tally ids by user (the specs given at construction; `specs` may change what each id holds). */
  readonly #byUser = new Map<string, string[]>()

  constructor (users: readonly string[], tallies: readonly TallySpec[], readonly options: WorldOptions = {}) {
    const seed = options.seed ?? 1
    this.#random = seededRandom(seed)
    this.net = new SimNetwork({ timers: this.time.timers, random: seededRandom(seed + 1), latency: options.latency ?? { minMs: 20, maxMs: 80 } })
    for (const t of tallies) {
      this.specs.set(t.id, t)
      for (const u of [t.foil, t.stock]) this.#byUser.set(u, [...(this.#byUser.get(u) ?? []), t.id])
      this.states.set(t.id, tallyState(t, name => this.#userId(name)))
    }
    users.forEach((name, i) => { this.#add(name, seed * 1000 + i) })
  }

  readonly #userIds = new Map<string, string>()

  #userId (name: string): string {
    let id = this.#userIds.get(name)
    if (id === undefined) {
      id = toBase64url(ed25519.getPublicKey(this.#random.bytes(32)))
      this.#userIds.set(name, id)
    }
    return id
  }

  #add (name: string, seed: number): void {
    const peerId = `peer${name}`
    const net = this.net.node(peerId)
    void net.start()
    const random = seededRandom(seed)
    const keys = fakeKeys(random.bytes(32))
    const userId = this.#userId(name)
    const service = createRouteService({
      network: this.#recording(net), ledger: this.ledger(name), keys, clock: this.time.clock, timers: this.time.timers, random,
      logger: silentLogger, userId, ...(this.options.config !== undefined ? { config: this.options.config } : {}),
      ...(this.options.limits !== undefined ? { limits: this.options.limits } : {})
    })
    service.start()
    this.nodes.set(name, { name, userId, peerId, net, keys, service })
  }

  node (name: string): RouteNode {
    const n = this.nodes.get(name)
    if (n === undefined) throw new Error(`no node ${name}`)
    return n
  }

  userId (name: string): string { return this.#userId(name) }

  /** `name`'s ledger stops showing the tally (its partner still does). */
  hide (name: string, tally: string): void {
    const set = this.hidden.get(name) ?? new Set<string>()
    set.add(tally)
    this.hidden.set(name, set)
  }

  /** The fake ledger of `name`: every tally it is a party to, with the partner's single peer. */
  ledger (name: string): LiftLedger {
    const view = (id: string): LedgerTally | undefined => {
      const spec = this.specs.get(id)
      const state = this.states.get(id)
      if (spec === undefined || state === undefined || (spec.foil !== name && spec.stock !== name)) return undefined
      if (this.hidden.get(name)?.has(id) === true) return undefined
      const side: Side = spec.foil === name ? 'foil' : 'stock'
      const partner = side === 'foil' ? spec.stock : spec.foil
      return { id, side, partner: { userId: this.#userId(partner), peers: [`peer${partner}`] }, state }
    }
    return {
      tallies: () => [...(this.#byUser.get(name) ?? [])].map(view).filter((t): t is LedgerTally => t !== undefined),
      tally: view,
      submitLift: async () => { throw new Error('discovery never submits') },
      submitDecision: async () => { throw new Error('discovery never submits') },
      onCertified: () => () => {}
    }
  }

  /** Runs the promise on virtual time; returns its value and the virtual ms it took. */
  async run<T> (promise: Promise<T>): Promise<{ value: T, ms: number }> {
    const start = this.time.now
    const value = await this.time.run(promise)
    return { value, ms: this.time.now - start }
  }

  /** Route messages (queries, answers, marks) received by `name`. */
  received (name: string): Captured[] {
    const peer = this.node(name).peerId
    return this.captured.filter(c => c.to === peer)
  }

  stop (): void {
    for (const n of this.nodes.values()) n.service.stop()
  }

  /** The node's network, recording every route query it receives and every answer it sends back. */
  #recording (node: SimNode): Network {
    const captured = this.captured
    return new Proxy(node, {
      get (target, prop, receiver) {
        if (prop === 'handle') {
          return (protocol: string, handler: Parameters<Network['handle']>[1], options: Parameters<Network['handle']>[2]) => {
            const mark = protocol === ROUTE_MARK_PROTOCOL
            target.handle(protocol, protocol !== ROUTE_PROTOCOL && !mark
              ? handler
              : async (request, from) => {
                captured.push({ to: target.peerId, from: from.peerId, kind: mark ? 'mark' : 'query', text: decoder.decode(request) })
                const response = await handler(request, from)
                captured.push({ to: from.peerId, from: target.peerId, kind: mark ? 'mark-answer' : 'answer', text: decoder.decode(response) })
                return response
              }, options)
          }
        }
        const value: unknown = Reflect.get(target, prop, receiver)
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
      }
    })
  }
}

/** LiftKeys over a member secret: real Ed25519 session keys (as services/lifts derives them), no referee use. */
export function fakeKeys (memberSecret: Uint8Array): LiftKeys {
  const cache = new Map<string, { secret: Uint8Array, key: string }>()
  return {
    session (session) {
      let p = cache.get(session)
      if (p === undefined) {
        const secret = sessionSecret(memberSecret, session)
        p = { secret, key: toBase64url(ed25519.getPublicKey(secret)) }
        cache.set(session, p)
      }
      return p
    },
    referee: { secret: new Uint8Array(32), key: toBase64url(ed25519.getPublicKey(new Uint8Array(32))) }
  }
}

/** A plain TallyState for a spec (open, good balance only, no pending chits). */
export function tallyState (t: TallySpec, userId: (name: string) => string): TallyState {
  const party = (side: Side) => {
    const holder = side === 'foil' ? t.foil : t.stock
    const partner = side === 'foil' ? t.stock : t.foil
    return {
      userId: userId(holder),
      // terms.limit of a side is what its partner may owe it.
      terms: { limit: t.limit?.[side === 'foil' ? 'stock' : 'foil'] ?? 0, call: 30 },
      vars: { ...DEFAULT_VARS, ...t.trading?.[holder] },
      chain: { index: 0, next: userId(partner) },
      members: []
    }
  }
  return {
    tally: t.id, doc: 'd'.repeat(43), status: 'open', balance: -t.balance,
    stock: party('stock'), foil: party('foil'), pending: {}, chits: {}, actions: 0
  }
}

/** Research scenario 22: A→B 10000, B→C 7000, C→A 12000 (the foil owes the stock). */
export const SCENARIO_22: TallySpec[] = [
  { id: 'tally-t1-AB', foil: 'A', stock: 'B', balance: -10000, limit: { foil: 20000, stock: 0 } },
  { id: 'tally-t2-BC', foil: 'B', stock: 'C', balance: -7000, limit: { foil: 20000, stock: 0 } },
  { id: 'tally-t3-CA', foil: 'C', stock: 'A', balance: -12000, limit: { foil: 20000, stock: 0 } }
]

/**
 * Research scenario 28: users pSUU on sites S = 10..13; "X→Y n" = X (foil) owes Y (stock) n. Horizontal
 * pS00→pS01 4, pS01→pS02 5, pS02→pS03 6; cross pS00→p(S+1)01 10, pS01→p(S+1)02 20, pS02→p(S+1)03 30.
 */
export function grid (): { users: string[], tallies: TallySpec[] } {
  const users: string[] = []
  const tallies: TallySpec[] = []
  const p = (s: number, u: number): string => `p${s}${String(u).padStart(2, '0')}`
  const owe = (foil: string, stock: string, n: number): void => {
    tallies.push({ id: `tally-${foil}-${stock}`, foil, stock, balance: -n })
  }
  for (let s = 10; s <= 13; s++) {
    for (let u = 0; u <= 3; u++) users.push(p(s, u))
    owe(p(s, 0), p(s, 1), 4)
    owe(p(s, 1), p(s, 2), 5)
    owe(p(s, 2), p(s, 3), 6)
    if (s < 13) {
      owe(p(s, 0), p(s + 1, 1), 10)
      owe(p(s, 1), p(s + 1, 2), 20)
      owe(p(s, 2), p(s + 1, 3), 30)
    }
  }
  return { users, tallies }
}

/** A chain 0 → 1 → … → n where each node can give `free` to the next (the next owes it). */
export function chain (n: number, free: number): { users: string[], tallies: TallySpec[] } {
  const users = Array.from({ length: n + 1 }, (_, i) => `N${i}`)
  const tallies: TallySpec[] = []
  for (let i = 0; i < n; i++) tallies.push({ id: `tally-chain-${i}`, foil: users[i + 1]!, stock: users[i]!, balance: -free })
  return { users, tallies }
}
