import { describe, expect, it } from 'vitest'
import { bestPlans, bottleneck, chooseLinear, hasLoop, pickCircular, pickLinear, planKeys, recordLegs, linearOptions } from '../../../../src/core/lift/plan'
import type { RouteHop, RoutePlan } from '../../../../src/core/lift/types'

const L = (c: string): string => c.repeat(43)
const K = (c: string): string => c.repeat(43)
const hop = (link: string, key: string, free: number, clutch = 0): RouteHop => ({ link: L(link), key: K(key), free, clutch })
const plan = (...hops: RouteHop[]): RoutePlan => ({ hops })

describe('route plans', () => {
  it('planKeys, bottleneck, hasLoop (repeated key, repeated link, or an extra key)', () => {
    const a = plan(hop('a', 'X', 5), hop('b', 'Y', 3))
    expect(planKeys(a)).toEqual([K('X'), K('Y')])
    expect(bottleneck(a)).toBe(3)
    expect(bottleneck(plan())).toBe(Number.POSITIVE_INFINITY)
    expect(hasLoop(a)).toBe(false)
    expect(hasLoop(a, [K('Z')])).toBe(false)
    expect(hasLoop(a, [K('Y')])).toBe(true)
    expect(hasLoop(plan(hop('a', 'X', 5), hop('b', 'X', 3)))).toBe(true)
    expect(hasLoop(plan(hop('a', 'X', 5), hop('a', 'Y', 3)))).toBe(true)
  })

  it('bestPlans: bottleneck desc, then fewer hops, then links; duplicates once; at most max', () => {
    const p1 = plan(hop('a', 'X', 5), hop('b', 'Y', 3))
    const p2 = plan(hop('c', 'X', 3))
    const p3 = plan(hop('b', 'X', 9), hop('c', 'Y', 8))
    const p4 = plan(hop('a', 'X', 9), hop('d', 'Y', 8))
    const p5 = plan(hop('e', 'X', 1))
    expect(bestPlans([p1, p2, p3, p4, p5, p4], 10)).toEqual([p4, p3, p2, p1, p5])
    expect(bestPlans([p5, p4, p3, p2, p1], 2)).toEqual([p4, p3])
    expect(bestPlans([], 3)).toEqual([])
  })

  it('pickCircular: best units × legs among fee-free plans with units ≥ minUnits', () => {
    const small = plan(hop('a', 'X', 100), hop('b', 'O', 100))
    const long = plan(hop('c', 'X', 60), hop('d', 'Y', 70), hop('e', 'O', 80))
    const fee = plan(hop('f', 'X', 1000, 1), hop('g', 'O', 1000))
    const negative = plan(hop('h', 'X', 90, -5000), hop('i', 'O', 90))
    expect(pickCircular([small, long, fee], 1)).toEqual({ plan: small, units: 100 }) // 200 vs 180
    expect(pickCircular([long, fee], 1)).toEqual({ plan: long, units: 60 })
    expect(pickCircular([long, fee], 61)).toBeUndefined()
    expect(pickCircular([negative], 1)).toEqual({ plan: negative, units: 90 })
    expect(pickCircular([plan(hop('a', 'O', 100))], 1)).toBeUndefined() // one leg is no cycle
    expect(pickCircular([plan(hop('a', 'X', 0), hop('b', 'O', 5))], 0)).toBeUndefined() // never 0 units
  })

  it('pickLinear: leg units from clutches, every hop free ≥ its units, least fee, then fewer hops; maxFee', () => {
    // payer → X (X clutch 2 %) → payee:  leg 1 carries 100, leg 0 carries 102
    const viaFee = plan(hop('a', 'X', 1000, 0), hop('b', 'P', 1000, 20_000))
    const free3 = plan(hop('c', 'X', 1000), hop('d', 'Y', 1000), hop('e', 'P', 1000))
    const tight = plan(hop('f', 'X', 101), hop('g', 'P', 1000, 20_000))
    expect(pickLinear([viaFee, free3], 100)).toEqual({ plan: free3, units: [100, 100, 100], fee: 0 })
    expect(pickLinear([viaFee, tight], 100)).toEqual({ plan: viaFee, units: [102, 100], fee: 2 })
    expect(pickLinear([tight], 100)).toBeUndefined()
    expect(pickLinear([viaFee], 100, 1)).toBeUndefined()
    expect(pickLinear([viaFee], 100, 2)).toMatchObject({ fee: 2 })
    expect(pickLinear([plan(hop('a', 'P', 20))], 20)).toEqual({ plan: plan(hop('a', 'P', 20)), units: [20], fee: 0 })
    expect(pickLinear([plan(hop('a', 'P', 20))], 21)).toBeUndefined() // scenario 29
    expect(linearOptions([free3, viaFee], 100).map(o => o.fee)).toEqual([0, 2])
  })

  it('chooseLinear names the refusal: NO_ROUTE or FEE_TOO_HIGH', () => {
    const viaFee = plan(hop('a', 'X', 1000, 0), hop('b', 'P', 1000, 20_000))
    expect(() => chooseLinear([], 5)).toThrow(expect.objectContaining({ code: 'NO_ROUTE' }))
    expect(() => chooseLinear([viaFee], 5000)).toThrow(expect.objectContaining({ code: 'NO_ROUTE' }))
    expect(() => chooseLinear([viaFee], 100, 1)).toThrow(expect.objectContaining({ code: 'FEE_TOO_HIGH', fee: 2, maxFee: 1 }))
    expect(chooseLinear([viaFee], 100).units).toEqual([102, 100])
  })

  it('recordLegs: one leg per hop; units must match', () => {
    const pl = plan(hop('a', 'X', 5), hop('b', 'Y', 3))
    expect(recordLegs(pl, [3, 2])).toEqual([{ link: L('a'), units: 3, key: K('X') }, { link: L('b'), units: 2, key: K('Y') }])
    expect(() => recordLegs(pl, [3])).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })
})
