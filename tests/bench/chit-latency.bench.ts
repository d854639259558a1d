// Chit latency and throughput of certified diary replication between two Node nodes over loopback: real
// libp2p through a local relay (the project's relay/server.ts), the real tally machine, native Ed25519.
// - latency: one chit at a time from proposal (submit) to certificate (the submit resolves), p50 and p99,
//   from the foil (the preferred proposer) and from the stock (its chit is handed to the foil first);
// - throughput: chits issued concurrently by both parties, batched into entries, certified per second.
// Chits are signed beforehand (signing is the user's device's cost, not replication's).
// The relay runs with a 1 GiB data limit per relayed connection: with its default (1 MiB) the relayed link is
// reset every few batched entries (each entry crosses it several times), which measures the relay's reset
// policy rather than replication; a wallet upgrades to a direct WebRTC link anyway. Link resets are counted.
// Smoke mode: 20 chits of latency, 40 of throughput.
import { webcrypto } from 'node:crypto'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { webCryptoProvider } from '../../src/core/crypto/webcrypto'
import { verifyOnceCache } from '../../src/core/crypto/cache'
import { tallyMachine } from '../../src/core/tally/machine'
import { tallyGenesis, type TallyState } from '../../src/core/tally/state'
import type { TallyAction } from '../../src/core/chit/types'
import { silentLogger, type Logger, systemClock, systemRandom, systemTimers } from '../../src/node/ports'
import { createLibp2pNode } from '../../src/node/net/libp2p/node'
import { Libp2pNetwork } from '../../src/node/net/libp2p/network'
import { RelayManager } from '../../src/node/net/libp2p/relays'
import { openMemoryStore } from '../../src/node/store/memory'
import { createDiaryService, memberIdentityFromPeerKey, tallyDiaryHooks, type DiaryService } from '../../src/node/services/diary'
import { waitFor } from '../integration/helpers/relay'
import { startRelay } from '../../relay/server'
import { Device, chitId, openWorld } from '../unit/core/tally/fixtures'
import type { Bench } from './types'

const p = webCryptoProvider(webcrypto.subtle as SubtleCrypto)


interface TestRelay { addr: string, stop: () => Promise<void> }

async function localRelay (): Promise<TestRelay> {
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dist: null, keyFile: null, logLevel: 'silent', limits: { relayDataBytes: 1024 ** 3 } })
  const addr = relay.multiaddrs[0]
  if (addr === undefined) throw new Error('the relay has no address')
  return { addr, stop: async () => { await relay.stop() } }
}

/** Link resets seen by the diary services (a request lost with its relayed link). */
const resets = { n: 0 }
const countResets: Logger = { log: (_l, event, f) => { if (event === 'diary.send-failed' && f?.code === 'LINK_LOST') resets.n++ } }

interface Peer {
  key: PrivateKey
  net: Libp2pNetwork
  relays: RelayManager
  diary: DiaryService<TallyState, TallyAction>
}

async function peer (relay: TestRelay, addrsOf: (member: string) => string[]): Promise<Peer> {
  const key = await generateKeyPair('Ed25519')
  const node = await createLibp2pNode({ host: 'node', privateKey: key, reservations: 1, allowInsecureLoopback: true })
  const net = new Libp2pNetwork(node, { timers: systemTimers, logger: silentLogger, clock: systemClock })
  const relays = new RelayManager(node, [relay.addr], { clock: systemClock, timers: systemTimers, random: systemRandom, logger: silentLogger })
  const crypto = verifyOnceCache(p)
  const diary = createDiaryService<TallyState, TallyAction>({
    network: net, store: await openMemoryStore(), crypto, machine: tallyMachine(crypto), identity: memberIdentityFromPeerKey(privateKeyToProtobuf(key)),
    clock: systemClock, timers: systemTimers, random: systemRandom, logger: countResets, addrsOf,
    ...tallyDiaryHooks(crypto)
  })
  await net.start()
  relays.start()
  await waitFor(() => relays.status()[0]?.state === 'reserved' && net.addrs().some(a => a.includes('/p2p-circuit')), 15_000, 'reservation')
  return { key, net, relays, diary }
}

function percentile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

const bench: Bench = async (ctx) => {
  const latencyN = ctx.smoke ? 20 : 500
  const throughputN = ctx.smoke ? 20 : 2_500 // per party
  const relay = await localRelay()
  const peers: Peer[] = []
  const circuit = (x: Peer | undefined): string[] => x?.net.addrs().filter(a => a.includes('/p2p-circuit')) ?? []
  try {
    const alice = await peer(relay, () => circuit(peers[1]))
    peers.push(alice)
    const bob = await peer(relay, () => circuit(peers[0]))
    peers.push(bob)
    const member = (x: Peer): string => memberIdentityFromPeerKey(privateKeyToProtobuf(x.key)).key
    const world = await openWorld({ limits: { stock: 1e12, foil: 1e12 }, nodes: { stock: [member(bob)], foil: [member(alice)] } })
    const genesis = await tallyGenesis(p, world.signed)
    await alice.diary.open(genesis)
    await bob.diary.open(genesis)
    const aliceDevice = new Device(world.alice, 'foil')
    const bobDevice = new Device(world.bob, 'stock')
    const sign = async (d: Device, n: number): Promise<TallyAction[]> => {
      const out: TallyAction[] = []
      for (let i = 0; i < n; i++) out.push(await d.sign({ op: 'pay', chit: chitId(), units: 1 + (i % 7) }))
      return out
    }

    // Warm up the connection and the code paths.
    for (const a of await sign(aliceDevice, 5)) await alice.diary.submit(genesis.tally, [a])

    for (const [who, x, device] of [['foil', alice, aliceDevice], ['stock', bob, bobDevice]] as const) {
      const chits = await sign(device, latencyN)
      const ms: number[] = []
      for (const c of chits) {
        const t = performance.now()
        await x.diary.submit(genesis.tally, [c])
        ms.push(performance.now() - t)
      }
      ms.sort((a, b) => a - b)
      const extra = { chits: latencyN, from: who, path: who === 'foil' ? 'proposer' : 'handoff to the proposer' }
      ctx.report({ bench: 'chit-latency', metric: `latency p50 (${who})`, value: round(percentile(ms, 0.5)), unit: 'ms', ...(who === 'foil' ? { target: '<= 20 ms' } : {}), ...extra })
      ctx.report({ bench: 'chit-latency', metric: `latency p99 (${who})`, value: round(percentile(ms, 0.99)), unit: 'ms', ...extra })
    }

    const [fromAlice, fromBob] = [await sign(aliceDevice, throughputN), await sign(bobDevice, throughputN)]
    const before = alice.diary.head(genesis.tally)!.seq
    const t0 = performance.now()
    const subs: Array<Promise<unknown>> = []
    for (let i = 0; i < throughputN; i += 5) {
      subs.push(alice.diary.submit(genesis.tally, fromAlice.slice(i, i + 5)))
      subs.push(bob.diary.submit(genesis.tally, fromBob.slice(i, i + 5)))
    }
    await Promise.all(subs)
    const seconds = (performance.now() - t0) / 1000
    const entries = alice.diary.head(genesis.tally)!.seq - before
    ctx.report({
      bench: 'chit-latency', metric: 'certified chits per second (batched, both parties at once)', value: Math.round(2 * throughputN / seconds),
      unit: 'chits/s', target: '>= 500/s', chits: 2 * throughputN, entries, seconds: round(seconds), linkResets: resets.n
    })
    ctx.log(`${2 * throughputN} chits in ${entries} entries, ${round(seconds)} s`)
  } finally {
    for (const x of peers) { await x.diary.stop(); x.relays.stop(); await x.net.stop() }
    await relay.stop()
  }
}

function round (x: number): number {
  return Math.round(x * 100) / 100
}

export default bench
