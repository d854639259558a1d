// Plan selection never exceeds any hop's free lading, picks the best by its stated order, and does not
// depend on the order plans arrive in. fast-check, fixed seeds, run counts stated.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { bestPlans, bottleneck, comparePlans, linearOptions, pickCircular, pickLinear } from '../../../../src/core/lift/plan'
import { legUnits, routeFee } from '../../../../src/core/lift/fees'
import type { RoutePlan } from '../../../../src/core/lift/types'

// few links and keys, so that ties and duplicates happen
const hopArb = fc.record({
  link: fc.constantFrom('a', 'b', 'c', 'd').map(c => c.repeat(43)),
  key: fc.constantFrom('K', 'L', 'M').map(c => c.repeat(43)),
  free: fc.integer({ min: 0, max: 2000 }),
  clutch: fc.oneof(fc.constant(0), fc.integer({ min: -30_000, max: 30_000 }))
})
const planArb: fc.Arbitrary<RoutePlan> = fc.record({ hops: fc.array(hopArb, { minLength: 1, maxLength: 6 }) })
const plansArb = fc.array(planArb, { maxLength: 12 })

describe('plan selection (properties)', () => {
  it('pickLinear: every hop carries at most its free, the payee gets the amount, least fee of all feasible plans (seed 11, 200 runs)', () => {
    let picked = 0
    fc.assert(fc.property(plansArb, fc.integer({ min: 1, max: 2000 }), fc.option(fc.integer({ min: 0, max: 100 })), (plans, amount, maxFee) => {
      const pick = pickLinear(plans, amount, maxFee ?? undefined)
      const feasible = plans.filter(pl => { const u = legUnits(amount, pl.hops.map(h => h.clutch)); return pl.hops.every((h, k) => h.free >= u[k]!) })
      const cheapest = Math.min(...feasible.map(pl => routeFee(legUnits(amount, pl.hops.map(h => h.clutch)))))
      if (pick === undefined) {
        expect(feasible.length === 0 || (maxFee !== null && cheapest > maxFee)).toBe(true)
        return
      }
      picked++
      pick.plan.hops.forEach((h, k) => expect(pick.units[k]!).toBeLessThanOrEqual(h.free))
      expect(pick.units[pick.units.length - 1]).toBe(amount)
      expect(pick.units).toEqual(legUnits(amount, pick.plan.hops.map(h => h.clutch)))
      expect(pick.fee).toBe(routeFee(pick.units))
      expect(pick.fee).toBe(cheapest)
      if (maxFee !== null) expect(pick.fee).toBeLessThanOrEqual(maxFee)
      expect(pickLinear([...plans].reverse(), amount, maxFee ?? undefined)).toEqual(pick)
    }), { seed: 11, numRuns: 200 })
    expect(picked).toBeGreaterThanOrEqual(40)
  })

  it('pickCircular: units ≤ every hop\'s free and ≥ minUnits, no positive clutch, the best bang, order-independent (seed 12, 200 runs)', () => {
    let picked = 0
    fc.assert(fc.property(plansArb, fc.integer({ min: 0, max: 500 }), (plans, minUnits) => {
      const pick = pickCircular(plans, minUnits)
      const eligible = plans.filter(pl => pl.hops.length >= 2 && pl.hops.every(h => h.clutch <= 0) && bottleneck(pl) >= Math.max(1, minUnits))
      if (pick === undefined) {
        expect(eligible).toEqual([])
        return
      }
      picked++
      expect(pick.plan.hops.every(h => h.clutch <= 0 && h.free >= pick.units)).toBe(true)
      expect(pick.units).toBe(bottleneck(pick.plan))
      expect(pick.units).toBeGreaterThanOrEqual(Math.max(1, minUnits))
      expect(pick.units * pick.plan.hops.length).toBe(Math.max(...eligible.map(pl => bottleneck(pl) * pl.hops.length)))
      expect(pickCircular([...plans].reverse(), minUnits)).toEqual(pick)
    }), { seed: 12, numRuns: 200 })
    expect(picked).toBeGreaterThanOrEqual(40)
  })

  it('bestPlans: sorted by the stated order, at most max, no duplicate links, a subset, order-independent (seed 13, 200 runs)', () => {
    fc.assert(fc.property(plansArb, fc.integer({ min: 0, max: 16 }), (plans, max) => {
      const best = bestPlans(plans, max)
      expect(best.length).toBeLessThanOrEqual(max)
      for (let i = 1; i < best.length; i++) {
        expect(comparePlans(best[i - 1]!, best[i]!)).toBeLessThan(0)
        expect(bottleneck(best[i - 1]!)).toBeGreaterThanOrEqual(bottleneck(best[i]!))
      }
      const ids = best.map(pl => JSON.stringify(pl.hops.map(h => h.link)))
      expect(new Set(ids).size).toBe(ids.length)
      for (const pl of best) expect(plans).toContain(pl)
      const distinct = new Set(plans.map(pl => JSON.stringify(pl.hops.map(h => h.link)))).size
      expect(best.length).toBe(Math.min(max, distinct))
      expect(bestPlans([...plans].reverse(), max)).toEqual(best)
      // every plan left out is no better than the last kept one
      if (best.length === max && max > 0) {
        for (const pl of plans) if (!ids.includes(JSON.stringify(pl.hops.map(h => h.link)))) expect(comparePlans(best[max - 1]!, pl)).toBeLessThan(0)
      }
    }), { seed: 13, numRuns: 200 })
  })

  it('linearOptions lists only feasible plans, cheapest first (seed 14, 100 runs)', () => {
    fc.assert(fc.property(plansArb, fc.integer({ min: 1, max: 2000 }), (plans, amount) => {
      const opts = linearOptions(plans, amount)
      for (let i = 1; i < opts.length; i++) expect(opts[i - 1]!.fee).toBeLessThanOrEqual(opts[i]!.fee)
      for (const o of opts) o.plan.hops.forEach((h, k) => expect(o.units[k]!).toBeLessThanOrEqual(h.free))
    }), { seed: 14, numRuns: 100 })
  })
})
