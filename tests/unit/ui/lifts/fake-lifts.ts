// A scriptable LiftApi (the node's lift service as the worker and the page see it), for the lift RPC and
// UI tests: quotes from a price table, payments that go seeking → pending → good (or fail with a named
// error), a clear that finds one cycle, and change listeners like the real service's onChange.
import type { Remote } from 'comlink'
import { ChipsError } from '../../../../src/core/errors'
import type { AutoClearView, LiftApi, LiftQuote, LiftView, PayAnyoneRequest } from '../../../../src/node/api'
import type { WalletApi } from '../../../../src/worker/api'

export const PAYEE = 'B'.repeat(43)
export const STRANGER = 'S'.repeat(43)

export function liftView (id: string, over: Partial<LiftView> = {}): LiftView {
  return {
    id, kind: 'linear', role: 'originator', status: 'good', units: 1000, fee: 0, legs: 2,
    effects: [{ tally: 'tally-one', partner: 'Carol', units: -1000, status: 'good', chit: `chit-${id}` }],
    createdAt: 1_000, expires: 121_000, ...over
  }
}

export class FakeLifts implements LiftApi {
  readonly views = new Map<string, LiftView>()
  readonly listeners = new Set<(l: LiftView) => void>()
  auto: AutoClearView = { on: false, intervalMs: 60_000 }
  /** Fee per payee (absent: NO_ROUTE). */
  fees = new Map<string, number>([[PAYEE, 10]])
  /** The fee a payment finds (may differ from the quote: the route changed). */
  payFee: number | undefined
  /** How the next payment ends. */
  outcome: 'good' | 'void' | 'pending' = 'good'
  paid: PayAnyoneRequest[] = []
  /** Resolves a payment held between pending and its decision (set while one waits). */
  decide: (() => void) | undefined
  holdPayments = false
  clock = 5_000
  #seq = 0

  emit (view: LiftView): void {
    this.views.set(view.id, view)
    for (const l of this.listeners) l(view)
  }

  async quote (request: { to: string, units: number }): Promise<LiftQuote> {
    const fee = this.fees.get(request.to)
    if (fee === undefined) throw new ChipsError('NO_ROUTE', 'no route with enough free lading was found')
    return { to: request.to, units: request.units, fee, legs: 3 }
  }

  async pay (request: PayAnyoneRequest): Promise<LiftView> {
    this.paid.push(request)
    const fee = this.payFee ?? this.fees.get(request.to)
    if (fee === undefined) throw new ChipsError('NO_ROUTE', 'no route with enough free lading was found')
    if (request.maxFee !== undefined && fee > request.maxFee) throw new ChipsError('FEE_TOO_HIGH', `the route costs ${fee} units of fees, more than the ${request.maxFee} allowed`)
    const id = `lift-${++this.#seq}-xxxx`
    const base = liftView(id, { to: request.to, units: request.units, fee, legs: 3, createdAt: this.clock, status: 'seeking', effects: [] })
    this.emit(base)
    await new Promise(resolve => setTimeout(resolve, 0)) // discovery takes a moment
    const effects = [{ tally: 'tally-one', partner: 'Carol', units: -(request.units + fee), status: 'pending' as const, chit: `chit-${id}` }]
    this.emit({ ...base, status: 'pending', effects })
    if (this.holdPayments) await new Promise<void>(resolve => { this.decide = resolve })
    if (this.outcome === 'pending') return this.views.get(id) as LiftView
    const status = this.outcome
    const done: LiftView = { ...base, status, decidedAt: this.clock + 50, effects: effects.map(e => ({ ...e, status })), ...(status === 'void' ? { error: { code: 'LIFT_EXPIRED', message: 'expired' } } : {}) }
    this.emit(done)
    return done
  }

  async clear (): Promise<LiftView | undefined> {
    this.auto = { ...this.auto, lastRun: this.clock }
    const id = `clear-${++this.#seq}-xxxx`
    const view = liftView(id, { kind: 'circular', units: 7000, legs: 3, effects: [{ tally: 'tally-one', partner: 'Bob', units: 7000, status: 'good' }, { tally: 'tally-two', partner: 'Carol', units: -7000, status: 'good' }] })
    this.emit(view)
    return view
  }

  async list (): Promise<LiftView[]> { return [...this.views.values()].reverse() }

  async get (id: string): Promise<LiftView> {
    const v = this.views.get(id)
    if (v === undefined) throw new ChipsError('LIFT_NOT_FOUND', `no lift ${id} here`)
    return v
  }

  async autoClear (): Promise<AutoClearView> { return this.auto }

  async setAutoClear (on: boolean): Promise<AutoClearView> {
    this.auto = { ...this.auto, on }
    return this.auto
  }

  onChange (listener: (lift: LiftView) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}

/** The WalletApi's lift calls over a FakeLifts, as the page sees them (errors are plain { code, message }). */
/** Hellos held by a "slow" contact link, in order. */
export const slowHellos: Array<() => void> = []

export function liftApi (lifts: FakeLifts, over: Partial<Record<keyof WalletApi, unknown>> = {}): Remote<WalletApi> {
  const plain = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    try { return await f(...a) } catch (err) { throw { code: (err as { code?: string }).code, message: (err as Error).message } }
  }
  const api = {
    subscribeLifts: async (l: (v: LiftView) => void) => { lifts.onChange(l); return 3 },
    lifts: plain(async () => await lifts.list()),
    autoClear: plain(async () => await lifts.autoClear()),
    setAutoClear: plain(async (on: boolean) => await lifts.setAutoClear(on)),
    liftClear: plain(async () => await lifts.clear()),
    liftQuote: plain(async (r: { to: string, units: number }) => await lifts.quote(r)),
    liftPay: plain(async (r: { to: string, units: number, maxFee?: number }) => await lifts.pay(r)),
    liftPayee: plain(async (text: string) => {
      if (text === 'mine') throw Object.assign(new Error('this is your own wallet'), { code: 'OWN_PAYEE' })
      if (text.includes('#contact=')) return { userId: text.slice(text.indexOf('=') + 1), name: 'Bob' }
      return { userId: text.trim() }
    }),
    /** A hello to the payee: "offline" in the link → unreachable; "slow" → answers when `hello()` is called. */
    connect: plain(async (link: string) => {
      if (link.includes('offline')) throw Object.assign(new Error('could not reach them'), { code: 'PEER_UNREACHABLE' })
      if (link.includes('slow')) await new Promise<void>(resolve => { slowHellos.push(resolve) })
      return { peerId: 'peer-x', userId: link.slice(link.indexOf('=') + 1).replace(/offline|slow/g, ''), link: 'relayed', hello: 'verified' }
    }),
    ...over
  }
  return api as unknown as Remote<WalletApi>
}
