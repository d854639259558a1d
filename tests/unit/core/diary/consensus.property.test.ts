// Property tests of the diary's consensus in the deterministic in-memory harness, with the toy machine (a
// counter with a limit). fast-check (fixed seed, stated runs) picks the interleaving: deliveries, drops,
// timer expiries, proposals from both parties' devices (including two devices of one party proposing at
// once), crashes and restarts, partitions and partial sync. Then the network heals except for a minority of
// each party that stays down, and everything must settle.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hashOf } from '../../../../src/core/codec/hash'
import { makeSim, raceArb, RUNS, runScenario, scenarioArb, SEED, type Outcome } from './scenario'

const RACE_RUNS = 100

describe('diary consensus (property, toy machine)', () => {
  it(`crash-recovery: never two certificates per seq; histories verify; everything settles once all restart (${RUNS} runs, seed ${SEED})`, async () => {
    let certified = 0
    await fc.assert(fc.asyncProperty(scenarioArb, async sc => { certified += (await runScenario(sc, 'restart')).seq }), { seed: SEED, numRuns: RUNS, endOnFailure: true })
    expect(certified).toBeGreaterThan(RUNS) // the scenarios do certify entries (the property is not vacuous)
  }, 120_000)

  it(`a minority of each party lost from the start, devices racing: safety always, and everything settles (${RUNS} runs, seed ${SEED + 3})`, async () => {
    const outcomes: Outcome[] = []
    await fc.assert(fc.asyncProperty(scenarioArb, async sc => { outcomes.push(await runScenario(sc, 'lost-at-start')) }), { seed: SEED + 3, numRuns: RUNS, endOnFailure: true })
    // Not vacuous: members were lost, and recovery rounds certified entries.
    expect(outcomes.filter(o => o.lost > 0).length).toBeGreaterThan(RUNS / 4)
    expect(outcomes.reduce((n, o) => n + o.recoveries, 0)).toBeGreaterThan(RUNS)
  }, 120_000)

  it(`a minority of each party lost mid-flight (votes split by races): safety always, and everything settles (${RUNS} runs, seed ${SEED + 2})`, async () => {
    const outcomes: Outcome[] = []
    await fc.assert(fc.asyncProperty(scenarioArb, async sc => { outcomes.push(await runScenario(sc, 'lost-later')) }), { seed: SEED + 2, numRuns: RUNS, endOnFailure: true })
    expect(outcomes.filter(o => o.lost > 0).length).toBeGreaterThan(RUNS / 4)
    expect(outcomes.reduce((n, o) => n + o.recoveries, 0)).toBeGreaterThan(0)
  }, 120_000)

  it(`recovery races: recovery rounds started anywhere, any time, for any pending entry; never two certificates per seq, and everything settles with a minority lost (${RACE_RUNS} runs, seed ${SEED + 4})`, async () => {
    const outcomes: Outcome[] = []
    await fc.assert(fc.asyncProperty(raceArb, async sc => { outcomes.push(await runScenario(sc, 'lost-later', false, true)) }), { seed: SEED + 4, numRuns: RACE_RUNS, endOnFailure: true })
    expect(outcomes.reduce((n, o) => n + o.recoveries, 0)).toBeGreaterThan(RACE_RUNS)
  }, 120_000)

  it('a recovery round after a round-0 certificate nobody else saw re-proposes the certified entry (no fork)', async () => {
    const sim = await makeSim(2, 3, 11)
    const [, s1, f0] = sim.keys() as [string, string, string]
    const first = { type: 'add' as const, id: 'first', n: 1 }
    await sim.submit(f0, first, true)
    // Every member approves f0's entry in round 0 (the fast quorum); f0 is lost with the certificate it made.
    for (let guard = 0; guard < 200 && !sim.certified.has(1); guard++) await sim.deliver(0)
    expect(sim.certified.get(1)?.size).toBe(1)
    sim.lost.add(f0)
    sim.crash(f0)
    sim.queue = sim.queue.filter(m => m.from !== f0)
    // s1 proposes at seq 1 too: every member conflicts, s1 runs a recovery round: it must re-propose f0's entry.
    await sim.submit(s1, { type: 'add', id: 'second', n: 2 }, true)
    expect(await sim.settle(5_000)).toBe(true)
    sim.checkSafety()
    await sim.checkHistories()
    expect(sim.longestHead().seq).toBe(2)
    expect(sim.recoveryCerts).toBeGreaterThan(0)
  })

  it('a split round 0 with a member lost for good settles by a recovery round (the D.7 freeze), without a fork', async () => {
    // 1 stock + 3 foil: f2 voted its own entry, s0, f0 and f1 voted f0's; f0 is then lost for good. Under the
    // old rules nobody could decide seq 1 without f0; a round-0 certificate needs all three foil members here.
    const sim = await makeSim(1, 3, 5)
    const [, f0, , f2] = sim.keys() as [string, string, string, string]
    await sim.submit(f2, { type: 'add', id: 'split-2', n: 2 }, true)
    sim.queue = sim.queue.filter(m => m.from !== f2) // its entry reaches nobody else yet
    await sim.submit(f0, { type: 'add', id: 'split-1', n: 1 }, true)
    for (let guard = 0; guard < 50 && sim.queue.length > 0; guard++) await sim.deliver(0)
    expect(sim.certified.has(1)).toBe(false) // 2 of 3 foil approvals are a majority, not the fast quorum
    sim.lost.add(f0)
    sim.crash(f0, true)
    expect(await sim.settle(5_000)).toBe(true)
    sim.checkSafety()
    await sim.checkHistories()
    expect(sim.recoveryCerts).toBeGreaterThan(0)
    expect(sim.certifiedActions().has(hashOf({ type: 'add', id: 'split-2', n: 2 }))).toBe(true)
  })

  it('a crashed author never freezes the tally: its pending entry is driven to a decision by the others', async () => {
    const sim = await makeSim(2, 3, 7)
    const [s0, s1, f0, f1, f2] = sim.keys() as [string, string, string, string, string]
    // f0 (the preferred proposer) proposes; only s0 and f1 receive it and reserve it; then f0 dies for good.
    await sim.submit(f0, { type: 'add', id: 'orphan', n: 5 }, true)
    for (let i = sim.queue.length - 1; i >= 0; i--) {
      const m = sim.queue[i]!
      if (m.to === s0 || m.to === f1) await sim.deliver(i)
    }
    sim.crash(f0)
    // Now s1 acts; the reservations s0 and f1 hold for f0's entry must not block it.
    await sim.submit(s1, { type: 'add', id: 'later', n: 7 }, false)
    expect(await sim.settle(5_000)).toBe(true)
    sim.checkSafety()
    await sim.checkHistories()
    const certified = sim.certifiedActions()
    expect(certified.has(hashOf({ type: 'add', id: 'later', n: 7 }))).toBe(true)
    expect(sim.longestHead().seq).toBeGreaterThanOrEqual(1)
    expect([s0, s1, f1, f2].every(k => sim.isUp(k))).toBe(true)
  })
})
