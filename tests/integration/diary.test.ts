// Certified diary replication of a real tally between two Node nodes on real libp2p through the project's
// relay on loopback: 1,000 chits issued concurrently by both parties (identical diaries, exact balances),
// a member crashing mid-commit and restarting, the partner offline and then back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { webcrypto } from 'node:crypto'
import { webCryptoProvider } from '../../src/core/crypto/webcrypto'
import { verifyOnceCache } from '../../src/core/crypto/cache'
import { verifyHistory, type Genesis } from '../../src/core/diary'
import { tallyMachine } from '../../src/core/tally/machine'
import { balanceOf, tallyGenesis, type TallyState } from '../../src/core/tally/state'
import type { TallyAction } from '../../src/core/chit/types'
import { silentLogger, type Logger, systemClock, systemRandom, systemTimers } from '../../src/node/ports'
import { createLibp2pNode } from '../../src/node/net/libp2p/node'
import { Libp2pNetwork } from '../../src/node/net/libp2p/network'
import { RelayManager } from '../../src/node/net/libp2p/relays'
import { MemoryDatabase, MemoryStore } from '../../src/node/store/memory'
import { createDiaryService, memberIdentityFromPeerKey, tallyDiaryHooks, type DiaryService } from '../../src/node/services/diary'
import { startTestRelay, waitFor, type TestRelay } from './helpers/relay'
import { Device, chitId, openWorld, type World } from '../unit/core/tally/fixtures'
import { CrashableStore } from '../unit/node/diary/sim'

const p = webCryptoProvider(webcrypto.subtle as SubtleCrypto)
/** DEBUG_DIARY=1 prints the services' structured logs. */
const logger: Logger = process.env.DEBUG_DIARY === undefined ? silentLogger : { log: (level, event, fields) => { console.log(Date.now() % 100000, level, event, JSON.stringify(fields ?? {})) } }
const N = Number(process.env.DIARY_N ?? 500)
type Diary = DiaryService<TallyState, TallyAction>


class Peer {
  readonly db = new MemoryDatabase()
  store!: CrashableStore
  net!: Libp2pNetwork
  relays!: RelayManager
  diary!: Diary
  up = false
  constructor (readonly name: string, readonly key: PrivateKey, readonly relay: TestRelay) {}

  get member (): string { return memberIdentityFromPeerKey(privateKeyToProtobuf(this.key)).key }

  async start (other: () => Peer): Promise<void> {
    const node = await createLibp2pNode({ host: 'node', privateKey: this.key, reservations: 1, allowInsecureLoopback: true })
    this.net = new Libp2pNetwork(node, { timers: systemTimers, logger: silentLogger, clock: systemClock })
    this.relays = new RelayManager(node, [this.relay.addr], { clock: systemClock, timers: systemTimers, random: systemRandom, logger: silentLogger })
    const inner = new MemoryStore(this.db)
    await inner.claimWriter()
    this.store = new CrashableStore(inner)
    this.store.onCrash = () => { void this.stop() }
    const crypto = verifyOnceCache(p)
    this.diary = createDiaryService<TallyState, TallyAction>({
      network: this.net, store: this.store, crypto, machine: tallyMachine(crypto), identity: memberIdentityFromPeerKey(privateKeyToProtobuf(this.key)),
      clock: systemClock, timers: systemTimers, random: systemRandom, logger: { log: (l, e, f) => { logger.log(l, e, { node: this.name, ...f }) } },
      addrsOf: () => other().up ? other().net.addrs().filter(a => a.includes('/p2p-circuit')) : [],
      ...tallyDiaryHooks(crypto),
      config: { proposer: { maxAttempts: 10, maxRounds: 10, resendMs: 500, backoff: { baseMs: 50, capMs: 1_000 }, checkpointEvery: 1_000 }, retry: { baseMs: 200, capMs: 1_000 }, handoffTimeoutMs: 3_000, unreachableMs: 500 }
    })
    await this.net.start()
    this.relays.start()
    await waitFor(() => this.relays.status()[0]?.state === 'reserved' && this.net.addrs().some(a => a.includes('/p2p-circuit')), 15_000, `${this.name} reserved`)
    this.up = true
  }

  async stop (): Promise<void> {
    if (!this.up) return
    this.up = false
    await this.diary.stop()
    this.relays.stop()
    await this.net.stop()
  }
}

let relay: TestRelay
let alice: Peer // foil: the preferred proposer
let bob: Peer // stock
let world: World
let genesis: Genesis<TallyState>
let aliceDevice: Device
let bobDevice: Device

beforeAll(async () => {
  relay = await startTestRelay()
  const [ka, kb] = await Promise.all([generateKeyPair('Ed25519'), generateKeyPair('Ed25519')])
  alice = new Peer('alice', ka, relay)
  bob = new Peer('bob', kb, relay)
  await Promise.all([alice.start(() => bob), bob.start(() => alice)])
  world = await openWorld({ limits: { stock: 10_000_000, foil: 10_000_000 }, nodes: { stock: [bob.member], foil: [alice.member] } })
  genesis = await tallyGenesis(p, world.signed)
  aliceDevice = new Device(world.alice, 'foil')
  bobDevice = new Device(world.bob, 'stock')
  await alice.diary.open(genesis)
  await bob.diary.open(genesis)
}, 30_000)

afterAll(async () => {
  await Promise.all([alice?.stop(), bob?.stop()])
  await relay?.stop()
})

async function expectSameDiaries (): Promise<void> {
  const [a, b] = await Promise.all([alice.diary.entries(genesis.tally), bob.diary.entries(genesis.tally)])
  expect(a.length).toBeGreaterThan(0)
  expect(b).toEqual(a)
  // Each node's history verifies offline from the genesis to the state it holds.
  const crypto = verifyOnceCache(p)
  const verified = await verifyHistory({ provider: crypto, machine: tallyMachine(crypto), tally: genesis.tally }, genesis, a)
  expect(verified.head.state).toEqual(alice.diary.state(genesis.tally))
  expect(bob.diary.state(genesis.tally)).toEqual(alice.diary.state(genesis.tally))
}

async function sameHead (): Promise<void> {
  await waitFor(() => alice.diary.head(genesis.tally)?.seq === bob.diary.head(genesis.tally)?.seq, 10_000, 'same head')
}

describe('diary replication over libp2p through the relay', () => {
  it('1,000 chits issued concurrently by both parties: identical certified diaries and exact balances', async () => {
    const toBob: number[] = Array.from({ length: N }, (_, i) => 1 + (i * 7) % 13)
    const toAlice: number[] = Array.from({ length: N }, (_, i) => 1 + (i * 5) % 11)
    const fromAlice = await Promise.all(toBob.map(async (units) => ({ units, chit: chitId() }))).then(async xs => {
      const out: TallyAction[] = []
      for (const x of xs) out.push(await aliceDevice.sign({ op: 'pay', chit: x.chit, units: x.units }))
      return out
    })
    const fromBob: TallyAction[] = []
    for (const units of toAlice) fromBob.push(await bobDevice.sign({ op: 'pay', chit: chitId(), units }))
    const started = Date.now()
    // Both parties submit at once, in small groups (as a busy user would), without waiting for each other.
    const subs: Array<Promise<unknown>> = []
    for (let i = 0; i < N; i += 5) {
      subs.push(alice.diary.submit(genesis.tally, fromAlice.slice(i, i + 5)))
      subs.push(bob.diary.submit(genesis.tally, fromBob.slice(i, i + 5)))
    }
    const results = await Promise.all(subs) as Array<{ outcomes: Array<{ refused?: string }> }>
    const ms = Date.now() - started
    expect(results.flatMap(r => r.outcomes)).toHaveLength(2 * N)
    expect(results.flatMap(r => r.outcomes).filter(o => o.refused !== undefined)).toEqual([])
    await sameHead()
    await expectSameDiaries()
    const entries = await alice.diary.entries(genesis.tally)
    expect(entries.flatMap(c => c.entry.body.actions)).toHaveLength(2 * N)
    // Exact balances, each from its own side: the foil paid the stock Σ toBob, the stock paid the foil Σ toAlice.
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
    const stockView = balanceOf(bob.diary.state(genesis.tally)!, 'stock')
    const foilView = balanceOf(alice.diary.state(genesis.tally)!, 'foil')
    expect(stockView).toBe(-foilView)
    expect(Math.abs(stockView)).toBe(Math.abs(sum(toBob) - sum(toAlice)))
    expect(stockView).not.toBe(0)
    console.log(`diary integration: ${2 * N} chits certified in ${ms} ms in ${entries.length} entries`)
  }, 60_000)

  it('a member crashing mid-commit (after its reservation, before its answer) converges after a restart', async () => {
    const seq = bob.diary.head(genesis.tally)!.seq
    bob.store.plan = { when: 'after', match: puts => puts.some(x => x.table === 'pending' && (x.value as { reservation?: unknown }).reservation !== undefined) }
    const action = await aliceDevice.sign({ op: 'pay', chit: chitId(), units: 3 })
    const done = alice.diary.submit(genesis.tally, [action])
    await waitFor(() => !bob.up, 10_000, 'bob crashed')
    await bob.start(() => alice)
    await bob.diary.resume()
    const r = await done
    expect(r.outcomes[0]!.seq).toBe(seq + 1)
    await sameHead()
    await expectSameDiaries()
  }, 30_000)

  it('the partner offline: the payment waits for it, then completes when it is back', async () => {
    await bob.stop()
    const queued: string[] = []
    const off = alice.diary.on('queued', e => { for (const q of e.queued) queued.push(q.reason) })
    const action = await aliceDevice.sign({ op: 'pay', chit: chitId(), units: 4 })
    const done = alice.diary.submit(genesis.tally, [action])
    await waitFor(() => queued.includes('partner'), 15_000, 'waiting for the partner')
    expect(await alice.diary.queued(genesis.tally)).toHaveLength(1)
    await bob.start(() => alice)
    await bob.diary.resume()
    await done
    off()
    expect(await alice.diary.queued(genesis.tally)).toEqual([])
    await sameHead()
    await expectSameDiaries()
  }, 30_000)
})
