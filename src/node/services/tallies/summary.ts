// Per-tally figures for TallyView that would otherwise cost a walk over the whole chit index on every view
// (a wallet list of 50 tallies × 200 chits, refreshed on every certified entry). The certified balance is
// already kept by the machine (TallyState.balance); the chit count is kept here incrementally.
//
// The chit index is a persistent trie (core/tally/chit-index.ts): applying a chit copies the two nodes on
// its path and shares every other node with the previous state. countChits diffs the new index against the
// last counted one by reference and re-counts only the leaves that changed, so the cost is proportional to
// the chits applied since, not to the tally's history. The diff compares sizes, so the result equals a full
// count for any two indexes (sharing only makes it fast).
import type { ChitIndex } from '../../../core/tally/chit-index'

/** The chit count of an index, remembered for the next incremental count. */
export interface ChitCount {
  readonly index: ChitIndex
  readonly count: number
}

/** Number of chit records in the index: a full walk. */
export function fullChitCount (index: ChitIndex): number {
  let n = 0
  for (const l1 of Object.values(index)) for (const l2 of Object.values(l1)) n += Object.keys(l2).length
  return n
}

/** The count of `index`, from the last count `prev` (undefined: a full walk). */
export function countChits (index: ChitIndex, prev?: ChitCount): ChitCount {
  if (prev === undefined) return { index, count: fullChitCount(index) }
  if (prev.index === index) return prev
  let count = prev.count
  const old = prev.index
  for (const a of unionKeys(index, old)) {
    const n1 = index[a]
    const o1 = old[a]
    if (n1 === o1) continue
    for (const b of unionKeys(n1 ?? {}, o1 ?? {})) {
      const n2 = n1?.[b]
      const o2 = o1?.[b]
      if (n2 === o2) continue
      count += (n2 === undefined ? 0 : Object.keys(n2).length) - (o2 === undefined ? 0 : Object.keys(o2).length)
    }
  }
  return { index, count }
}

function unionKeys (x: Record<string, unknown>, y: Record<string, unknown>): Set<string> {
  const keys = new Set(Object.keys(x))
  for (const k of Object.keys(y)) keys.add(k)
  return keys
}

/** The chit counts of the tallies one service views, each advanced incrementally from its last count. */
export class ChitCounts {
  readonly #last = new Map<string, ChitCount>()

  of (tally: string, index: ChitIndex): number {
    const next = countChits(index, this.#last.get(tally))
    this.#last.set(tally, next)
    return next.count
  }
}
