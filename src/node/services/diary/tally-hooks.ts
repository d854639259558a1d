// What the diary service needs to know about tally actions (the service itself is generic): how to order a
// batch (each side's chain actions by chain index: an entry with a chain key ahead of the chain is rejected
// whole) and the stateless check of a handed-off action (shape and signatures).
import type { SignatureProvider } from '../../../core/crypto/provider'
import type { TallyAction } from '../../../core/chit/types'
import { preverifyAction } from '../../../core/tally/machine'

/**
 * Each side keeps its slots in the batch, filled with its own chain actions in chain-index order; other
 * actions stay where they are. (A comparator "same side → by index, else by position" is not a total order.)
 */
export function orderTallyActions (actions: TallyAction[]): TallyAction[] {
  const side = (a: TallyAction): string | undefined => a.kind === 'party' ? a.action.body.side : undefined
  const index = (a: TallyAction): number => a.kind === 'party' ? a.action.body.index : 0
  const bySide = new Map<string, TallyAction[]>()
  for (const a of actions) {
    const s = side(a)
    if (s === undefined) continue
    const list = bySide.get(s)
    if (list === undefined) bySide.set(s, [a])
    else list.push(a)
  }
  for (const list of bySide.values()) list.sort((x, y) => index(x) - index(y))
  const next = new Map<string, number>()
  return actions.map(a => {
    const s = side(a)
    if (s === undefined) return a
    const k = next.get(s) ?? 0
    next.set(s, k + 1)
    return bySide.get(s)![k]!
  })
}

/** The `order` and `check` hooks of DiaryServiceDeps for tallies. */
export function tallyDiaryHooks (crypto: SignatureProvider): { order: (actions: TallyAction[]) => TallyAction[], check: (action: unknown) => Promise<void> } {
  return { order: orderTallyActions, check: async a => { await preverifyAction(crypto, a) } }
}
