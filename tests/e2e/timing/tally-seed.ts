// Seeds a big wallet for the wallet-open measure of tests/bench/tally-browser.bench.ts: two real wallet nodes
// in Node (WalletNode, real libp2p: a loopback test relay and a direct loopback WebSocket link, memory stores,
// native Ed25519 signatures through WebCrypto, the real diary) open `tallies` tallies and certify `chits` payments
// on each through the tally service (two thirds from the inviter, one third from the partner, one after the
// other per tally, eight tallies at a time).
// The wallet that invited ("Alice") is then stopped and its whole store exported, table by table, to be
// written into a browser profile's IndexedDB by the bench page (same records, same keys: the store is the
// same Store contract on both sides).
import { webcrypto } from 'node:crypto'
import { startTestRelay } from '../../integration/helpers/relay'
import { verifyOnceCache } from '../../../src/core/crypto/cache'
import { webCryptoProvider } from '../../../src/core/crypto/webcrypto'
import type { WalletNode } from '../../../src/node/api'
import { createIdentity } from '../../../src/node/identity/identity'
import { silentLogger, type Logger, systemClock, systemRandom, systemTimers } from '../../../src/node/ports'
import { openMemoryStore, type MemoryStore } from '../../../src/node/store/memory'
import { TABLES } from '../../../src/node/store/store'
import { startWalletNode } from '../../../src/node/wallet-node'

/** TALLY_SEED_DEBUG=1: the nodes' warnings and info events on stderr. */
const seedLogger: Logger = process.env.TALLY_SEED_DEBUG === undefined ? silentLogger : { log: (level, event, fields) => { if (level !== 'debug') process.stderr.write(`${level} ${event} ${JSON.stringify(fields ?? {})}\n`) } }

interface TestWallet { node: WalletNode, store: MemoryStore }

/** A wallet node as the browser runs one, with Node's native Ed25519 (WebCrypto) as a browser has. */
async function startWallet (name: string, relays: string[]): Promise<TestWallet> {
  const crypto = verifyOnceCache(webCryptoProvider(webcrypto.subtle as SubtleCrypto))
  const store = await openMemoryStore()
  const { identity } = await createIdentity({ store, crypto, clock: systemClock, random: systemRandom }, name)
  const node = await startWalletNode({
    identity, store, crypto, clock: systemClock, timers: systemTimers, random: systemRandom, logger: seedLogger,
    // A direct loopback link between the two: a relayed circuit is closed by the relay after 1 MiB.
    network: { kind: 'libp2p', host: 'node', relays, webrtc: false, allowInsecureLoopback: true, listen: ['/ip4/127.0.0.1/tcp/0/ws'] }
  })
  return { node, store }
}

export interface SeededWallet {
  /** table → [key, value] rows of the exported store. */
  rows: Record<string, Array<[string, unknown]>>
  tallies: number
  chits: number
  /** Certified diary entries in the exported store (payments issued together may share one). */
  entries: number
  /** Sum of the certified balances from the exported wallet's side (to check what the browser shows). */
  balanceSum: number
  seconds: number
}

const BASE = 'http://127.0.0.1/'

export async function seedBigWallet (tallies: number, chits: number, log: (m: string) => void): Promise<SeededWallet> {
  const t0 = performance.now()
  const relay = await startTestRelay()
  const wallets: TestWallet[] = []
  try {
    const alice = await startWallet('Alice', [relay.addr])
    wallets.push(alice)
    const bob = await startWallet('Bob', [relay.addr])
    wallets.push(bob)
    const [a, b] = [alice.node.tallies!, bob.node.tallies!]
    await until(() => alice.node.status().relays[0]?.state === 'reserved' && bob.node.status().relays[0]?.state === 'reserved', 20_000, 'relay reservations')
    await alice.node.connect(bob.node.contact())

    const ids: string[] = []
    for (let i = 0; i < tallies; i++) {
      const inv = await a.invite(BASE, { kind: i % 2 === 0 ? 'extend' : 'ask', myLimit: 1e12, partnerLimit: 1e12, memo: `bench tally ${i + 1}` })
      const offered = await b.redeem(inv.link)
      await b.accept(offered.id)
      ids.push(offered.id)
    }
    await until(async () => (await a.list()).filter(t => t.status === 'open').length === tallies, 30_000, 'every tally open on both sides')
    log(`seed: ${tallies} tallies open in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    // Eight tallies at a time (more concurrent diary streams than libp2p's per-protocol stream limit get
    // handoffs refused with PROTOCOL_VIOLATION and retried after timeouts: a finding reported with the
    // bench), on each one payment after the other, two thirds from the inviter.
    let done = 0
    let shown = performance.now()
    let next = 0
    const worker = async (): Promise<void> => {
      for (let t = next++; t < ids.length; t = next++) {
        const id = ids[t]!
        for (let n = 0; n < chits; n++) {
          const payer = (n + t) % 3 === 2 ? b : a
          await payer.pay(id, 1 + ((n * 7 + t) % 97) * 10, n % 10 === 0 ? `memo ${n}` : undefined)
          done++
          if (performance.now() - shown > 10_000) { shown = performance.now(); log(`seed: ${done}/${tallies * chits} payments returned`) }
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(8, ids.length) }, worker))
    await until(async () => {
      const [va, vb] = [await a.list(), await b.list()]
      return va.every(t => t.chits === chits && t.queued === 0) && vb.every(t => t.chits === chits && t.queued === 0)
    }, 120_000, 'every chit certified on both sides')
    const views = await a.list()
    const balanceSum = views.reduce((n, t) => n + t.balance, 0)
    log(`seed: ${tallies * chits} chits certified in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    await bob.node.stop()
    await alice.node.stop()
    const rows: Record<string, Array<[string, unknown]>> = {}
    await alice.store.read(async tx => {
      for (const table of TABLES) rows[table] = (await tx.list(table)).map(r => [r.key, r.value])
    })
    return { rows, tallies, chits: views.reduce((n, t) => n + t.chits, 0), entries: rows.entries?.length ?? 0, balanceSum, seconds: (performance.now() - t0) / 1000 }
  } finally {
    for (const w of wallets) await w.node.stop().catch(() => undefined)
    await relay.stop()
  }
}

async function until (check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
