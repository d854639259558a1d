// The tally bench page: starts the real wallet worker through the app's own client (comlink RPC + the page
// half of the RTC bridge, src/ui/lib/wallet-client.ts) and hands the typed WalletApi to the driver
// (tests/e2e/timing/tally-driver.ts) as window.bench. No app UI: the figures are the worker's and the RPC's.
//
// `?open=1`: the wallet-open measure. As soon as the module runs it opens the stored wallet, starts the node,
// lists the tallies and renders every balance into #tallies, recording page-clock marks (ms since the
// navigation started) in window.openResult.
import { createWalletClient, type WalletClient } from '../../../../src/ui/lib/wallet-client'
import { RELAY_DOC_PATH, parseRelayDoc, relayDialAddr } from '../../../../src/ui/lib/relay-doc'
import { openIdbStore } from '../../../../src/node/store/idb'
import { WRITER_EPOCH_KEY } from '../../../../src/node/store/meta'
import { TABLES, type Table } from '../../../../src/node/store/store'
import type { StartOptions, TallyView } from '../../../../src/worker/api'

const DB_NAME = 'mychips-wallet' // src/worker/rpc/facade.ts WALLET_DB_NAME (not imported: it pulls in the node)

export interface OpenResult {
  marks: { script: number, open: number, start: number, tallies: number, painted: number }
  tallies: number
  chits: number
  balanceSum: number
  /** After the balances: the newest 20 chits of the tally with the most, and its whole history (ms). */
  history: { tallyChits: number, page20Ms: number, allMs: number, all: number }
}

export interface BenchPage {
  client: () => WalletClient
  startOptions: () => Promise<StartOptions>
  /** Writes store rows (exported from a Node wallet's memory store) into this origin's wallet database. */
  seed: (table: string, rows: Array<[string, unknown]>) => Promise<number>
}

declare global {
  interface Window { bench: BenchPage, openResult?: OpenResult, openError?: string }
}

const t0 = performance.now()
let client: WalletClient | undefined

async function startOptions (): Promise<StartOptions> {
  const res = await fetch(RELAY_DOC_PATH, { cache: 'no-store' })
  const addr = relayDialAddr(parseRelayDoc(await res.json()), location.protocol === 'https:')
  if (addr === undefined) throw new Error('the relay document has no address this page can dial')
  return { relays: [addr], iceServers: [], webrtc: true }
}

async function seed (table: string, rows: Array<[string, unknown]>): Promise<number> {
  if (!(TABLES as readonly string[]).includes(table)) throw new Error(`unknown table ${table}`)
  const store = await openIdbStore({ name: DB_NAME })
  try {
    await store.write(async tx => {
      for (const [key, value] of rows) {
        if (table === 'meta' && key === WRITER_EPOCH_KEY) continue // this store's own epoch stays
        await tx.put(table as Table, key, value)
      }
    })
  } finally {
    await store.close()
  }
  return rows.length
}

window.bench = {
  client: () => (client ??= createWalletClient()),
  startOptions,
  seed
}

async function openWallet (): Promise<void> {
  const api = window.bench.client().api
  const options = await startOptions()
  const identity = await api.open()
  if (identity === undefined) throw new Error('no wallet in this browser profile')
  const open = performance.now()
  await api.start(options)
  const start = performance.now()
  const tallies: TallyView[] = await api.tallies()
  const listed = performance.now()
  const list = document.getElementById('tallies')!
  list.replaceChildren(...tallies.map(t => {
    const li = document.createElement('li')
    li.dataset.testid = 'tally-row'
    li.textContent = `${t.partner?.name ?? '?'}: ${(t.balance / 1000).toFixed(3)} CHIPs (${t.chits} chits)`
    return li
  }))
  // Painted: the frame after the DOM change.
  await new Promise<void>(resolve => { requestAnimationFrame(() => { setTimeout(resolve, 0) }) })
  const painted = performance.now()
  // A tally's history screen: the newest 20 (paged from the store), and for comparison the whole history.
  const biggest = tallies.reduce<TallyView | undefined>((m, t) => m === undefined || t.chits > m.chits ? t : m, undefined)
  const history = { tallyChits: biggest?.chits ?? 0, page20Ms: 0, allMs: 0, all: 0 }
  if (biggest !== undefined) {
    let t = performance.now()
    await api.chits(biggest.id, { limit: 20 })
    history.page20Ms = performance.now() - t
    t = performance.now()
    history.all = (await api.chits(biggest.id)).length
    history.allMs = performance.now() - t
  }
  window.openResult = {
    history,
    marks: { script: t0, open, start, tallies: listed, painted },
    tallies: tallies.length,
    chits: tallies.reduce((n, t) => n + t.chits, 0),
    balanceSum: tallies.reduce((n, t) => n + t.balance, 0)
  }
}

if (new URLSearchParams(location.search).get('open') === '1') {
  openWallet().catch((err: unknown) => { window.openError = err instanceof Error ? err.message : JSON.stringify(err) })
}
