// The page's lift store against the real RPC shape (a fake WalletApi over a FakeLifts): loading, live updates
// that never move a status backwards, the fraud flag kept, lift chits matched to their lift, auto-clearing,
// Clear now, a node without lifts, and a lost wallet handed to the session.
import { describe, expect, it } from 'vitest'
import { LiftStore } from '../../../../src/ui/lib/lifts.svelte'
import { FakeLifts, liftApi, liftView } from './fake-lifts'

const noLoss = { onLost: () => {}, isLost: () => false }

describe('LiftStore', () => {
  it('loads lifts newest first and the auto-clearing setting; counts what is undecided', async () => {
    const lifts = new FakeLifts()
    lifts.emit(liftView('old-lift-1', { createdAt: 1 }))
    lifts.emit(liftView('new-lift-2', { createdAt: 9, status: 'pending' }))
    lifts.auto = { on: true, intervalMs: 30_000, lastRun: 4 }
    const store = new LiftStore(noLoss)
    expect(store.ready).toBe(false)
    await store.attach(liftApi(lifts))
    expect(store.ready).toBe(true)
    expect(store.list.map(l => l.id)).toEqual(['new-lift-2', 'old-lift-1'])
    expect(store.pendingCount).toBe(1)
    expect(store.auto).toEqual({ on: true, intervalMs: 30_000, lastRun: 4 })
    store.detach()
    expect(store.ready).toBe(false)
    expect(await store.call(api => api.lifts())).toMatchObject({ ok: false, error: expect.stringMatching(/starting/) })
  })

  it('follows live changes; a late or repeated view never moves a status back; the fraud flag stays', async () => {
    const lifts = new FakeLifts()
    const store = new LiftStore(noLoss)
    await store.attach(liftApi(lifts))
    lifts.emit(liftView('one-lift-1', { status: 'pending' }))
    expect(store.lifts['one-lift-1']?.status).toBe('pending')
    lifts.emit(liftView('one-lift-1', { status: 'good', fraud: true }))
    lifts.emit(liftView('one-lift-1', { status: 'pending' })) // late
    expect(store.lifts['one-lift-1']?.status).toBe('good')
    lifts.emit(liftView('one-lift-1', { status: 'good' })) // a later view without the flag
    expect(store.lifts['one-lift-1']?.fraud).toBe(true)
    expect(store.pendingCount).toBe(0)
  })

  it('finds the lift of a tally\'s lift chit: by its chit id, else by units when only one lift fits', async () => {
    const lifts = new FakeLifts()
    const store = new LiftStore(noLoss)
    await store.attach(liftApi(lifts))
    lifts.emit(liftView('named-lift', { effects: [{ tally: 't1', units: 500, status: 'good', chit: 'c-named' }] }))
    lifts.emit(liftView('anon-lift-1', { effects: [{ tally: 't2', units: 700, status: 'pending' }] }))
    expect(store.ofChit('t1', { id: 'c-named', units: 500 })?.id).toBe('named-lift')
    expect(store.ofChit('t1', { id: 'c-other', units: 500 })).toBeUndefined() // named effects match by id only
    expect(store.ofChit('t2', { id: 'c-x', units: 700 })?.id).toBe('anon-lift-1')
    expect(store.ofChit('t2', { id: 'c-x', units: 701 })).toBeUndefined()
    lifts.emit(liftView('anon-lift-2', { effects: [{ tally: 't2', units: 700, status: 'good' }] }))
    expect(store.ofChit('t2', { id: 'c-x', units: 700 })).toBeUndefined() // ambiguous: no guess
  })

  it('switches auto-clearing, clears now (a lift, or nothing to clear), refreshes when it last ran', async () => {
    const lifts = new FakeLifts()
    const store = new LiftStore(noLoss)
    await store.attach(liftApi(lifts))
    expect(await store.setAutoClear(true)).toMatchObject({ ok: true, value: { on: true } })
    expect(store.auto?.on).toBe(true)
    const r = await store.clearNow()
    expect(r.ok && r.value?.kind).toBe('circular')
    await new Promise(resolve => setTimeout(resolve, 1))
    expect(store.auto?.lastRun).toBe(5_000)
    expect(store.list).toHaveLength(1)
    const none = new LiftStore(noLoss)
    await none.attach(liftApi(lifts, { liftClear: async () => undefined }))
    expect(await none.clearNow()).toEqual({ ok: true, value: undefined })
  })

  it('a node without lifts is "unavailable", not an error; other failures are worded; a lost wallet goes to the session', async () => {
    const lifts = new FakeLifts()
    const unavailable = new LiftStore(noLoss)
    await unavailable.attach(liftApi(lifts, { lifts: async () => { throw { code: 'LIFTS_UNAVAILABLE', message: 'no lift service' } } }))
    expect(unavailable.unavailable).toBe(true)
    expect(unavailable.loadError).toBeUndefined()

    const failing = new LiftStore(noLoss)
    await failing.attach(liftApi(lifts, { autoClear: async () => { throw { code: 'INTERNAL', message: 'disk on fire' } } }))
    expect(failing.loadError).toBe('Your lifts could not be loaded: Disk on fire')

    let lost = 0
    const store = new LiftStore({ onLost: () => { lost++ }, isLost: err => (err as { code?: string }).code === 'STALE_WRITER' })
    await store.attach(liftApi(lifts, { setAutoClear: async () => { throw { code: 'STALE_WRITER', message: 'another tab' } } }))
    expect(await store.setAutoClear(true)).toEqual({ ok: false, error: 'This wallet moved to another tab.' })
    expect(lost).toBe(1)
    expect(await store.call(api => api.liftQuote({ to: 'S'.repeat(43), units: 1 }))).toEqual({ ok: false, error: 'No route to this person with enough credit.', code: 'NO_ROUTE' })
  })
})
