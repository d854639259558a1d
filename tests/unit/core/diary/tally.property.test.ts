// The consensus properties again with the real tally machine (src/core/tally): payments and invoices signed
// on each party's forward key chain, both parties' devices proposing (two devices of one party racing for the
// same chain key), crashes and restarts, partitions and partial sync. After the heal (every crashed member
// restarts): never two certificates per seq, every node's history verifies from the genesis, every node on
// the same head sees the same balance (the stock's view is the exact negative of the foil's), no side's
// worst-case debt passes the limit its partner granted, and every valid action is certified.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ProposerConfig } from '../../../../src/core/diary'
import { tallyMachine } from '../../../../src/core/tally/machine'
import { balanceOf, tallyGenesis, worstDebt, type TallyState } from '../../../../src/core/tally/state'
import type { TallyAction } from '../../../../src/core/chit/types'
import { Device, chitId, openWorld, p as noble, type World } from '../tally/fixtures'
import { Sim, type SimMember } from './harness'
import { node, provider } from './fixtures'
import { opArb, type Op } from './scenario'

const SEED = 4242
const RUNS = 15
const config: ProposerConfig = { maxAttempts: 6, maxRounds: 4, resendMs: 100, backoff: { baseMs: 40, capMs: 640 }, checkpointEvery: 4 }

const worlds = new Map<string, Promise<{ world: World, members: SimMember[] }>>()
function worldFor (stockN: number, foilN: number): Promise<{ world: World, members: SimMember[] }> {
  const id = `${stockN}/${foilN}`
  let w = worlds.get(id)
  if (w === undefined) {
    w = (async () => {
      const stock = await Promise.all(Array.from({ length: stockN }, (_, i) => node(`tally-prop-s${i}`)))
      const foil = await Promise.all(Array.from({ length: foilN }, (_, i) => node(`tally-prop-f${i}`)))
      const world = await openWorld({ limits: { stock: 3_000, foil: 2_000 }, nodes: { stock: stock.map(n => n.key), foil: foil.map(n => n.key) } })
      const members: SimMember[] = [...stock.map(n => ({ ...n, party: 'stock' as const })), ...foil.map(n => ({ ...n, party: 'foil' as const }))]
      return { world, members }
    })()
    worlds.set(id, w)
  }
  return w
}

const scenarioArb = fc.record({
  stock: fc.integer({ min: 1, max: 3 }),
  foil: fc.integer({ min: 1, max: 3 }),
  ops: fc.array(opArb, { minLength: 30, maxLength: 90, size: 'max' }),
  units: fc.array(fc.integer({ min: 1, max: 1_500 }), { minLength: 8, maxLength: 8 }),
  seed: fc.nat()
})

describe('diary consensus with real chits (property, tally machine)', () => {
  it(`balances agree and are exact negatives, no limit is passed, histories verify, every valid chit is certified (${RUNS} runs, seed ${SEED})`, async () => {
    let certifiedTotal = 0
    await fc.assert(fc.asyncProperty(scenarioArb, async ({ stock, foil, ops, units, seed }) => {
      const { world, members } = await worldFor(stock, foil)
      const machine = tallyMachine(provider)
      const genesis = await tallyGenesis(noble, world.signed)
      // A key ahead of the chain may become usable once the keys before it are certified: keep such actions.
      const mayApplyLater = (e: unknown): boolean => (e as { code?: string }).code === 'UNKNOWN_KEY' && /ahead/.test((e as Error).message)
      const sim = new Sim<TallyState, TallyAction>({ provider, machine, genesis, members, config, seed, mayApplyLater })
      // One chain per party (any device of the user continues it); a race signs two actions with one key.
      const devices = { stock: new Device(world.bob, 'stock'), foil: new Device(world.alice, 'foil') }
      const keys = sim.keys()
      const at = (i: number): string => keys[i % keys.length]!
      const pay = async (key: string, i: number, index?: number): Promise<TallyAction> => {
        const d = devices[sim.nodes.get(key)!.party]
        return await d.sign({ op: 'pay', chit: chitId(), units: units[i % units.length]! }, index)
      }
      let n = 0
      for (const op of ops as Op[]) {
        switch (op.t) {
          case 'deliver': if (sim.queue.length > 0) await sim.deliver(op.i % sim.queue.length); break
          case 'drop': if (sim.queue.length > 0) sim.queue.splice(op.i % sim.queue.length, 1); break
          case 'tick': await sim.tick(); break
          case 'submit': if (sim.isUp(at(op.node))) await sim.submit(at(op.node), await pay(at(op.node), n++), op.self); break
          case 'crash': sim.crash(at(op.node)); break
          case 'crashHard': sim.crash(at(op.node), true); break
          case 'dropCerts': sim.queue = sim.queue.filter(m => m.payload.kind !== 'certificate' && m.payload.kind !== 'certs'); break
          case 'restart': sim.start(at(op.node)); break
          case 'cut': sim.cutLink(at(op.a), at(op.b)); break
          case 'heal': sim.healLinks(); break
          case 'share': await sim.share(at(op.a), at(op.b)); break
          case 'recover': await sim.recover(at(op.node), op.pick); break
          case 'burst': {
            // Two devices of the party of the first node sign at once with the same chain key.
            const first = at(op.nodes[0]!)
            const party = sim.nodes.get(first)!.party
            const mates = keys.filter(k => sim.nodes.get(k)!.party === party && sim.isUp(k))
            const index = devices[party].index
            for (const [j, k] of mates.slice(0, 2).entries()) await sim.submit(k, await pay(k, n++, index + (mates.length === 1 ? j : 0)), true)
            break
          }
        }
      }
      sim.checkSafety()
      sim.healLinks()
      for (const k of keys) sim.start(k)
      for (const k of keys) sim.antiEntropy(k)
      const settled = await sim.settle(20_000, 5_000)
      sim.checkSafety()
      await sim.checkHistories()
      expect(settled, sim.dump()).toBe(true)
      const head = sim.longestHead()
      certifiedTotal += head.seq
      for (const m of sim.nodes.values()) {
        const s = m.durable.member.head.state
        expect(m.durable.member.head.hash).toBe(head.hash)
        expect(balanceOf(s, 'stock')).toBe(-balanceOf(s, 'foil'))
        expect(balanceOf(s, 'stock')).toBe(balanceOf(head.state, 'stock'))
        for (const side of ['stock', 'foil'] as const) {
          expect(worstDebt(s, side)).toBeLessThanOrEqual(s[side === 'stock' ? 'foil' : 'stock'].terms.limit)
        }
      }
      // The balance is the sum of the certified good payments, recomputed from the log.
      const log = [...sim.nodes.values()][0]!.durable.log
      let sum = 0
      for (const c of log) {
        const refused = new Set(c.entry.body.refused.map(r => r.index))
        c.entry.body.actions.forEach((a, i) => {
          const body = a.kind === 'party' ? (a.action as { body: { side: string, op: { op: string, units?: number } } }).body : undefined
          if (!refused.has(i) && body?.op.op === 'pay') sum += body.side === 'foil' ? -(body.op.units ?? 0) : (body.op.units ?? 0)
        })
      }
      expect(Math.abs(balanceOf(head.state, 'stock'))).toBe(Math.abs(sum))
      // Progress: every action not dropped as invalid (a lost key race) is certified.
      const certified = sim.certifiedActions()
      for (const [h] of sim.submitted) if (!sim.dropped.has(h)) expect(certified.has(h), 'a valid chit was not certified').toBe(true)
      if (process.env.DIARY_STATS !== undefined) console.log(JSON.stringify({ stock, foil, seq: head.seq, submitted: sim.submitted.size, dropped: sim.dropped.size, balance: head.state.balance, refused: log.reduce((k, c) => k + c.entry.body.refused.length, 0) }))
    }), { seed: SEED, numRuns: RUNS, endOnFailure: true })
    expect(certifiedTotal).toBeGreaterThan(RUNS)
  }, 180_000)
})

