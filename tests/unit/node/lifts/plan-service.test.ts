// The clearing plan service (services/lifts/plan-service.ts, /mychips/plan/1.0.0) on the simulated network
// with fake ledgers over plain tally states (route-world.ts): epochs spread and merge, the plan of research
// scenario 22's cycle is its bottleneck, claims and holds keep concurrent lifts within it, and every refusal.
import { describe, expect, it } from 'vitest'
import { linkNonce } from '../../../../src/core/lift/ids'
import { silentLogger } from '../../../../src/node/ports'
import { decodePlanMessage, decodePlanWalk, sendPlan, type PlanMessage } from '../../../../src/node/protocols/plan'
import { PlanService } from '../../../../src/node/services/lifts/plan-service'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { RouteWorld, SCENARIO_22 } from './route-world'

const CONFIG = { planMs: 2_000, planJoinMs: 300, planLiftMs: 10_000, planHoldMs: 1_000 }
const [T1, T2, T3] = ['tally-t1-AB', 'tally-t2-BC', 'tally-t3-CA']
const encoder = new TextEncoder()

function planWorld (seed = 1): { w: RouteWorld, plans: Map<string, PlanService> } {
  const w = new RouteWorld(['A', 'B', 'C'], SCENARIO_22, { seed, latency: { minMs: 20, maxMs: 60 } })
  const plans = new Map<string, PlanService>()
  for (const name of ['A', 'B', 'C']) {
    const n = w.node(name)
    const p = new PlanService({ network: n.net, ledger: w.ledger(name), clock: w.time.clock, timers: w.time.timers, random: seededRandom(name.charCodeAt(0)), logger: silentLogger, config: CONFIG })
    p.start()
    plans.set(name, p)
  }
  return { w, plans }
}

describe('clearing plan service', () => {
  it('scenario 22: one settle() spreads an epoch to all three; the plan routes the bottleneck 7000 round A→C→B→A', async () => {
    const { w, plans } = planWorld()
    const a = plans.get('A')!
    expect(a.inForce()).toBe(false)
    expect(a.left(T3)).toBeUndefined()
    const { ms } = await w.run(a.settle())
    expect(ms).toBeGreaterThanOrEqual(CONFIG.planJoinMs + CONFIG.planMs)
    await w.time.advance(500)
    for (const p of plans.values()) expect(p.inForce()).toBe(true)
    // A gives on t3 (to C), C on t2 (to B), B on t1 (to A): 7000 each, the smallest free lading of the cycle.
    expect([a.left(T3), plans.get('C')!.left(T2), plans.get('B')!.left(T1)]).toEqual([7000, 7000, 7000])
    expect([a.left(T1), a.incoming(T1), plans.get('C')!.incoming(T3)]).toEqual([0, 7000, 7000])
    expect(a.counters.epochs).toBe(1)
    // The plan stops bounding lifts after planLiftMs.
    await w.time.advance(CONFIG.planLiftMs)
    expect(a.inForce()).toBe(false)
    for (const p of plans.values()) p.stop()
  })

  it('two nodes starting an epoch at once end in the same one (the smallest id) with the same plan', async () => {
    const { w, plans } = planWorld(2)
    await w.run(Promise.all([plans.get('A')!.settle(), plans.get('C')!.settle()]))
    await w.time.advance(500)
    expect([plans.get('A')!.left(T3), plans.get('C')!.left(T2), plans.get('B')!.left(T1)]).toEqual([7000, 7000, 7000])
    expect(plans.get('B')!.counters.epochs).toBeGreaterThanOrEqual(1)
  })

  it('claims and holds: a lift claims at most what is left, a session first from its own hold, a void lift gives back', async () => {
    const { w, plans } = planWorld()
    const a = plans.get('A')!
    await w.run(a.settle())
    a.hold('s1', T3, 3000)
    expect(a.left(T3)).toBe(4000)
    expect(a.unclaimed(T3)).toBe(7000)
    // Another session sees only what is not held.
    expect(a.claim('lift-x', T3, 4001, 's2')).toBe(false)
    expect(a.claim('lift-x', T3, 4000, 's2')).toBe(true)
    expect(a.left(T3)).toBe(0)
    // The holding session: its hold first; the rest of the hold goes back once its lift passed.
    expect(a.claim('lift-y', T3, 2000, 's1')).toBe(true)
    expect(a.claim('lift-y', T3, 2000, 's1')).toBe(true) // idempotent per lift and tally
    expect([a.left(T3), a.unclaimed(T3)]).toEqual([1000, 1000])
    a.release('lift-x')
    expect(a.left(T3)).toBe(5000)
    a.hold('s3', T3, 10_000) // at most what is left
    expect(a.left(T3)).toBe(0)
    a.unhold('s3', T3)
    expect(a.left(T3)).toBe(5000)
    a.hold('s4', T3, 1000)
    await w.time.advance(CONFIG.planHoldMs + 1)
    expect(a.left(T3)).toBe(5000)
    // Without a plan in force nothing bounds a lift.
    await w.time.advance(CONFIG.planLiftMs)
    expect(a.claim('lift-z', T3, 1_000_000)).toBe(true)
  })

  it('does not take a push of another epoch; refuses plan and walk messages of the wrong shape', async () => {
    const { w, plans } = planWorld()
    const a = plans.get('A')!
    await w.run(a.settle())
    // The epoch id is not exposed: a push naming another epoch is simply not taken.
    const push: PlanMessage = { v: 1, t: 'push', epoch: 'e'.repeat(43), link: linkNonce(T3, 'e'.repeat(43)), delta: 1, price: 0 }
    const answer = await w.run(sendPlan(w.node('C').net, w.node('A').peerId, push))
    expect(answer.value.ok).toBe(false)
    const bad = (m: unknown): string => { try { decodePlanMessage(encoder.encode(JSON.stringify(m))); return 'ok' } catch (err) { return (err as { code: string }).code } }
    expect(bad({ ...push, delta: 0 })).toBe('MALFORMED')
    expect(bad({ ...push, price: -1 })).toBe('MALFORMED')
    expect(bad({ ...push, epoch: 'short' })).toBe('MALFORMED')
    expect(bad({ ...push, extra: 1 })).toBe('MALFORMED')
    expect(bad({ v: 1, t: 'join', epoch: 'e'.repeat(43), link: push.link, startInMs: 0, planMs: 600_001, give: 0, take: 0 })).toBe('MALFORMED')
    expect(bad(push)).toBe('ok')
    expect(() => decodePlanMessage(new Uint8Array(2048))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }))
    const walk = { v: 1, t: 'reserve', session: 's'.repeat(43), hops: [], at: 0, units: 1 }
    expect(() => decodePlanWalk(encoder.encode(JSON.stringify(walk)))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })
})
