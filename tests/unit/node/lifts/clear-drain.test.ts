// clear() drains the node's cycles when configured to (config.clearLifts: several lifts, one after the other) and retries, with a fresh discovery
// after a random backoff, a lift that did not end good (a stale view of the lading: what a concurrent lift
// that took the same free lading first looks like to the originator). Bounded: CLEAR_RETRIES misses in a row.
import { describe, expect, it } from 'vitest'
import type { Discovery, LiftServiceDeps, RouteService } from '../../../../src/node/services/lifts/contracts'
import { CLEAR_BACKOFF_MS, CLEAR_RETRIES } from '../../../../src/node/services/lifts/service'
import { balanceOn, liftWorld, type LiftWallet, type LiftWorld } from './world'

/**
 * A route service that hands out stale plans: every hop after the first claims twice its free lading (as
 * if a concurrent lift had not yet taken its share), for the first `stale` discoveries; honest afterwards.
 */
function staleRoutes (w: LiftWorld, stale: number): { route: (deps: LiftServiceDeps) => RouteService, finds: () => number } {
  let finds = 0
  return {
    finds: () => finds,
    route: deps => {
      const inner = w.oracle.service(deps)
      return {
        start: () => { inner.start() },
        stop: () => { inner.stop() },
        find: async request => {
          const d: Discovery = await inner.find(request)
          if (finds++ >= stale) return d
          return { ...d, plans: d.plans.map(p => ({ hops: p.hops.map((h, i) => i === 0 ? h : { ...h, free: h.free * 2 }) })) }
        }
      }
    }
  }
}

/** The research cycle of scenario 22 (clears 7000), A the originator-to-be. */
async function cycle (w: LiftWorld, a: LiftWallet): Promise<{ b: LiftWallet, c: LiftWallet, t: [string, string, string] }> {
  const [b, c] = [await w.wallet('B'), await w.wallet('C')]
  const t1 = await w.tally(a, b, { balance: -10_000, limit: { foil: 20_000, stock: 0 } })
  const t2 = await w.tally(b, c, { balance: -7_000, limit: { foil: 20_000, stock: 0 } })
  const t3 = await w.tally(c, a, { balance: -12_000, limit: { foil: 20_000, stock: 0 } })
  return { b, c, t: [t1, t2, t3] }
}

describe('clear() drains and retries', { timeout: 60_000 }, () => {
  it('with clearLifts 4, one clear() makes a lift on each of two cycles through the node (it discovers again after a good lift); by default one', async () => {
    const w = liftWorld(5101)
    const a = await w.wallet('A', { config: { clearLifts: 4 } })
    const { b, t } = await cycle(w, a)
    const [d, e] = [await w.wallet('D'), await w.wallet('E')]
    const ad = await w.tally(a, d, { balance: -4_000, limit: { foil: 20_000, stock: 0 } })
    const de = await w.tally(d, e, { balance: -3_000, limit: { foil: 20_000, stock: 0 } })
    const ea = await w.tally(e, a, { balance: -5_000, limit: { foil: 20_000, stock: 0 } })
    const first = await w.run(a.lifts.clear())
    expect(first).toMatchObject({ status: 'good', units: 7_000 })
    await w.time.advance(3_000)
    const made = (await a.lifts.list()).filter(l => l.role === 'originator')
    expect(made.map(l => [l.status, l.units]).sort()).toEqual([['good', 3_000], ['good', 7_000]])
    expect([balanceOn(a, t[0]), balanceOn(b, t[1]), balanceOn(a, t[2])]).toEqual([-3_000, 0, 5_000])
    expect([balanceOn(a, ad), balanceOn(d, de), balanceOn(e, ea)]).toEqual([-1_000, 0, -2_000])
    // drained: nothing left to clear
    expect(await w.run(a.lifts.clear())).toBeUndefined()
    // the default (clearLifts 1): one good lift per clear
    const w1 = liftWorld(5104)
    const a1 = await w1.wallet('A')
    await cycle(w1, a1)
    const [d1, e1] = [await w1.wallet('D'), await w1.wallet('E')]
    await w1.tally(a1, d1, { balance: -4_000, limit: { foil: 20_000, stock: 0 } })
    await w1.tally(d1, e1, { balance: -3_000, limit: { foil: 20_000, stock: 0 } })
    await w1.tally(e1, a1, { balance: -5_000, limit: { foil: 20_000, stock: 0 } })
    expect(await w1.run(a1.lifts.clear())).toMatchObject({ status: 'good', units: 7_000 })
    expect((await a1.lifts.list()).filter(l => l.role === 'originator')).toHaveLength(1)
    expect(await w1.run(a1.lifts.clear())).toMatchObject({ status: 'good', units: 3_000 })
  })

  it('a lift that voids on a stale view is retried after a backoff with a fresh discovery, and clears', async () => {
    const w = liftWorld(5102)
    const routes = staleRoutes(w, 1)
    const a = await w.wallet('A', { route: routes.route })
    const { b, t } = await cycle(w, a)
    const start = w.time.now
    const lift = await w.run(a.lifts.clear())
    expect(lift).toMatchObject({ status: 'good', units: 7_000 })
    const made = (await a.lifts.list()).filter(l => l.role === 'originator')
    expect(made.map(l => l.status).sort()).toEqual(['good', 'void'])
    expect(made.find(l => l.status === 'void')!.units).toBeGreaterThan(7_000)
    // the second lift came after the backoff (at least half the mean), from a fresh discovery
    expect(routes.finds()).toBeGreaterThanOrEqual(2)
    expect(w.time.now - start).toBeGreaterThanOrEqual(CLEAR_BACKOFF_MS / 2)
    await w.time.advance(3_000)
    expect([balanceOn(a, t[0]), balanceOn(b, t[1]), balanceOn(a, t[2])]).toEqual([-3_000, 0, 5_000])
  })

  it(`gives up after ${CLEAR_RETRIES} misses in a row: ${CLEAR_RETRIES + 1} void lifts, nothing moved`, async () => {
    const w = liftWorld(5103)
    const routes = staleRoutes(w, Number.POSITIVE_INFINITY)
    const a = await w.wallet('A', { route: routes.route })
    const { b, t } = await cycle(w, a)
    const lift = await w.run(a.lifts.clear())
    expect(lift).toMatchObject({ status: 'void' })
    const made = (await a.lifts.list()).filter(l => l.role === 'originator')
    expect(made).toHaveLength(CLEAR_RETRIES + 1)
    expect(made.every(l => l.status === 'void')).toBe(true)
    expect(routes.finds()).toBe(CLEAR_RETRIES + 1)
    await w.time.advance(3_000)
    expect([balanceOn(a, t[0]), balanceOn(b, t[1]), balanceOn(a, t[2])]).toEqual([-10_000, -7_000, 12_000])
  })
})
