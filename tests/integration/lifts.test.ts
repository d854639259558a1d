// Lifts between real wallet nodes over libp2p (three Node nodes through the project's relay on loopback,
// the real diary, route and lift services): P pays Q, with whom it has no tally, through X — discovery,
// conditional chits certified on both tallies, promises, P's referee, the decision recorded everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestRelay, type TestRelay } from './helpers/relay'
import { liftTrio, type LiftTrio } from '../bench/lift-libp2p/trio'
import { nobleProvider } from '../../src/core/crypto/noble'
import { until } from '../bench/lift-libp2p/wait'

let relay: TestRelay
let trio: LiftTrio

beforeAll(async () => {
  relay = await startTestRelay()
  trio = await liftTrio({ relay: relay.addr, crypto: nobleProvider, balance: 10_000 })
}, 60_000)

afterAll(async () => {
  await trio?.stop()
  await relay?.stop()
})

describe('lifts between wallets over libp2p', () => {
  it('a payment lift across three users: quoted, paid, good at the payer, the intermediary and the payee; balances move on both tallies', async () => {
    const { p, x, q, px, xq } = trio
    expect(await p.lifts.quote({ to: q.userId, units: 2_500 })).toEqual({ to: q.userId, units: 2_500, fee: 0, legs: 2 })
    const paid = await p.lifts.pay({ to: q.userId, units: 2_500 })
    expect(paid).toMatchObject({ kind: 'linear', role: 'originator', status: 'good', units: 2_500, fee: 0, legs: 2, to: q.userId })
    expect(paid.effects).toEqual([expect.objectContaining({ tally: px, units: -2_500, status: 'good', partner: 'X' })])
    await until(async () => await q.lifts.list(), ls => ls.some(l => l.id === paid.id && l.status === 'good'), 'the payee sees the lift good', 10_000)
    await until(async () => await x.lifts.list(), ls => ls.some(l => l.id === paid.id && l.status === 'good'), 'the intermediary sees the lift good', 10_000)
    expect(await x.lifts.get(paid.id)).toMatchObject({ role: 'intermediary', fee: 0, effects: [expect.objectContaining({ units: 2_500 }), expect.objectContaining({ units: -2_500 })] })
    await until(async () => [(await p.node.tallies!.get(px)).balance, (await q.node.tallies!.get(xq)).balance], ([a, b]) => a === 7_500 && b === -7_500, 'the balances', 10_000)
    expect(await x.node.tallies!.get(px)).toMatchObject({ balance: -7_500 })
    expect(await x.node.tallies!.get(xq)).toMatchObject({ balance: 7_500 })
    // more than the route carries: no route, and nothing moves
    await expect(p.lifts.pay({ to: q.userId, units: 7_501 })).rejects.toMatchObject({ code: 'NO_ROUTE' })
    expect(await p.node.tallies!.get(px)).toMatchObject({ balance: 7_500 })
  })
})
