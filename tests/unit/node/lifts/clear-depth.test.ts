// config.clearDepth: the route limit of clear()'s circular discoveries, apart from payments' maxDepth
// (circular discovery is marked, so a deeper one costs little). Real route service on every node.
import { describe, expect, it } from 'vitest'
import type { LiftConfig } from '../../../../src/node/services/lifts/contracts'
import { balanceOn, liftWorld } from './world'

/** A cycle A → B → C → D → A of four legs (each foil owes its stock: the stock can give to the foil). */
async function fourCycle (config: Partial<LiftConfig>): Promise<{ cleared: boolean, balances: number[] }> {
  const w = liftWorld(7301, { discovery: 'real' })
  const [a, b, c, d] = [await w.wallet('A', { config }), await w.wallet('B', { config }), await w.wallet('C', { config }), await w.wallet('D', { config })]
  const limit = { foil: 20_000, stock: 0 }
  const t = [
    await w.tally(b, a, { balance: -5_000, limit }),
    await w.tally(c, b, { balance: -4_000, limit }),
    await w.tally(d, c, { balance: -3_000, limit }),
    await w.tally(a, d, { balance: -6_000, limit })
  ]
  const lift = await w.run(a.lifts.clear())
  await w.time.advance(3_000)
  return { cleared: lift?.status === 'good', balances: [balanceOn(a, t[0]!), balanceOn(b, t[1]!), balanceOn(c, t[2]!), balanceOn(d, t[3]!)] }
}

describe('clear() searches cycles up to clearDepth legs', { timeout: 60_000 }, () => {
  it('maxDepth 3 alone: the 4-leg cycle is out of reach, nothing moves', async () => {
    expect(await fourCycle({ maxDepth: 3 })).toEqual({ cleared: false, balances: [5_000, 4_000, 3_000, 6_000] })
  })

  it('maxDepth 3 with clearDepth 4: the cycle clears its bottleneck (3,000) on every leg', async () => {
    expect(await fourCycle({ maxDepth: 3, clearDepth: 4 })).toEqual({ cleared: true, balances: [2_000, 1_000, 0, 3_000] })
  })
})
