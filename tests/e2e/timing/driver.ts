// Browser timings for tests/bench/browser-timing.bench.ts, run inside the private network namespace
// (tests/e2e/namespace.mjs) by that bench: `tsx tests/e2e/timing/driver.ts --runs N`.
// Prints one JSON line on stdout: { reserveMs: number[], directMs: number[] }; progress on stderr.
//   reserveMs: an existing wallet, a fresh navigation to the app → the status badge says "reservation held"
//              (performance.now() in the page, i.e. from the navigation's start).
//   directMs:  a fresh wallet pastes another wallet's contact link and presses Connect → that peer's row
//              says data-link="direct" (a WebRTC link up, through the relay's signalling).
import '../../../relay/node20-polyfill'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { chromiumLaunchOptions } from '../fixtures/browser'
import { RelayControl } from '../fixtures/relay'
import { connectTo, contactLinkOf, createWallet, expectReserved } from '../lib/wallet'

const runsArg = process.argv.indexOf('--runs')
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5
if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error('--runs takes a whole number from 1 to 50')

// Records, in page time, when the milestones first appear. Installed before any page script runs.
// A string, not a function: tsx (esbuild keepNames) would wrap inner functions in a __name() helper
// that does not exist in the page.
const MARKS = `(() => {
  const check = () => {
    const now = performance.now()
    if (window.__reservedAt === undefined && document.querySelector('[data-testid="node-status"]')?.textContent?.includes('reservation held')) window.__reservedAt = now
    if (window.__directAt === undefined && window.__connectAt !== undefined && document.querySelector('[data-testid="peer-row"][data-link="direct"]') !== null) window.__directAt = now
  }
  document.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('[data-testid="connect-submit"]') !== null) window.__connectAt = performance.now()
  }, true)
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
})()`

const readMark = (page: Page, name: string): Promise<number> => page.waitForFunction((n) => (window as unknown as Record<string, number | undefined>)[n], name, { timeout: 30_000 }).then(async h => Number(await h.jsonValue()))

const log = (m: string): void => { process.stderr.write(`[timing] ${m}\n`) }

const relay = new RelayControl()
await relay.start()
const browser = await chromium.launch(chromiumLaunchOptions())
const contexts: BrowserContext[] = []
const fresh = async (): Promise<Page> => {
  const ctx = await browser.newContext()
  contexts.push(ctx)
  await ctx.addInitScript(MARKS)
  return await ctx.newPage()
}
try {
  // Navigation → "reservation held", for a wallet that already exists (no typing in the measure).
  const alice = await fresh()
  await alice.goto(relay.url)
  await createWallet(alice, 'Alice')
  await expectReserved(alice, 30_000)
  const reserveMs: number[] = []
  for (let i = 0; i < runs; i++) {
    await alice.goto(relay.url)
    reserveMs.push(await readMark(alice, '__reservedAt'))
    log(`reservation held ${i + 1}/${runs}: ${reserveMs.at(-1)?.toFixed(0)} ms`)
  }

  // Connect → direct WebRTC link, a fresh wallet each run (a second connect to the same peer is a no-op).
  const bob = await fresh()
  await bob.goto(relay.url)
  await createWallet(bob, 'Bob')
  const link = await contactLinkOf(bob)
  const directMs: number[] = []
  for (let i = 0; i < runs; i++) {
    const page = await fresh()
    await page.goto(relay.url)
    await createWallet(page, `Carol ${i + 1}`)
    await expectReserved(page, 30_000)
    await connectTo(page, link)
    const [at, up] = [await readMark(page, '__connectAt'), await readMark(page, '__directAt')]
    directMs.push(up - at)
    log(`direct link ${i + 1}/${runs}: ${directMs.at(-1)?.toFixed(0)} ms`)
    await page.context().close()
  }
  process.stdout.write(JSON.stringify({ reserveMs, directMs }) + '\n')
} finally {
  for (const c of contexts) await c.close().catch(() => {})
  await browser.close()
  await relay.dispose()
}
