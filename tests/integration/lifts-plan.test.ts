// Clearing with a plan between real wallet nodes over libp2p (docs/lifts.md §10): three Node wallets through
// the project's relay on loopback, a circle of debts X → P → Q → X of 3,000 each; P clears: the three plan
// over /mychips/plan/1.0.0, a walk over /mychips/plan-walk/1.0.0 closes the loop, it is reserved and lifted,
// and every tally ends at zero on both sides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestRelay, type TestRelay } from './helpers/relay'
import { liftTrio, type LiftTrio } from '../bench/lift-libp2p/trio'
import { nobleProvider } from '../../src/core/crypto/noble'
import { until } from '../bench/lift-libp2p/wait'

let relay: TestRelay
let trio: LiftTrio

beforeAll(async () => {
  relay = await startTestRelay()
  trio = await liftTrio({ relay: relay.addr, crypto: nobleProvider, balance: 3_000, cycle: true, lifts: { planMs: 1_500, planJoinMs: 500, planLiftMs: 20_000 } })
}, 60_000)

afterAll(async () => {
  await trio?.stop()
  await relay?.stop()
})

describe('clearing with a plan over libp2p', () => {
  it('P clears: the circle is planned, walked, reserved and lifted; every tally ends at 0 on both sides', async () => {
    const { p, x, q, px, xq, qp } = trio
    const lift = await p.lifts.clear()
    expect(lift).toMatchObject({ kind: 'circular', status: 'good', units: 3_000, legs: 3 })
    const tallies = [[p, px], [x, px], [x, xq], [q, xq], [q, qp!], [p, qp!]] as const
    await until(async () => await Promise.all(tallies.map(async ([w, t]) => (await w.node.tallies!.get(t)).balance)), bs => bs.every(b => b === 0), 'every tally at 0', 15_000)
  }, 60_000)
})
