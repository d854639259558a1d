// Batch order for tallies: each side's chain actions in chain-index order, each side keeping its slots.
import { describe, expect, it } from 'vitest'
import type { TallyAction } from '../../../../src/core/chit/types'
import { orderTallyActions } from '../../../../src/node/services/diary'

const party = (side: 'stock' | 'foil', index: number): TallyAction => ({ kind: 'party', action: { body: { side, index } } } as unknown as TallyAction)
const other = (id: string): TallyAction => ({ kind: 'decision', lift: id, decisions: [] } as unknown as TallyAction)
const label = (a: TallyAction): string => a.kind === 'party' ? `${a.action.body.side[0]}${a.action.body.index}` : 'x'

describe('orderTallyActions', () => {
  it('sorts each side by chain index within its own slots and leaves other actions in place', () => {
    const input = [party('stock', 7), party('foil', 3), other('l'), party('stock', 5), party('foil', 1), party('stock', 6), party('foil', 2)]
    expect(orderTallyActions(input).map(label)).toEqual(['s5', 'f1', 'x', 's6', 'f2', 's7', 'f3'])
  })

  it('is stable for an ordered batch and keeps every action', () => {
    const input = Array.from({ length: 50 }, (_, i) => party(i % 3 === 0 ? 'foil' : 'stock', i))
    expect(orderTallyActions(input)).toEqual(input)
    const shuffled = [...input].reverse()
    const out = orderTallyActions(shuffled)
    expect(out).toHaveLength(50)
    for (const side of ['stock', 'foil']) {
      const idx = out.filter(a => a.kind === 'party' && a.action.body.side === side).map(a => a.kind === 'party' ? a.action.body.index : 0)
      expect(idx).toEqual([...idx].sort((a, b) => a - b))
    }
  })
})
