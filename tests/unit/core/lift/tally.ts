// Plain tally states for lading and harmlessness tests: the lift rules are pure functions of the state, so
// these tests build states directly (the signed path through the tally machine is covered in lading.test.ts).
import { DEFAULT_VARS, type Side, type TradingVars } from '../../../../src/core/tally/types'
import type { TallyState, TallyStatus } from '../../../../src/core/tally/state'

export interface TallySpec {
  id?: string
  /** Units the foil owes the stock (the stock's view), from good chits. */
  balance?: number
  /** The credit each side grants its partner (its terms.limit): limit.stock bounds the foil's debt. */
  limit?: { stock?: number, foil?: number }
  vars?: { stock?: Partial<TradingVars>, foil?: Partial<TradingVars> }
  status?: TallyStatus
}

const KEY = 'k'.repeat(43)

export function tally (spec: TallySpec = {}): TallyState {
  const party = (side: Side) => ({
    userId: `${side}-user`,
    terms: { limit: spec.limit?.[side] ?? 0, call: 30 },
    vars: { ...DEFAULT_VARS, ...spec.vars?.[side] },
    chain: { index: 0, next: KEY },
    members: []
  })
  return {
    tally: spec.id ?? 'tally-test-0001',
    doc: 'd'.repeat(43),
    status: spec.status ?? 'open',
    balance: spec.balance ?? 0,
    stock: party('stock'),
    foil: party('foil'),
    pending: {},
    chits: {},
    actions: 0
  }
}
