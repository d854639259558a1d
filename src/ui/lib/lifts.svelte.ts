// The page's view of the wallet's lifts: the list (kept live through subscribeLifts), the auto-clearing
// setting, and the calls the lift screens make. Errors come back as words (lift-words.ts); a call that
// finds the wallet taken by another tab hands over to the session.
import type { Remote } from 'comlink'
import { proxy } from 'comlink'
import type { AutoClearView, ChitView, LiftView, LiftViewStatus, WalletApi } from '../../worker/api'
import { describeError } from './errors'
import { callWallet, type CallResult, type WalletCallDeps } from './wallet-call'
import { liftErrorText } from './lift-words'

export type LiftCallResult<T> = CallResult<T>

export type LiftStoreDeps = WalletCallDeps

/** A lift's status only moves forward: seeking → pending → good | void | failed. */
const RANK: Record<LiftViewStatus, number> = { seeking: 0, pending: 1, good: 2, void: 2, failed: 2 }

export class LiftStore {
  /** True once the node runs and the list is loaded. */
  ready = $state(false)
  lifts = $state<Record<string, LiftView>>({})
  auto = $state<AutoClearView | undefined>(undefined)
  loadError = $state<string | undefined>(undefined)
  /** The node has no lift service (LIFTS_UNAVAILABLE): the screens say so instead of failing. */
  unavailable = $state(false)
  /** Payees' names this session learnt from their contact links (a lift names only the user id). */
  names = $state<Record<string, string>>({})

  private api: Remote<WalletApi> | undefined
  private readonly d: LiftStoreDeps

  constructor (deps: LiftStoreDeps) { this.d = deps }

  /** Newest first. */
  get list (): LiftView[] {
    return Object.values(this.lifts).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
  }

  /** Lifts not yet decided. */
  get pendingCount (): number {
    return Object.values(this.lifts).filter(l => l.status === 'seeking' || l.status === 'pending').length
  }

  /**
   * The lift a tally's lift chit belongs to, for the tally history: by the chit id its effect names; for a
   * node whose effects carry no chit ids, the one lift with an effect of these units on this tally, if only one.
   */
  ofChit (tally: string, chit: Pick<ChitView, 'id' | 'units'>): LiftView | undefined {
    const candidates: LiftView[] = []
    for (const lift of Object.values(this.lifts)) {
      for (const e of lift.effects) {
        if (e.tally !== tally) continue
        if (e.chit === chit.id) return lift
        if (e.chit === undefined && e.units === chit.units) candidates.push(lift)
      }
    }
    return candidates.length === 1 ? candidates[0] : undefined
  }

  /** The node is running: subscribe to changes, then load the list and the auto-clearing setting. */
  async attach (api: Remote<WalletApi>): Promise<void> {
    this.api = api
    try {
      await api.subscribeLifts(proxy((view: LiftView) => { this.onLift(view) }))
      const [all, auto] = await Promise.all([api.lifts(), api.autoClear()])
      for (const l of all) this.onLift(l)
      this.auto = auto
      this.ready = true
      this.loadError = undefined
      this.unavailable = false
    } catch (err) {
      if (this.d.isLost(err)) { this.d.onLost(); return }
      if (describeError(err).code === 'LIFTS_UNAVAILABLE') { this.unavailable = true; return }
      this.loadError = `Your lifts could not be loaded: ${liftErrorText(err)}`
    }
  }

  /** The node stopped (lock lost, update): forget the live link. */
  detach (): void {
    this.api = undefined
    this.ready = false
  }

  /** Calls the wallet; refusals come back as words with their code. */
  async call<T> (body: (api: Remote<WalletApi>) => Promise<T>): Promise<LiftCallResult<T>> {
    return await callWallet(this.api, this.d, body, liftErrorText)
  }

  async setAutoClear (on: boolean): Promise<LiftCallResult<AutoClearView>> {
    const r = await this.call(api => api.setAutoClear(on))
    if (r.ok) this.auto = r.value
    return r
  }

  async refreshAuto (): Promise<void> {
    const r = await this.call(api => api.autoClear())
    if (r.ok) this.auto = r.value
  }

  /** One circular lift now ("Clear now"); undefined: nothing to clear. */
  async clearNow (): Promise<LiftCallResult<LiftView | undefined>> {
    const r = await this.call(api => api.liftClear())
    if (r.ok && r.value !== undefined) this.onLift(r.value)
    void this.refreshAuto()
    return r
  }

  /** Remembers a payee's name for the lift list. */
  rememberName (userId: string, name: string | undefined): void {
    if (name !== undefined && this.names[userId] !== name) this.names = { ...this.names, [userId]: name }
  }

  /** A view from the node (subscription, list, or a call's result): never replaces a later status. */
  onLift (view: LiftView): void {
    const old = this.lifts[view.id]
    if (old !== undefined && RANK[view.status] < RANK[old.status]) return
    const merged = old?.fraud === true && view.fraud !== true ? { ...view, fraud: true as const } : view
    this.lifts = { ...this.lifts, [view.id]: merged }
  }
}
