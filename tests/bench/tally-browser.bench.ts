// Tally figures between two browser wallets (issue 4), measured by tests/e2e/timing/tally-driver.ts inside
// the private network namespace, on the tally bench page (tests/e2e/timing/tally-page: the real wallet worker
// through the real RPC, IndexedDB, WebRTC through the page's RTC bridge), built here with Vite first:
//   - chit latency, proposal → certificate, p50 / p99 of sequential payments from each side (target p50 ≤ 100 ms),
//     with the link kind between the wallets (must be direct WebRTC);
//   - certified chits per second for a burst of concurrent payments from both sides (target ≥ 100/s);
//   - wallet open with 50 tallies × 200 certified chits in IndexedDB: navigation → balances on screen
//     (target ≤ 1 s); the wallet is made by real Node wallets and imported into IndexedDB (tally-seed.ts).
// Smoke: 5 latency payments per side, a burst of 20, a wallet of 2 tallies × 5 chits, one open.
import { fileURLToPath } from 'node:url'
import { runIsolated } from '../e2e/namespace.mjs'
import { buildTallyPage } from '../e2e/timing/tally-page/build'
import type { TallyTimings } from '../e2e/timing/tally-driver'
import type { Bench } from './types'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

const percentile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN
}
const round = (x: number): number => Math.round(x * 10) / 10

const bench: Bench = async (ctx) => {
  const sizes = ctx.smoke
    ? { latency: 5, burst: 20, tallies: 2, chits: 5, runs: 1 }
    : { latency: 100, burst: 1000, tallies: 50, chits: 200, runs: 5 }
  const t0 = performance.now()
  const dist = await buildTallyPage()
  ctx.log(`bench page built in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dist.slice(ROOT.length)})`)
  let out = ''
  const args = ['tsx', 'tests/e2e/timing/tally-driver.ts', '--dist', dist, ...Object.entries(sizes).flatMap(([k, v]) => [`--${k}`, String(v)])]
  const code = await runIsolated('npx', args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    quiet: true,
    onChild: (child) => { child.stdout?.on('data', (d: Buffer) => { out += d.toString() }) }
  })
  if (code !== 0) throw new Error(`the tally timing driver exited ${code}`)
  const r = JSON.parse(out.trim().split('\n').at(-1) ?? '') as TallyTimings
  const b = 'tally-browser'
  const links = { linkBefore: r.links.before, linkAfter: r.links.after, direct: [...r.links.before, ...r.links.after].every(k => k === 'direct') }
  for (const [who, ms] of [['stock, handed to the proposer', r.latency.stock], ['foil, the proposer', r.latency.foil]] as const) {
    const extra = { from: who, payments: ms.length, ...links, how: 'page clock around WalletApi.pay(), which resolves once certified by both parties' }
    ctx.report({ bench: b, metric: `browser chit latency p50 (${who})`, value: round(percentile(ms, 0.5)), unit: 'ms', target: '<= 100 ms', ...extra })
    ctx.report({ bench: b, metric: `browser chit latency p99 (${who})`, value: round(percentile(ms, 0.99)), unit: 'ms', ...extra })
  }
  ctx.report({
    bench: b, metric: 'browser certified chits per second (burst, both sides at once, IndexedDB)', value: round(r.burst.certified / (r.burst.ms / 1000)),
    unit: 'chits/s', target: '>= 100/s', chits: r.burst.chits, certified: r.burst.certified, complete: r.burst.complete, ms: Math.round(r.burst.ms), entries: r.burst.entriesA, ...links
  })
  const painted = r.open.runs.map(x => x.marks.painted)
  const wrong = r.open.runs.filter(x => x.tallies !== r.open.expected.tallies || x.chits !== r.open.expected.chits || x.balanceSum !== r.open.expected.balanceSum)
  if (wrong.length > 0) throw new Error(`the opened wallet does not show what was seeded: ${JSON.stringify({ expected: r.open.expected, got: wrong.map(x => ({ tallies: x.tallies, chits: x.chits, balanceSum: x.balanceSum })) })}`)
  const first = r.open.runs[0]!
  ctx.report({
    bench: b, metric: `wallet open: navigation to balances on screen (${r.open.expected.tallies} tallies, ${r.open.expected.chits} chits in IndexedDB)`,
    value: Math.round(percentile(painted, 0.5)), unit: 'ms', target: '<= 1000 ms', stat: 'median', runs: painted.length, samples: painted.map(Math.round),
    firstOpen: { scriptMs: Math.round(first.marks.script), openMs: Math.round(first.marks.open), startMs: Math.round(first.marks.start), talliesMs: Math.round(first.marks.tallies), paintedMs: Math.round(first.marks.painted) },
    screen: 'the bench page lists every balance (the app has no tally screen yet)', seeded: 'real Node wallets (libp2p, real signatures, memory store), store rows written into IndexedDB by the page',
    seedEntries: r.open.entries, seedSeconds: round(r.open.seedSeconds)
  })
  const page20 = r.open.runs.map(x => x.history.page20Ms)
  const all = r.open.runs.map(x => x.history.allMs)
  ctx.report({
    bench: b, metric: `chit history: newest 20 of a ${first.history.tallyChits}-chit tally, after open`, value: round(percentile(page20, 0.5)), unit: 'ms',
    stat: 'median', runs: page20.length, wholeHistoryMs: round(percentile(all, 0.5)), wholeHistoryChits: first.history.all
  })
}

export default bench
