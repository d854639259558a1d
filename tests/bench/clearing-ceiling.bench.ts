// What greedy circular lifting reaches with a whole view of the network (docs/lifts.md §9): on the lift-sim bench's network
// (tests/sim/generate.ts, seed 1, 1,000 users and 3,000 tallies), the share of the exact maximum clearable
// debt (tests/sim/reference.ts clearableDebt) that greedy lifting with a whole view of the network clears
// (greedyClearing: users in a seeded order each lift one cycle through themselves until none is left), per
// cycle depth and choice. The distributed clearing of the lift-sim bench is compared with this baseline
// as well as against the maximum (a baseline, not a bound: a lucky order can do better). Smoke: 30 users, depth 6.
import { generateNetwork } from '../sim/generate'
import { clearableDebt, greedyClearing, ladingNetwork } from '../sim/reference'
import type { Bench } from './types'

const BENCH = 'clearing-ceiling'

const bench: Bench = async (ctx) => {
  const users = ctx.smoke ? 30 : Number(process.env.LIFT_SIM_USERS ?? 1000)
  const generated = generateNetwork({ seed: 1, users })
  const net = ladingNetwork(generated)
  const max = clearableDebt(net).debt
  ctx.log(`${users} users, ${generated.tallies.length} tallies: exact maximum ${max} units`)
  for (const maxDepth of ctx.smoke ? [6] : [6, 10, 16, 1_000]) {
    for (const choose of ['shortest', 'widest'] as const) {
      const g = greedyClearing(net, { maxDepth, choose, seed: 1 })
      ctx.report({
        bench: BENCH,
        metric: `greedy clearing, cycles of ≤ ${maxDepth} legs, ${choose}`,
        value: max === 0 ? 0 : Math.round(g.debt / max * 1000) / 10,
        unit: '% of the exact maximum',
        debt: g.debt,
        maximum: max,
        lifts: g.lifts,
        generator: generated.params
      })
    }
  }
}

export default bench
