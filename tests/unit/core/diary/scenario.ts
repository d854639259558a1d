// The randomized scenario the consensus property tests run (shared by the toy and tally property tests).
import fc from 'fast-check'
import { expect } from 'vitest'
import type { ProposerConfig } from '../../../../src/core/diary'
import { Sim, type SimMember } from './harness'
import { makeToy, provider, toyMachine, type ToyAction, type ToyState } from './fixtures'

export const SEED = 20261122
export const RUNS = 40

const config: ProposerConfig = { maxAttempts: 6, maxRounds: 4, resendMs: 100, backoff: { baseMs: 40, capMs: 640 }, checkpointEvery: 5 }

export type Op =
  | { t: 'deliver', i: number }
  | { t: 'drop', i: number }
  | { t: 'tick' }
  | { t: 'submit', node: number, n: number, self: boolean }
  | { t: 'crash', node: number }
  /** Every certificate in flight is lost (only the proposer that made it knows it). */
  | { t: 'dropCerts' }
  /** A crash before its last messages left (e.g. a certificate it just made, unpublished). */
  | { t: 'crashHard', node: number }
  | { t: 'restart', node: number }
  | { t: 'cut', a: number, b: number }
  | { t: 'heal' }
  | { t: 'share', a: number, b: number }
  /** Several devices propose at once, each itself (concurrent entries for one seq). */
  | { t: 'burst', nodes: number[] }
  /** Adversary: a node starts a recovery round for its pending seq at once, for the `pick`-th entry it knows. */
  | { t: 'recover', node: number, pick: number }

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: fc.nat(64).map(i => ({ t: 'deliver' as const, i })) },
  { weight: 3, arbitrary: fc.nat(64).map(i => ({ t: 'drop' as const, i })) },
  { weight: 6, arbitrary: fc.constant({ t: 'tick' as const }) },
  { weight: 6, arbitrary: fc.record({ node: fc.nat(7), n: fc.integer({ min: -400, max: 400 }), self: fc.boolean() }).map(r => ({ t: 'submit' as const, ...r })) },
  { weight: 2, arbitrary: fc.nat(7).map(node => ({ t: 'crash' as const, node })) },
  { weight: 2, arbitrary: fc.nat(7).map(node => ({ t: 'restart' as const, node })) },
  { weight: 1, arbitrary: fc.record({ a: fc.nat(7), b: fc.nat(7) }).map(r => ({ t: 'cut' as const, ...r })) },
  { weight: 1, arbitrary: fc.constant({ t: 'heal' as const }) },
  { weight: 2, arbitrary: fc.record({ a: fc.nat(7), b: fc.nat(7) }).map(r => ({ t: 'share' as const, ...r })) },
  { weight: 3, arbitrary: fc.array(fc.nat(7), { minLength: 2, maxLength: 3 }).map(nodes => ({ t: 'burst' as const, nodes })) },
  { weight: 3, arbitrary: fc.record({ node: fc.nat(7), pick: fc.nat(7) }).map(r => ({ t: 'recover' as const, ...r })) }
)

export const scenarioArb = fc.record({
  stock: fc.integer({ min: 1, max: 3 }),
  foil: fc.integer({ min: 1, max: 3 }),
  ops: fc.array(opArb, { minLength: 30, maxLength: 120, size: 'max' }),
  /** Which members stay down after the heal (only a minority of each party is allowed to). */
  keepDown: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  seed: fc.nat()
})

/**
 * Races and recovery rounds, densely: 2–3 members per party (fast quorum = all), bursts of concurrent proposals,
 * recovery rounds started by anyone at any moment for any pending entry it knows, random delivery order.
 */
export const raceOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 20, arbitrary: fc.nat(64).map(i => ({ t: 'deliver' as const, i })) },
  { weight: 2, arbitrary: fc.nat(64).map(i => ({ t: 'drop' as const, i })) },
  { weight: 3, arbitrary: fc.constant({ t: 'tick' as const }) },
  { weight: 4, arbitrary: fc.array(fc.nat(7), { minLength: 2, maxLength: 4 }).map(nodes => ({ t: 'burst' as const, nodes })) },
  { weight: 7, arbitrary: fc.record({ node: fc.nat(7), pick: fc.nat(7) }).map(r => ({ t: 'recover' as const, ...r })) },
  { weight: 1, arbitrary: fc.nat(7).map(node => ({ t: 'crash' as const, node })) },
  { weight: 2, arbitrary: fc.nat(7).map(node => ({ t: 'crashHard' as const, node })) },
  { weight: 3, arbitrary: fc.constant({ t: 'dropCerts' as const }) },
  { weight: 1, arbitrary: fc.nat(7).map(node => ({ t: 'restart' as const, node })) }
)

export const raceArb = fc.record({
  stock: fc.integer({ min: 2, max: 3 }),
  foil: fc.integer({ min: 2, max: 3 }),
  ops: fc.array(raceOpArb, { minLength: 40, maxLength: 120, size: 'max' }),
  keepDown: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  seed: fc.nat()
})

export async function makeSim (stockN: number, foilN: number, seed: number): Promise<Sim<ToyState, ToyAction>> {
  const toy = await makeToy({ stock: stockN, foil: foilN, limit: 1000, tally: `prop-${stockN}-${foilN}` })
  const members: SimMember[] = [
    ...toy.stock.map(n => ({ ...n, party: 'stock' as const })),
    ...toy.foil.map(n => ({ ...n, party: 'foil' as const }))
  ]
  return new Sim({ provider, machine: toyMachine, genesis: toy.genesis, members, config, seed })
}

let actionNo = 0

export async function play (sim: Sim<ToyState, ToyAction>, ops: Op[]): Promise<void> {
  const keys = sim.keys()
  const at = (i: number): string => keys[i % keys.length]!
  for (const op of ops) {
    switch (op.t) {
      case 'deliver': if (sim.queue.length > 0) await sim.deliver(op.i % sim.queue.length); break
      case 'drop': if (sim.queue.length > 0) sim.queue.splice(op.i % sim.queue.length, 1); break
      case 'tick': await sim.tick(); break
      case 'submit': await sim.submit(at(op.node), { type: 'add', id: `x${++actionNo}`, n: op.n }, op.self); break
      case 'crash': sim.crash(at(op.node)); break
      case 'crashHard': sim.crash(at(op.node), true); break
      case 'dropCerts': sim.queue = sim.queue.filter(m => m.payload.kind !== 'certificate' && m.payload.kind !== 'certs'); break
      case 'restart': sim.start(at(op.node)); break
      case 'cut': sim.cutLink(at(op.a), at(op.b)); break
      case 'heal': sim.healLinks(); break
      case 'share': await sim.share(at(op.a), at(op.b)); break
      case 'burst': for (const i of op.nodes) await sim.submit(at(i), { type: 'add', id: `x${++actionNo}`, n: 100 }, true); break
      case 'recover': await sim.recover(at(op.node), op.pick); break
    }
  }
}

/** Heals the network, keeping down at most a minority of each party; returns the nodes left down. */
export function heal (sim: Sim<ToyState, ToyAction>, keepDown: boolean[]): Set<string> {
  const down = pickMinority(sim, keepDown)
  sim.healLinks()
  for (const k of sim.keys()) {
    if (down.has(k)) { sim.lost.add(k); sim.crash(k) } else sim.start(k)
  }
  for (const k of sim.keys()) if (!down.has(k)) sim.antiEntropy(k)
  return down
}

/** At most a minority of each party, among the flagged members. */
export function pickMinority (sim: Sim<ToyState, ToyAction>, keepDown: boolean[]): Set<string> {
  const down = new Set<string>()
  for (const party of ['stock', 'foil'] as const) {
    const list = sim.keys().filter(k => sim.nodes.get(k)!.party === party)
    const maxDown = Math.floor((list.length - 1) / 2)
    for (const k of list) if (down.size < 99 && keepDown[sim.keys().indexOf(k)] === true && [...down].filter(d => sim.nodes.get(d)!.party === party).length < maxDown) down.add(k)
  }
  return down
}


export type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never

export interface Outcome { settled: boolean, seq: number, lost: number, recoveries: number }

/**
 * Plays the chaos, then heals; safety is checked in every run, and progress ALWAYS (issue 3: progress whenever a
 * majority of each party's members is reachable):
 * - 'restart': every crashed member comes back after the chaos (crash-recovery): everything must settle.
 * - 'lost-at-start': a minority of each party is lost for good before anything happens.
 * - 'lost-later': a minority is lost for good when the network heals, possibly holding votes on pending entries
 *   (split races included): recovery rounds must settle every pending seq without them.
 */
export type Loss = 'restart' | 'lost-at-start' | 'lost-later'

/**
 * `adversarial`: while the network settles, keep starting recovery rounds at random nodes for random pending
 * entries and losing certificates in flight (for the first 400 steps), so recovery rounds run while
 * certificates exist that not everyone has seen.
 */
export async function runScenario ({ stock, foil, ops, keepDown, seed }: Scenario, loss: Loss, trace = false, adversarial = false): Promise<Outcome> {
  const sim = await makeSim(stock, foil, seed)
  if (trace) sim.trace = line => console.log(line)
  if (loss === 'lost-at-start') for (const k of pickMinority(sim, keepDown)) { sim.lost.add(k); sim.crash(k) }
  await play(sim, ops)
  sim.checkSafety()
  const down = heal(sim, loss === 'lost-later' ? keepDown : [])
  for (const k of sim.lost) down.add(k)
  let a = (seed ^ 0x9e3779b9) >>> 0
  const rand = (n: number): number => { a = (Math.imul(a, 1664525) + 1013904223) >>> 0; return a % n }
  const keys = sim.keys()
  const adversary = async (step: number): Promise<void> => {
    if (step >= 400) return
    const r = rand(100)
    if (r < 6) await sim.recover(keys[rand(keys.length)]!, rand(8))
    else if (r < 9) sim.queue = sim.queue.filter(m => m.payload.kind !== 'certificate' && m.payload.kind !== 'certs')
  }
  const settled = await sim.settle(20_000, 5_000, adversarial ? adversary : undefined)
  sim.checkSafety()
  await sim.checkHistories()
  expect(sim.errors).not.toContain('FORK_DETECTED')
  const head = sim.longestHead()
  expect(Math.abs(head.state.count)).toBeLessThanOrEqual(head.state.limit)
  expect(settled, `did not settle (${loss}, ${down.size} lost):\n${sim.dump()}\nlast failures: ${sim.failures.slice(-5).join(', ')}`).toBe(true)
  // Progress: every action submitted on a node that is up now is certified (with or without a refusal).
  const certified = sim.certifiedActions()
  for (const [h, key] of sim.submitted) {
    if (!down.has(key)) expect(certified.has(h), `action from ${sim.name(key)} not certified`).toBe(true)
  }
  if (process.env.DIARY_STATS !== undefined) console.log(JSON.stringify({ loss, stock, foil, ops: ops.length, submitted: sim.submitted.size, seq: head.seq, down: down.size, settled, recoveries: sim.recoveryCerts, failures: sim.failures.length, clock: sim.clock }))
  return { settled, seq: head.seq, lost: down.size, recoveries: sim.recoveryCerts }
}
