// The page's view of the wallet's tallies: the list (kept live through subscribeTallies), each open
// tally's history, which tally screen shows, and the calls the screens make. Errors come back as
// words (tally-words.ts); a call that finds the wallet taken by another tab hands over to the session.
import type { Remote } from 'comlink'
import { proxy } from 'comlink'
import type { ChitView, ContractDocument, TallyView, WalletApi } from '../../worker/api'
import { describeError } from './errors'
import { callWallet, type CallResult, type WalletCallDeps } from './wallet-call'
import { tallyErrorText } from './tally-words'

export type TallyRoute =
  | { screen: 'list' }
  | { screen: 'invite' }
  | { screen: 'offer', link: string }
  | { screen: 'tally', id: string }

export type { CallResult }

/** How many chits a tally screen lists (newest first). */
export const HISTORY_LIMIT = 200

export type TallyStoreDeps = WalletCallDeps

export class TallyStore {
  /** True once the node runs and the list is loaded. */
  ready = $state(false)
  tallies = $state<Record<string, TallyView>>({})
  history = $state<Record<string, ChitView[]>>({})
  route = $state<TallyRoute>({ screen: 'list' })
  loadError = $state<string | undefined>(undefined)

  private api: Remote<WalletApi> | undefined
  private subscription: number | undefined
  // Plain caches, never rendered: no reactivity wanted.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly contracts = new Map<string, Promise<ContractDocument | undefined>>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly loading = new Map<string, 'busy' | 'again'>()
  private readonly d: TallyStoreDeps

  constructor (deps: TallyStoreDeps) { this.d = deps }

  /** Tallies, the ones needing me first, then by last change. */
  get list (): TallyView[] {
    return Object.values(this.tallies).sort((a, b) => rank(a) - rank(b) || b.updatedAt - a.updatedAt)
  }

  /** How many tallies wait for my answer (offers and invoices), for a badge. */
  get needsMe (): number {
    return Object.values(this.tallies).filter(t => (t.status === 'offer' && t.awaiting === 'me') || t.invoicesToMe > 0).length
  }

  /** The node is running: subscribe to changes, then load the list. */
  async attach (api: Remote<WalletApi>): Promise<void> {
    this.api = api
    try {
      this.subscription = await api.subscribeTallies(proxy((view: TallyView) => { this.onTally(view) }))
      const all = await api.tallies()
      const map: Record<string, TallyView> = {}
      for (const t of all) map[t.id] = t
      this.tallies = { ...map, ...pickNewer(this.tallies, map) }
      this.ready = true
      this.loadError = undefined
      if (this.route.screen === 'tally') void this.loadHistory(this.route.id)
    } catch (err) {
      if (this.d.isLost(err)) { this.d.onLost(); return }
      this.loadError = `Your tallies could not be loaded: ${describeError(err).message}`
    }
  }

  /** The node stopped (lock lost, update): forget the live link, keep nothing stale on screen. */
  detach (): void {
    this.api = undefined
    this.subscription = undefined
    this.ready = false
  }

  show (route: TallyRoute): void {
    this.route = route
    if (route.screen === 'tally') void this.loadHistory(route.id)
  }

  /** Calls the wallet; refusals come back as words. */
  async call<T> (body: (api: Remote<WalletApi>) => Promise<T>): Promise<CallResult<T>> {
    return await callWallet(this.api, this.d, body, tallyErrorText)
  }

  /** A tally call that changes one tally: its new view (if any) is shown at once, its history reloaded. */
  async act<T extends TallyView | ChitView> (id: string, body: (api: Remote<WalletApi>) => Promise<T>): Promise<CallResult<T>> {
    const result = await this.call(body)
    if (result.ok && 'status' in result.value && 'mySide' in result.value) this.onTally(result.value)
    void this.loadHistory(id)
    if (!result.ok) void this.refresh(id)
    return result
  }

  /** The contract's text for a hash (cached per hash). */
  async contract (hash: string): Promise<ContractDocument | undefined> {
    let p = this.contracts.get(hash)
    if (p === undefined) {
      const r = this.call(api => api.contract(hash)).then(res => res.ok ? res.value : undefined)
      this.contracts.set(hash, r)
      p = r
    }
    return await p
  }

  /** The contract a new invitation carries, with its hash (for the invite form, before anything is signed). */
  async defaultContract (): Promise<{ hash: string, contract: ContractDocument } | undefined> {
    const r = await this.call(api => api.defaultContract())
    if (!r.ok) return undefined
    this.contracts.set(r.value.hash, Promise.resolve(r.value.contract))
    return r.value
  }

  async refresh (id: string): Promise<void> {
    const r = await this.call(api => api.tally(id))
    if (r.ok) this.onTally(r.value)
  }

  /** Reloads a tally's history; calls that arrive while one runs coalesce into one more. */
  async loadHistory (id: string): Promise<void> {
    if (this.loading.has(id)) { this.loading.set(id, 'again'); return }
    this.loading.set(id, 'busy')
    try {
      for (;;) {
        const r = await this.call(api => api.chits(id, { limit: HISTORY_LIMIT }))
        if (r.ok) this.history = { ...this.history, [id]: r.value }
        if (this.loading.get(id) !== 'again') break
        this.loading.set(id, 'busy')
      }
    } finally {
      this.loading.delete(id)
    }
  }

  private onTally (view: TallyView): void {
    const old = this.tallies[view.id]
    if (old !== undefined && old.updatedAt > view.updatedAt) return
    this.tallies = { ...this.tallies, [view.id]: view }
    if (this.history[view.id] !== undefined || (this.route.screen === 'tally' && this.route.id === view.id)) void this.loadHistory(view.id)
  }
}

/** Updates the subscription delivered while the list loaded (newer than what the list call saw). */
function pickNewer (live: Record<string, TallyView>, loaded: Record<string, TallyView>): Record<string, TallyView> {
  const out: Record<string, TallyView> = {}
  for (const [id, t] of Object.entries(live)) {
    const l = loaded[id]
    if (l === undefined || t.updatedAt > l.updatedAt) out[id] = t
  }
  return out
}

function rank (t: TallyView): number {
  if (t.status === 'offer' && t.awaiting === 'me') return 0
  if (t.invoicesToMe > 0) return 1
  if (t.status === 'open' || t.status === 'closing') return 2
  if (t.status === 'offer' || t.status === 'draft') return 3
  return 4
}
