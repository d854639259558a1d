// The clearing plan's ε-relaxation (core/lift/relax.ts) run asynchronously over random networks: it
// settles, both ends of every edge agree, the plan is a circulation within free lading, and it is within
// n·EPS/COST units of the exact maximum (ε-optimality), whatever order messages arrive in.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { PLAN_COST, PLAN_EPS, RelaxNode } from '../../../../src/core/lift/relax'
import { generateNetwork } from '../../../sim/generate'
import { clearableDebt, ladingNetwork } from '../../../sim/reference'
import { runRelaxModel } from './relax-model'

function check (users: number, seed: number, order: number): { value: number, max: number, messages: number } {
  const net = ladingNetwork(generateNetwork({ seed, users }))
  const max = clearableDebt(net).debt
  const r = runRelaxModel(net, order)
  expect(r.receiverX).toEqual(r.giverX)
  r.giverX.forEach((x, k) => { expect(x).toBeGreaterThanOrEqual(0); expect(x).toBeLessThanOrEqual(r.caps[k]!) })
  const balance = net.users.map(() => 0)
  r.giverX.forEach((x, k) => { balance[r.ends[k]!.from]! -= x; balance[r.ends[k]!.to]! += x })
  expect(balance.every(b => b === 0)).toBe(true)
  for (const node of r.nodes) expect(node.surplus).toBe(0)
  expect(r.value).toBeLessThanOrEqual(max)
  // ε-complementary slackness with the final prices on every edge: full edges may be cheap, empty ones dear,
  // planned ones within ε of the cost.
  const bad = r.giverX.filter((x, k) => {
    const diff = r.nodes[r.ends[k]!.from]!.price - r.nodes[r.ends[k]!.to]!.price
    return (x < r.caps[k]! && diff > -PLAN_COST + PLAN_EPS) || (x > 0 && diff < -PLAN_COST - PLAN_EPS)
  })
  expect(bad).toEqual([])
  // Hence (Bertsekas): every cycle of x − x* costs ≥ −ε per leg, so COST·(max − value) ≤ ε·Σ|x − x*|.
  const optimum = new Map(clearableDebt(net).flows.map(f => [f.edge.tally, f.units]))
  const usable = net.edges.filter(e => e.clutch <= 0 && e.free > 0)
  const distance = r.giverX.reduce((s, x, k) => s + Math.abs(x - (optimum.get(usable[k]!.tally) ?? 0)), 0)
  expect(PLAN_COST * (max - r.value)).toBeLessThanOrEqual(PLAN_EPS * distance)
  return { value: r.value, max, messages: r.messages }
}

describe('clearing plan (ε-relaxation)', () => {
  it('starts with every arc full and the surplus it implies', () => {
    const n = new RelaxNode([{ tally: 'a', out: true, cap: 5 }, { tally: 'b', out: false, cap: 8 }])
    expect(n.surplus).toBe(3)
    expect(n.plannedOut('a')).toBe(5)
    expect(n.plannedOut('b')).toBe(0)
  })

  it('undoes surplus over the in-arc at price 0 when it is admissible, else raises to the next level', () => {
    const n = new RelaxNode([{ tally: 'a', out: true, cap: 5 }, { tally: 'b', out: false, cap: 8 }])
    // In-arc needs p ≥ partner + COST + EPS = 3: a raise to 3, then a push of the surplus (3) back over b.
    const step = n.step()
    expect(step.raisedTo).toBe(PLAN_COST + PLAN_EPS)
    expect(step.pushes).toEqual([{ arc: 1, tally: 'b', delta: -3, units: 3, price: 3 }])
    expect(n.surplus).toBe(0)
    n.answered(1, true, 0)
    expect(n.arcs[1]!.x).toBe(5)
  })

  it('gets its surplus back when a push is refused, and learns the price', () => {
    const n = new RelaxNode([{ tally: 'b', out: false, cap: 8 }])
    const step = n.step()
    expect(step.pushes).toHaveLength(1)
    n.answered(0, false, 10)
    expect(n.surplus).toBe(8)
    expect(n.arcs[0]!.partnerPrice).toBe(10)
    expect(n.step().raisedTo).toBe(10 + PLAN_COST + PLAN_EPS)
  })

  it('refuses a push outside [0, cap] or against slackness at its current price', () => {
    const n = new RelaxNode([{ tally: 'a', out: true, cap: 5 }, { tally: 'b', out: false, cap: 8 }])
    expect(n.receive(0, +1, 0)).toBe(false) // past the cap
    expect(n.receive(1, -9, 0)).toBe(false) // below zero
    n.price = 10
    // More on my in-arc b needs p(partner) − p(me) ≥ −3: a partner at 6 is too low.
    expect(n.receive(1, -1, 6)).toBe(true) // less is fine at this price? less needs ≤ −1: 6 − 10 = −4 ≤ −1
    expect(n.receive(1, +1, 6)).toBe(false)
    expect(n.receive(1, +1, 7)).toBe(true)
    // Less on my out-arc a needs p(me) − p(partner) ≤ −1: a partner at 10 is too low, 11 is fine.
    expect(n.receive(0, -1, 10)).toBe(false)
    expect(n.receive(0, -1, 11)).toBe(true)
  })

  it('settles to an ε-optimal circulation on the bench generator at 60 users (three message orders)', () => {
    for (const order of [1, 2, 3]) {
      const r = check(60, 1, order)
      expect(r.value / r.max).toBeGreaterThan(0.95)
    }
  })

  it('settles to an ε-optimal circulation on random networks (property, 25 runs)', () => {
    fc.assert(fc.property(fc.integer({ min: 8, max: 40 }), fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 1e6 }), (users, seed, order) => {
      check(users, seed, order)
    }), { numRuns: 25, seed: 5 })
  })
})
