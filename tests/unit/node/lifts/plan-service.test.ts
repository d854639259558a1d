// The clearing plan service (services/lifts/plan-service.ts, /mychips/plan/1.0.0) on the simulated network
// with fake ledgers over plain tally states (route-world.ts): epochs spread and merge, the plan of research
// scenario 22's cycle is its bottleneck, claims and holds keep concurrent lifts within it, and every refusal.
import { describe, expect, it } from 'vitest'
import { linkNonce } from '../../../../src/core/lift/ids'
import { silentLogger } from '../../../../src/node/ports'
import { decodePlanMessage, decodePlanWalk, sendPlan, type PlanMessage } from '../../../../src/node/protocols/plan'
import { PlanService } from '../../../../src/node/services/lifts/plan-service'
import { PlanWalker } from '../../../../src/node/services/lifts/plan-walk'
import type { ClearingPlan } from '../../../../src/node/services/lifts/contracts'
import type { RouteHop } from '../../../../src/core/lift/types'
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
    const badWalk = (m: unknown): string => { try { decodePlanWalk(encoder.encode(JSON.stringify(m))); return 'ok' } catch (err) { return (err as { code: string }).code } }
    const session = 's'.repeat(43)
    const link = linkNonce(T3, session)
    const walk = { v: 1, t: 'walk', session, link, step: 5, route: [[0, 10], [3, 7]], clutch: 0 }
    expect(badWalk(walk)).toBe('ok')
    expect(badWalk({ ...walk, route: [[3, 10], [3, 7]] })).toBe('MALFORMED') // visits out of order
    expect(badWalk({ ...walk, route: [] })).toBe('MALFORMED')
    expect(badWalk({ ...walk, step: 0 })).toBe('MALFORMED')
    expect(badWalk({ ...walk, route: [[0, -1]] })).toBe('MALFORMED')
    expect(badWalk({ ...walk, route: Array.from({ length: 65 }, (_, i) => [i, 1]) })).toBe('MALFORMED')
    const reserve = { v: 1, t: 'reserve', session, steps: [4, 9], hops: [], next: { link, free: 5, clutch: 0 }, units: 5 }
    expect(badWalk(reserve)).toBe('ok')
    const hop = { link, key: 'k'.repeat(43), free: 5, clutch: 0 }
    expect(badWalk({ ...reserve, hops: [hop, hop] })).toBe('MALFORMED') // arrives over no leg of its loop
    expect(badWalk({ ...reserve, steps: [4] })).toBe('MALFORMED')
    expect(badWalk({ ...reserve, at: 0 })).toBe('MALFORMED')
    expect(badWalk({ v: 1, t: 'release', session, link, steps: [1, 2] })).toBe('ok')
    expect(badWalk({ v: 1, t: 'end', session, link })).toBe('MALFORMED')
  })
})

describe('plan walks (services/lifts/plan-walk.ts, /mychips/plan-walk/1.0.0)', () => {
  interface Lifted { node: string, hops: RouteHop[], units: number, key: string, session: string }

  /** Scenario 22 with a settled plan and a walker per node; `shortAfterWalk`: that node's leg has nothing left once a walk passed it. */
  async function walkWorld (shortAfterWalk?: string): Promise<{ w: RouteWorld, plans: Map<string, PlanService>, walkers: Map<string, PlanWalker>, lifted: Lifted[] }> {
    const { w, plans } = planWorld()
    await w.run(plans.get('A')!.settle())
    await w.time.advance(500)
    const walkers = new Map<string, PlanWalker>()
    const lifted: Lifted[] = []
    for (const name of ['A', 'B', 'C']) {
      const real = plans.get(name)!
      const n = w.node(name)
      const ref: { walker?: PlanWalker } = {}
      const plan: ClearingPlan = name !== shortAfterWalk
        ? real
        : Object.assign(Object.create(real) as ClearingPlan, { left: (t: string) => (ref.walker?.counters.forwarded ?? 0) > 0 ? 0 : real.left(t) })
      const walker = ref.walker = new PlanWalker({
        network: n.net, ledger: w.ledger(name), keys: n.keys, plan, random: seededRandom(name.charCodeAt(0) + 100), timers: w.time.timers, logger: silentLogger, minUnits: 1,
        lift: (discovery, hops, units) => { lifted.push({ node: name, hops, units, key: discovery.key, session: discovery.session }) }
      })
      walker.start()
      walkers.set(name, walker)
    }
    return { w, plans, walkers, lifted }
  }

  it('a walk round the plan\'s cycle: the loop is reserved leg by leg and lifted by its node with every hop complete', async () => {
    const { w, plans, walkers, lifted } = await walkWorld()
    expect(walkers.get('A')!.walk()).toBe(true)
    // Six messages of 20–60 ms (walk A→C→B→A, reserve round): within planHoldMs (1 s), so the holds are still there.
    await w.time.advance(600)
    // One loop A→C→B→A of 7000; its hops name the receivers' session keys of the walk's session.
    expect(lifted).toHaveLength(1)
    const [l] = lifted
    expect(l!.node).toBe('A')
    expect(l!.units).toBe(7000)
    expect(l!.hops.map(h => h.free)).toEqual([7000, 7000, 7000])
    const session = (h: RouteHop, name: string): boolean => h.key === w.node(name).keys.session(l!.session).key
    expect([session(l!.hops[0]!, 'C'), session(l!.hops[1]!, 'B'), session(l!.hops[2]!, 'A')]).toEqual([true, true, true])
    expect(l!.key).toBe(l!.hops[2]!.key)
    expect(l!.hops.map(h => h.link)).toEqual([T3, T2, T1].map(t => linkNonce(t, l!.session)))
    // Every leg holds its 7000 for the lift (nothing left for another walk).
    expect([plans.get('A')!.left(T3), plans.get('C')!.left(T2), plans.get('B')!.left(T1)]).toEqual([0, 0, 0])
    expect(walkers.get('A')!.counters.loops).toBe(1)
    for (const x of walkers.values()) x.stop()
    for (const p of plans.values()) p.stop()
  })

  it('a leg with nothing left when the reservation comes: the legs before it give their holds back, nothing is lifted', async () => {
    const { w, plans, walkers, lifted } = await walkWorld('B')
    expect(walkers.get('A')!.walk()).toBe(true)
    // Before the holds would time out (planHoldMs 1 s): they are back because of the release.
    await w.time.advance(600)
    expect(lifted).toHaveLength(0)
    expect(walkers.get('A')!.counters.loops).toBe(1)
    // A's and C's holds went back with the release; B held nothing.
    expect([plans.get('A')!.left(T3), plans.get('C')!.left(T2)]).toEqual([7000, 7000])
    for (const x of walkers.values()) x.stop()
    for (const p of plans.values()) p.stop()
  })
})

