// Auto-clearing (LiftApi.setAutoClear): off by default, persisted, periodic with jitter on the injected
// timers; the node then finds and makes circular lifts on its own.
import { describe, expect, it } from 'vitest'
import { balanceOn, liftWorld } from './world'

describe('auto-clearing', { timeout: 60_000 }, () => {
  it('off by default; once on, the node clears the cycle within one jittered period; the setting survives a restart', async () => {
    const w = liftWorld(4101)
    const autoClearMs = 30_000
    const opts = { config: { autoClearMs } }
    const [a, b, c] = [await w.wallet('A', opts), await w.wallet('B', opts), await w.wallet('C', opts)]
    const t1 = await w.tally(a, b, { balance: -10_000, limit: { foil: 20_000, stock: 0 } })
    const t2 = await w.tally(b, c, { balance: -7_000, limit: { foil: 20_000, stock: 0 } })
    expect(await a.lifts.autoClear()).toEqual({ on: false, intervalMs: autoClearMs })
    const t3 = await w.tally(c, a, { balance: -12_000, limit: { foil: 20_000, stock: 0 } })
    // off: nothing happens, however long we wait
    await w.time.advance(3 * autoClearMs)
    expect(await a.lifts.list()).toEqual([])
    expect(balanceOn(b, t2)).toBe(-7_000)
    const on = await w.run(c.lifts.setAutoClear(true))
    expect(on).toEqual({ on: true, intervalMs: autoClearMs })
    // within 1.25 periods (the jitter is ±25 %) and the lift's own time
    await w.time.advance(1.25 * autoClearMs + 5_000)
    const [lift] = await c.lifts.list()
    expect(lift).toMatchObject({ kind: 'circular', role: 'originator', status: 'good', units: 7_000 })
    expect([balanceOn(a, t1), balanceOn(b, t2), balanceOn(c, t3)]).toEqual([-3_000, 0, -5_000])
    const view = await c.lifts.autoClear()
    expect(view).toMatchObject({ on: true, lastRun: expect.any(Number) })
    // a restart keeps the setting (persisted in the 'lifts' table)
    await c.crash()
    const c2 = await c.restart()
    expect(await c2.lifts.autoClear()).toMatchObject({ on: true })
    // nothing left to clear: further runs make no lift
    await w.time.advance(3 * autoClearMs)
    expect((await c2.lifts.list()).filter(l => l.kind === 'circular')).toHaveLength(1)
    expect(await w.run(c2.lifts.setAutoClear(false))).toMatchObject({ on: false })
    await expect(c2.lifts.setAutoClear('yes' as unknown as boolean)).rejects.toMatchObject({ code: 'MALFORMED' })
  })
})
