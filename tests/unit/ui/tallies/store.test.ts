// The page's tally store against a fake WalletApi: live updates, ordering, history reloads that
// coalesce, refusals in words, and a lost wallet handed to the session.
import { describe, expect, it } from 'vitest'
import type { Remote } from 'comlink'
import type { ChitView, TallyView, WalletApi } from '../../../../src/worker/api'
import { TallyStore } from '../../../../src/ui/lib/tallies.svelte'

const tick = (ms = 2): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

function view (id: string, over: Partial<TallyView> = {}): TallyView {
  return {
    id, status: 'open', mySide: 'stock', role: 'inviter', partner: { userId: `u-${id}`, name: `P${id}` },
    terms: { stockLimit: 100_000, foilLimit: 0, stockCall: 0, foilCall: 0 }, revision: 0, contractHash: 'h',
    balance: 0, pendingEffect: 0, availableToMe: 0, availableToPartner: 100_000, invoicesToMe: 0, invoicesToPartner: 0,
    chits: 0, seq: 0, queued: 0, waitingForPartner: false, createdAt: 1, updatedAt: 1, ...over
  }
}

function fake (tallies: TallyView[]) {
  let listener: ((t: TallyView) => void) | undefined
  const chitCalls: string[] = []
  let release: (() => void) | undefined
  const api = {
    subscribeTallies: async (l: (t: TallyView) => void) => { listener = l; return 7 },
    tallies: async () => tallies,
    tally: async (id: string) => tallies.find(t => t.id === id) ?? view(id),
    chits: async (id: string): Promise<ChitView[]> => {
      chitCalls.push(id)
      await new Promise<void>(resolve => { release = resolve })
      return [{ id: `c${chitCalls.length}`, tally: id, kind: 'payment', units: -5, by: 'me', status: 'final' }]
    },
    pay: async (_id: string, units: number) => {
      if (units > 10) throw Object.assign(new Error('needs 11, 10 available'), { code: 'OVER_LIMIT' })
      return { id: 'p', tally: _id, kind: 'payment', units: -units, by: 'me', status: 'final' } satisfies ChitView
    },
    defaultContract: async () => ({ hash: 'd', contract: { v: 1 as const, name: 'n', title: 'Default agreement', language: 'en', sections: [] } }),
    contract: async (hash: string) => hash === 'h' ? { v: 1 as const, name: 'n', title: 'Agreement', language: 'en', sections: [] } : undefined,
    acceptOffer: async () => { throw Object.assign(new Error('gone'), { code: 'STALE_WRITER' }) }
  }
  return { api: api as unknown as Remote<WalletApi>, push: (t: TallyView) => listener?.(t), chitCalls, release: () => release?.() }
}

describe('TallyStore', () => {
  it('loads the list, orders what needs me first, and applies live updates (never an older view)', async () => {
    const f = fake([view('a', { updatedAt: 5 }), view('b', { status: 'offer', awaiting: 'me', updatedAt: 2 }), view('c', { status: 'void', updatedAt: 9 })])
    const store = new TallyStore({ onLost: () => {}, isLost: () => false })
    expect(store.ready).toBe(false)
    await store.attach(f.api)
    expect(store.ready).toBe(true)
    expect(store.list.map(t => t.id)).toEqual(['b', 'a', 'c'])
    expect(store.needsMe).toBe(1)
    f.push(view('a', { balance: 300, updatedAt: 6, invoicesToMe: 1 }))
    expect(store.tallies.a?.balance).toBe(300)
    expect(store.needsMe).toBe(2)
    f.push(view('a', { balance: 100, updatedAt: 4 })) // late, older
    expect(store.tallies.a?.balance).toBe(300)
    store.detach()
    expect(store.ready).toBe(false)
  })

  it('coalesces history reloads: one running, one more after it', async () => {
    const f = fake([view('a')])
    const store = new TallyStore({ onLost: () => {}, isLost: () => false })
    await store.attach(f.api)
    store.show({ screen: 'tally', id: 'a' })
    await tick()
    for (let i = 0; i < 5; i++) f.push(view('a', { updatedAt: 10 + i }))
    expect(f.chitCalls).toEqual(['a'])
    f.release(); await tick()
    expect(f.chitCalls).toEqual(['a', 'a'])
    f.release(); await tick()
    expect(f.chitCalls).toEqual(['a', 'a'])
    expect(store.history.a?.[0]?.id).toBe('c2')
  })

  it('returns refusals in words with their code, and hands a lost wallet to the session', async () => {
    const f = fake([view('a')])
    let lost = 0
    const store = new TallyStore({ onLost: () => { lost++ }, isLost: err => (err as { code?: string }).code === 'STALE_WRITER' })
    expect(await store.call(api => api.pay('a', 1))).toMatchObject({ ok: false, error: expect.stringMatching(/starting/) })
    await store.attach(f.api)
    const over = await store.call(api => api.pay('a', 11))
    expect(over).toEqual({ ok: false, code: 'OVER_LIMIT', error: 'This is more than the credit available on this tally. Needs 11, 10 available' })
    expect(await store.call(api => api.pay('a', 3))).toMatchObject({ ok: true, value: { units: -3 } })
    expect(await store.call(api => api.acceptOffer('a'))).toMatchObject({ ok: false })
    expect(lost).toBe(1)
    expect((await store.contract('h'))?.title).toBe('Agreement')
    expect(await store.contract('other')).toBeUndefined()
  })

  it('gives the invite form the default contract up front, and caches its text by hash', async () => {
    const f = fake([view('a')])
    const store = new TallyStore({ onLost: () => {}, isLost: () => false })
    expect(await store.defaultContract()).toBeUndefined() // not attached yet
    await store.attach(f.api)
    expect(await store.defaultContract()).toMatchObject({ hash: 'd', contract: { title: 'Default agreement' } })
    expect((await store.contract('d'))?.title).toBe('Default agreement') // no call for the hash: the fake's contract() knows only 'h'
  })
})
