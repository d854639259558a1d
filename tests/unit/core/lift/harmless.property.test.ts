// Harmlessness at the tally level (DESIGN.md §7): lift chits taken within edgeLading's free lading, applied
// with the real chit rules (core/chit/rules.ts lift, resolveLift) and resolved either way, never take a
// balance past a credit limit or past max(target, bound) — nor, since only free lading is lifted, past the
// receiver's target; along a route each node's net changes only as the design allows. fast-check, fixed
// seeds, run counts stated per property.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as rules from '../../../../src/core/chit/rules'
import { edgeLading } from '../../../../src/core/lift/lading'
import { clutchFee } from '../../../../src/core/lift/fees'
import { liftChitId } from '../../../../src/core/lift/ids'
import { pickCircular, pickLinear } from '../../../../src/core/lift/plan'
import { balanceOf, pendingGiven, worstDebt, type TallyState } from '../../../../src/core/tally/state'
import { otherSide, type Side } from '../../../../src/core/tally/types'
import type { RouteHop } from '../../../../src/core/lift/types'
import { tally } from './tally'

const REF = 'r'.repeat(43)
const SIDES: Side[] = ['stock', 'foil']

const varsArb = fc.record({ target: fc.integer({ min: 0, max: 6000 }), extra: fc.integer({ min: 0, max: 6000 }), clutch: fc.integer({ min: -50_000, max: 50_000 }) })
  .map(({ target, extra, clutch }) => ({ target, bound: target + extra, clutch, reward: Math.max(0, -clutch) }))

/** An open or closing tally whose balance is within both limits. */
const tallyArb = fc.record({
  stockLimit: fc.integer({ min: 0, max: 10_000 }),
  foilLimit: fc.integer({ min: 0, max: 10_000 }),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  stock: varsArb,
  foil: varsArb,
  closing: fc.boolean()
}).map(({ stockLimit, foilLimit, at, stock, foil, closing }) => tally({
  balance: Math.round(-foilLimit + at * (stockLimit + foilLimit)),
  limit: { stock: stockLimit, foil: foilLimit },
  vars: { stock, foil },
  status: closing ? 'closing' : 'open'
}))

/** The bounds no lift may break, from the state before any lift. */
function bounds (s0: TallyState) {
  return (s: TallyState): void => {
    for (const side of SIDES) {
      const other = otherSide(side)
      // credit: the side's debt in the worst case (every pending chit it gave resolving good) stays within the limit its partner grants
      expect(worstDebt(s, side)).toBeLessThanOrEqual(Math.max(s0[other].terms.limit, worstDebt(s0, side)))
      expect(-balanceOf(s, side)).toBeLessThanOrEqual(Math.max(s0[other].terms.limit, -balanceOf(s0, side)))
      // bound: the side's best case (every pending chit toward it good) stays within max(target, bound) — within target, as lifts use free lading only
      const best = balanceOf(s, side) + pendingGiven(s, other)
      const was = balanceOf(s0, side)
      expect(best).toBeLessThanOrEqual(Math.max(s0[side].vars.target, was))
      expect(best).toBeLessThanOrEqual(Math.max(s0[side].vars.target, s0[side].vars.bound, was))
    }
  }
}

describe('harmlessness of lifts within free lading', () => {
  it('one tally: lift chits within free, resolved good or void in any order, never pass a limit or the receiver\'s target/bound (seed 5, 200 runs)', () => {
    let total = 0
    const stepArb = fc.record({ lift: fc.boolean(), giver: fc.constantFrom<Side>('stock', 'foil'), frac: fc.double({ min: 0, max: 1, noNaN: true }), pick: fc.nat(), good: fc.boolean() })
    fc.assert(fc.property(tallyArb, fc.array(stepArb, { maxLength: 16 }), (s0, steps) => {
      const check = bounds(s0)
      let s = s0
      let n = 0
      let lifted = 0
      for (const st of steps) {
        const pending = Object.keys(s.pending)
        if (st.lift || pending.length === 0) {
          const { free, max } = edgeLading(s, st.giver)
          expect(free).toBeGreaterThanOrEqual(0)
          expect(free).toBeLessThanOrEqual(max)
          if (free < 1) continue
          const units = 1 + Math.floor(st.frac * (free - 1))
          const lift = `lift-property-${String(n++).padStart(4, '0')}`
          // within free lading the real rules always accept the chit
          s = rules.lift(s, st.giver, { op: 'lift', chit: liftChitId(lift, 0), lift, units, referees: [REF], expires: 1 })
          lifted += units
        } else {
          s = rules.resolveLift(s, pending[st.pick % pending.length]!, st.good ? 'good' : 'void')
        }
        check(s)
      }
      for (const id of Object.keys(s.pending)) {
        s = rules.resolveLift(s, id, 'good')
        check(s)
      }
      total += lifted > 0 ? 1 : 0
    }), { seed: 5, numRuns: 200 })
    expect(total).toBeGreaterThanOrEqual(100) // not vacuous: most runs lifted something
  })

  it('one tally: the full free lading of an edge is accepted by the rules, one more unit beyond max never is (seed 6, 200 runs)', () => {
    fc.assert(fc.property(tallyArb, fc.constantFrom<Side>('stock', 'foil'), (s0, giver) => {
      const { free, max } = edgeLading(s0, giver)
      const op = (units: number) => ({ op: 'lift' as const, chit: liftChitId('lift-edge-0001', 0), lift: 'lift-edge-0001', units, referees: [REF], expires: 1 })
      if (free >= 1) bounds(s0)(rules.lift(s0, giver, op(free)))
      expect(() => rules.lift(s0, giver, op(max + 1))).toThrow()
    }), { seed: 6, numRuns: 200 })
  })

  /** A leg likely to carry value toward the receiver: it is below its target, and the giver has credit. */
  const legArb = (giver: Side, maxClutch: number) => fc.record({
    target: fc.integer({ min: 0, max: 5000 }),
    below: fc.integer({ min: 0, max: 5000 }),
    giverRoom: fc.integer({ min: 0, max: 5000 }),
    receiverRoom: fc.integer({ min: 0, max: 5000 }),
    clutch: fc.integer({ min: -50_000, max: maxClutch }),
    bound: fc.integer({ min: 0, max: 3000 }),
    closing: fc.boolean()
  }).map(l => {
    const receiver = otherSide(giver)
    const held = l.target - l.below // the receiver's balance, from its side
    const limit = { [receiver]: Math.max(0, held) + l.giverRoom, [giver]: Math.max(0, -held) + l.receiverRoom } as { stock: number, foil: number }
    const vars = { [receiver]: { target: l.target, bound: l.target + l.bound }, [giver]: { clutch: l.clutch, reward: Math.max(0, -l.clutch) } }
    return tally({ balance: receiver === 'stock' ? held : -held, limit, vars, status: l.closing && l.below % 7 === 0 ? 'closing' : 'open' })
  })

  /** A route of tallies: leg k between node k (the giver, on side givers[k]) and node k + 1 (node 0 again at the end of a circular route). */
  const routeArb = (circular: boolean) => fc.integer({ min: 2, max: 6 }).chain(legs => fc.array(fc.constantFrom<Side>('stock', 'foil'), { minLength: legs, maxLength: legs })).chain(givers => fc.record({
    tallies: fc.tuple(...givers.map(g => fc.oneof({ arbitrary: legArb(g, circular ? 2000 : 50_000), weight: 4 }, { arbitrary: tallyArb, weight: 1 }))),
    givers: fc.constant(givers),
    good: fc.boolean(),
    amount: fc.integer({ min: 1, max: 3000 }),
    circular: fc.constant(circular)
  }))

  const exercised = { circular: 0, linear: 0 }

  function runRoute (r: { tallies: TallyState[], givers: Side[], good: boolean, amount: number, circular: boolean }): void {
    const legs = r.tallies.length
    const nodes = r.circular ? legs : legs + 1
    const tallies = r.tallies.map((t, k) => ({ ...t, tally: `tally-route-${k}` }))
    const hops: RouteHop[] = tallies.map((t, k) => {
      const l = edgeLading(t, r.givers[k]!)
      return { link: `link${k}`.padEnd(43, 'x'), key: `node${(k + 1) % nodes}`.padEnd(43, 'x'), free: l.free, clutch: l.clutch }
    })
    let units: number[]
    if (r.circular) {
      const pick = pickCircular([{ hops }], 1)
      const feeFree = hops.every(h => h.clutch <= 0)
      const least = Math.min(...hops.map(h => h.free))
      expect(pick === undefined).toBe(!feeFree || least < 1)
      if (pick === undefined) return
      expect(pick.units).toBe(least)
      units = hops.map(() => pick.units)
    } else {
      const pick = pickLinear([{ hops }], r.amount)
      if (pick === undefined) return
      units = pick.units
    }
    // each node's net: the sum of its balances, from its own sides
    const net = (ts: TallyState[]): number[] => {
      const out = new Array<number>(nodes).fill(0)
      ts.forEach((t, k) => {
        out[k] = out[k]! + balanceOf(t, r.givers[k]!)
        const rk = (k + 1) % nodes
        out[rk] = out[rk]! + balanceOf(t, otherSide(r.givers[k]!))
      })
      return out
    }
    exercised[r.circular ? 'circular' : 'linear']++
    const before = net(tallies)
    const lift = 'lift-route-0001'
    const pending = tallies.map((t, k) => rules.lift(t, r.givers[k]!, { op: 'lift', chit: liftChitId(lift, k), lift, units: units[k]!, referees: [REF], expires: 1 }))
    pending.forEach((t, k) => bounds(tallies[k]!)(t))
    // one decision resolves every leg the same way
    const after = pending.map((t, k) => rules.resolveLift(t, liftChitId(lift, k), r.good ? 'good' : 'void'))
    after.forEach((t, k) => bounds(tallies[k]!)(t))
    const delta = net(after).map((x, i) => x - before[i]!)
    if (!r.good) {
      expect(delta.every(d => d === 0)).toBe(true)
    } else if (r.circular) {
      expect(delta.every(d => d === 0)).toBe(true) // clearing leaves every net unchanged
    } else {
      expect(delta[0]).toBe(-units[0]!) // the payer pays the first leg
      expect(delta[legs]).toBe(r.amount) // the payee receives the amount
      for (let k = 1; k < legs; k++) {
        // an intermediary keeps exactly its own clutch's fee on what it gives (or pays less at the one-unit floor)
        const fee = clutchFee(units[k]!, hops[k]!.clutch)
        expect(delta[k]).toBe(units[k - 1]! - units[k]!)
        expect(delta[k]).toBeGreaterThanOrEqual(fee)
        if (units[k - 1]! > 1) expect(delta[k]).toBe(fee)
      }
    }
  }

  it('circular routes: the picked lift fits every leg and leaves every net unchanged, good or void (seed 7, 200 runs)', () => {
    fc.assert(fc.property(routeArb(true), runRoute), { seed: 7, numRuns: 200 })
    expect(exercised.circular).toBeGreaterThanOrEqual(30) // not vacuous: many runs did lift
  })

  it('linear routes: the payer pays units_0, the payee gets the amount, intermediaries keep their own fee only (seed 8, 200 runs)', () => {
    fc.assert(fc.property(routeArb(false), runRoute), { seed: 8, numRuns: 200 })
    expect(exercised.linear).toBeGreaterThanOrEqual(30)
  })
})
