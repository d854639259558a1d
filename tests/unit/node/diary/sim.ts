// Test harness: diary services on the simulated network with virtual time and seeded randomness. Every
// node keeps its MemoryDatabase across crashes (a restart reopens the same data with a new writer epoch).
import { generateKeyPairFromSeed, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MalformedError } from '../../../../src/core/errors'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { verifyOnceCache } from '../../../../src/core/crypto/cache'
import { sha256 } from '../../../../src/core/codec/hash'
import type { Genesis, MemberSet, ReplicatedMachine } from '../../../../src/core/diary'
import { SimNetwork, type SimNode } from '../../../../src/node/net/sim/network'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { VirtualTime } from '../../../../src/node/net/sim/time'
import { silentLogger, type Logger } from '../../../../src/node/ports'
import { MemoryDatabase, MemoryStore } from '../../../../src/node/store/memory'
import type { ReadTx, Store, WriteTx } from '../../../../src/node/store/store'
import { createDiaryService, memberIdentityFromPeerKey, type DiaryConfig, type DiaryIdentity, type DiaryService } from '../../../../src/node/services/diary'

export const provider = verifyOnceCache(nobleProvider)

export interface NodeKeys { name: string, peerId: string, identity: DiaryIdentity }

export async function nodeKeys (name: string): Promise<NodeKeys> {
  const key = await generateKeyPairFromSeed('Ed25519', sha256(new TextEncoder().encode(`diary-sim:${name}`)))
  return { name, peerId: peerIdFromPrivateKey(key).toString(), identity: memberIdentityFromPeerKey(privateKeyToProtobuf(key)) }
}

/** When a write matching `match` comes: 'before' = die before it commits, 'after' = die right after it commits. */
export interface CrashPlan { when: 'before' | 'after', match: (puts: Array<{ table: string, key: string, value: unknown }>) => boolean }

/** A store that can "lose power" at a chosen write: the write's promise never settles and the node is stopped. */
export class CrashableStore implements Store {
  plan: CrashPlan | undefined
  onCrash: (() => void) | undefined
  constructor (private readonly inner: MemoryStore) {}
  get epoch (): number { return this.inner.epoch }
  async claimWriter (): Promise<number> { return await this.inner.claimWriter() }
  async read<T> (body: (tx: ReadTx) => Promise<T>): Promise<T> { return await this.inner.read(body) }
  async write<T> (body: (tx: WriteTx) => Promise<T>): Promise<T> {
    const plan = this.plan
    if (plan === undefined) return await this.inner.write(body)
    // Record what the body would write, on a throw-away transaction.
    const puts: Array<{ table: string, key: string, value: unknown }> = []
    const probe: WriteTx = {
      get: async () => undefined, list: async () => [], delete: async () => {},
      put: async (table, key, value) => { puts.push({ table, key, value }) }
    }
    await body(probe).catch(() => undefined)
    if (!plan.match(puts)) return await this.inner.write(body)
    this.plan = undefined
    if (plan.when === 'after') await this.inner.write(body)
    this.onCrash?.()
    return await new Promise<T>(() => {})
  }
  async close (): Promise<void> { await this.inner.close() }
}

export class SimDiaryNode<S, A> {
  db = new MemoryDatabase()
  store!: CrashableStore
  service!: DiaryService<S, A>
  up = false
  constructor (readonly sim: DiarySim<S, A>, readonly keys: NodeKeys, readonly net: SimNode) {}

  get key (): string { return this.keys.identity.key }

  async start (): Promise<void> {
    const inner = new MemoryStore(this.db)
    await inner.claimWriter()
    this.store = new CrashableStore(inner)
    this.store.onCrash = () => { void this.crash() }
    await this.net.start()
    this.service = createDiaryService<S, A>({
      network: this.net, store: this.store, crypto: provider, machine: this.sim.machine, identity: this.keys.identity,
      clock: this.sim.time.clock, timers: this.sim.time.timers, random: this.sim.random, check: this.sim.check, logger: { log: (l, e, f) => { this.sim.logger.log(l, e, f) } }, config: this.sim.config
    })
    this.up = true
  }

  /** Power loss: the service and the network stop at once; the database keeps what was committed. */
  async crash (): Promise<void> {
    if (!this.up) return
    this.up = false
    await this.service.stop()
    await this.net.stop()
  }

  crashAt (plan: CrashPlan): void { this.store.plan = plan }

  /** The device lost its data (a new, empty database; same keys). Crash it first. */
  wipe (): void { this.db = new MemoryDatabase() }
}

export class DiarySim<S, A> {
  readonly time = new VirtualTime()
  readonly random: ReturnType<typeof seededRandom>
  readonly net: SimNetwork
  readonly nodes: Array<SimDiaryNode<S, A>> = []
  logger: Logger = silentLogger
  /** The toy machine's stateless action check (what preverifyAction is for tallies). */
  check = async (a: unknown): Promise<void> => { if (typeof a !== 'object' || a === null || (a as { type?: unknown }).type === 'explode') throw new MalformedError('not a toy action') }

  constructor (readonly machine: ReplicatedMachine<S, A>, seed: number, readonly config: Partial<DiaryConfig> = {}) {
    this.random = seededRandom(seed)
    this.net = new SimNetwork({ timers: this.time.timers, random: this.random, latency: { minMs: 2, maxMs: 10 } })
  }

  async add (name: string): Promise<SimDiaryNode<S, A>> {
    const keys = await nodeKeys(name)
    const n = new SimDiaryNode(this, keys, this.net.node(keys.peerId))
    await n.start()
    this.nodes.push(n)
    return n
  }

  /** Runs the simulation (microtasks, then the next timer) until `done` holds. Throws if it stalls or runs out of time. */
  async until (done: () => boolean, maxMs = 10 * 60_000): Promise<void> {
    const end = this.time.now + maxMs
    let idle = 0
    for (;;) {
      await flush()
      if (done()) return
      if (this.time.now > end) throw new Error(`simulation: condition not met within ${maxMs} ms of virtual time`)
      if (this.time.step()) { idle = 0; continue }
      if (++idle > 50) throw new Error('simulation: nothing left to run and the condition is not met')
    }
  }

  /** Runs until a promise settles and returns its value. */
  async settle<T> (p: Promise<T>, maxMs?: number): Promise<T> {
    const out: { state: 'pending' | 'ok' | 'err', value?: T, error?: unknown } = { state: 'pending' }
    p.then(v => { out.state = 'ok'; out.value = v }, (e: unknown) => { out.state = 'err'; out.error = e })
    await this.until(() => out.state !== 'pending', maxMs)
    if (out.state === 'err') throw out.error
    return out.value as T
  }

  /** Advances virtual time by ms, running everything due. */
  async advance (ms: number): Promise<void> {
    const to = this.time.now + ms
    await this.until(() => this.time.now >= to || (this.time.pending === 0), ms + 1)
  }
}

async function flush (): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>(resolve => { setImmediate(resolve) })
}

export function memberSetOf (stock: Array<{ key: string }>, foil: Array<{ key: string }>): MemberSet {
  return { stock: stock.map(n => ({ key: n.key, weight: 1 })), foil: foil.map(n => ({ key: n.key, weight: 1 })) }
}

export type { Genesis }
