// Tally figures between browser wallets for tests/bench/tally-browser.bench.ts, run inside the private
// network namespace (tests/e2e/namespace.mjs) by that bench:
//   tsx tests/e2e/timing/tally-driver.ts --dist <bench page build> --latency N --burst N --tallies T --chits C --runs R
// Prints one JSON line on stdout (TallyTimings); progress on stderr.
//
// The pages are the tally bench page (tally-page/): the real wallet worker driven through the real RPC
// (comlink), WebRTC through the page's RTC bridge, IndexedDB. Two browser contexts (two profiles) create
// wallets, connect, open a tally (invite → redeem → accept) and then:
//   latency: N payments one after the other from each side; each pay() resolves when certified ('final'),
//            timed in the page around the RPC call (signing, the diary round trips, the RPC hop);
//   burst:   N payments issued at once (half from each side) → until both wallets' views count them all
//            certified and nothing is queued (timed by this driver);
//   open:    a third profile gets a wallet of T tallies × C certified chits made by real Node wallets
//            (tally-seed.ts), written into its IndexedDB by the page (the same store records); then a fresh
//            navigation → open, start, tallies() → every balance rendered (page clock), R times.
import '../../../relay/node20-polyfill'
import { chromium, type Browser, type Page } from 'playwright-core'
import { chromiumLaunchOptions } from '../fixtures/browser'
import { RelayControl } from '../fixtures/relay'
import { seedBigWallet } from './tally-seed'
import type { BenchPage, OpenResult } from './tally-page/main'

export interface TallyTimings {
  latency: { stock: number[], foil: number[] }
  /** The link kind each wallet sees to the other, before and after the measures. */
  links: { before: string[], after: string[] }
  burst: { chits: number, certified: number, complete: boolean, ms: number, entriesA: number }
  open: { tallies: number, chits: number, entries: number, seedSeconds: number, runs: OpenResult[], expected: { tallies: number, chits: number, balanceSum: number } }
}

function arg (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} takes a positive whole number`)
  return n
}
const distArg = process.argv.indexOf('--dist')
const dist = distArg >= 0 ? process.argv[distArg + 1] : undefined
if (dist === undefined) throw new Error('--dist <bench page build> is required')
const latencyN = arg('latency', 100)
const burstN = arg('burst', 1000)
const talliesN = arg('tallies', 50)
const chitsN = arg('chits', 200)
const runs = arg('runs', 5)
/** How long the burst may take before its figure is taken as it stands. */
const BURST_LIMIT_MS = 120_000

const log = (m: string): void => { process.stderr.write(`[tally-timing] ${m}\n`) }

type Bench = BenchPage
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
async function until<T> (what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = performance.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

async function newWallet (browser: Browser, url: string, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  page.on('pageerror', e => { log(`${name} page error: ${e.message}`) })
  if (process.env.E2E_VERBOSE !== undefined) page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') log(`${name} console ${m.type()}: ${m.text()}`) })
  await page.goto(url)
  await page.evaluate(async (n) => {
    const bench = (window as unknown as { bench: Bench }).bench
    const api = bench.client().api
    await api.open()
    await api.create(n)
    await api.start(await bench.startOptions())
  }, name)
  await until(`${name}'s relay reservation`, 30_000, async () => await page.evaluate(async () => {
    const s = await (window as unknown as { bench: Bench }).bench.client().api.status()
    return s?.relays.some(r => r.state === 'reserved') === true ? true : undefined
  }))
  return page
}

async function linkKinds (pages: Page[]): Promise<string[]> {
  return await Promise.all(pages.map(async p => await p.evaluate(async () => {
    const s = await (window as unknown as { bench: Bench }).bench.client().api.status()
    return s?.peers.map(x => x.link).join(',') ?? 'none'
  })))
}

async function chitsOf (page: Page, id: string): Promise<{ chits: number, queued: number, seq: number }> {
  return await page.evaluate(async (t) => {
    const v = await (window as unknown as { bench: Bench }).bench.client().api.tally(t)
    return { chits: v.chits, queued: v.queued, seq: v.seq }
  }, id)
}

// Seed first, alone on the CPU: the big wallet from real Node wallets.
const seeded = await seedBigWallet(talliesN, chitsN, log)
log(`seeded ${seeded.tallies} tallies, ${seeded.chits} chits in ${seeded.seconds.toFixed(1)} s (${Object.values(seeded.rows).reduce((n, r) => n + r.length, 0)} store rows)`)

const relay = new RelayControl()
await relay.start(dist)
const browser = await chromium.launch(chromiumLaunchOptions())
try {
  const url = relay.url
  const alice = await newWallet(browser, url, 'Alice')
  const bob = await newWallet(browser, url, 'Bob')
  // Contacts first (as a user would): a hello over the relay, then the WebRTC upgrade.
  const bobLink = await bob.evaluate(async (u) => (await (window as unknown as { bench: Bench }).bench.client().api.contactLink(u)).link, url)
  await alice.evaluate(async (l) => { await (window as unknown as { bench: Bench }).bench.client().api.connect(l) }, bobLink)
  await until('a direct WebRTC link', 30_000, async () => (await linkKinds([alice, bob])).every(k => k === 'direct') ? true : undefined).catch((err: unknown) => { log(String(err)) })
  const before = await linkKinds([alice, bob])
  log(`links before: ${before.join(' / ')}`)

  // Alice extends credit (she holds the stock), Bob accepts; the foil (Bob) is the preferred proposer.
  const invite = await alice.evaluate(async (u) => (await (window as unknown as { bench: Bench }).bench.client().api.invite(u, { kind: 'extend', myLimit: 1e12, partnerLimit: 1e12 })).link, url)
  const id = await bob.evaluate(async (l) => {
    const api = (window as unknown as { bench: Bench }).bench.client().api
    const offer = await api.redeemInvitation(l)
    await api.acceptOffer(offer.id)
    return offer.id
  }, invite)
  await until('the tally open on both sides', 30_000, async () => await alice.evaluate(async (t) => (await (window as unknown as { bench: Bench }).bench.client().api.tally(t)).status === 'open' ? true : undefined, id))
  log(`tally ${id} open`)

  const sequential = async (page: Page, n: number): Promise<number[]> => await page.evaluate(async ({ t, count }) => {
    const api = (window as unknown as { bench: Bench }).bench.client().api
    const out: number[] = []
    for (let i = 0; i < count; i++) {
      const start = performance.now()
      const chit = await api.pay(t, 1 + (i % 5))
      if (chit.status !== 'final') throw new Error(`payment ${i} ended ${chit.status}`)
      out.push(performance.now() - start)
    }
    return out
  }, { t: id, count: n })
  await sequential(alice, 3) // warm-up: code paths, the diary's connections
  await sequential(bob, 3)
  const stock = await sequential(alice, latencyN)
  const foil = await sequential(bob, latencyN)
  log(`latency: ${latencyN} payments from each side done`)

  // The burst: half from each side, all at once. Its base is taken once both sides hold the same
  // certified history: a payment is final for its payer before the partner has applied it.
  const base = await until('both sides settled before the burst', 30_000, async () => {
    const [a, b] = [await chitsOf(alice, id), await chitsOf(bob, id)]
    return a.chits === b.chits && a.seq === b.seq && a.queued === 0 && b.queued === 0 ? a : undefined
  })
  const burst = async (page: Page, n: number): Promise<void> => { await page.evaluate(async ({ t, count }) => {
    const api = (window as unknown as { bench: Bench }).bench.client().api
    await Promise.all(Array.from({ length: count }, async (_, i) => await api.pay(t, 1 + (i % 3))))
  }, { t: id, count: n }) }
  const t0 = performance.now()
  const issued = Promise.all([burst(alice, Math.ceil(burstN / 2)), burst(bob, Math.floor(burstN / 2))])
  issued.catch(() => undefined)
  // Until every chit is certified on both sides and nothing is queued; after BURST_LIMIT_MS the figure is
  // what got certified by then (complete: false), so a stall shows as a low rate rather than no figure.
  let shown = performance.now()
  let last = { a: base, b: base }
  let complete = false
  while (performance.now() - t0 < BURST_LIMIT_MS) {
    last = { a: await chitsOf(alice, id), b: await chitsOf(bob, id) }
    if (last.a.chits === base.chits + burstN && last.b.chits === base.chits + burstN && last.a.queued === 0 && last.b.queued === 0) { complete = true; break }
    if (performance.now() - shown > 5000) { shown = performance.now(); log(`burst: alice ${JSON.stringify(last.a)}, bob ${JSON.stringify(last.b)}`) }
    await sleep(25)
  }
  const burstMs = performance.now() - t0
  if (complete) await issued
  const certified = Math.min(last.a.chits, last.b.chits) - base.chits
  const entriesA = last.a.seq - base.seq
  log(`burst: ${certified}/${burstN} chits certified on both sides in ${burstMs.toFixed(0)} ms, ${entriesA} entries${complete ? '' : ' (INCOMPLETE)'}`)
  const after = await linkKinds([alice, bob])
  await alice.context().close()
  await bob.context().close()

  // Wallet open: import the seeded store into a fresh profile, then navigate and time to balances on screen.
  const carol = await (await browser.newContext()).newPage()
  carol.on('pageerror', e => { log(`open page error: ${e.message}`) })
  await carol.goto(url)
  for (const [table, rows] of Object.entries(seeded.rows)) {
    for (let i = 0; i < rows.length; i += 1000) {
      await carol.evaluate(async ({ t, r }) => await (window as unknown as { bench: Bench }).bench.seed(t, r), { t: table, r: rows.slice(i, i + 1000) })
    }
  }
  log('seeded store written into IndexedDB')
  const opens: OpenResult[] = []
  for (let i = 0; i < runs; i++) {
    await carol.goto(`${url}?open=1`)
    await carol.waitForFunction(() => (window as unknown as { openResult?: unknown, openError?: unknown }).openResult ?? (window as unknown as { openError?: unknown }).openError, undefined, { timeout: 60_000 })
    const r = await carol.evaluate(() => {
      const w = window as unknown as { openResult?: OpenResult, openError?: string }
      if (w.openError !== undefined) throw new Error(w.openError)
      return w.openResult!
    })
    opens.push(r)
    log(`open ${i + 1}/${runs}: ${r.marks.painted.toFixed(0)} ms to ${r.tallies} balances on screen (start ${r.marks.start.toFixed(0)}, tallies() ${(r.marks.tallies - r.marks.start).toFixed(0)} ms)`)
  }
  const result: TallyTimings = {
    latency: { stock, foil },
    links: { before, after },
    burst: { chits: burstN, certified, complete, ms: burstMs, entriesA },
    open: { tallies: talliesN, chits: seeded.chits, entries: seeded.entries, seedSeconds: seeded.seconds, runs: opens, expected: { tallies: seeded.tallies, chits: seeded.chits, balanceSum: seeded.balanceSum } }
  }
  process.stdout.write(JSON.stringify(result) + '\n')
} finally {
  await browser.close()
  await relay.dispose()
}
process.exit(0)
