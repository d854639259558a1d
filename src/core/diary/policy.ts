// Who proposes, and how long to wait before retrying: pure policy, no clock or randomness of its own.
import type { MemberSet } from './machine'

/**
 * The preferred proposer of a tally: the foil's first reachable member (in member-set order). It orders
 * entries; the others hand it their signed actions and propose themselves only when it is unreachable
 * (undefined here), which avoids livelock when both sides act at once.
 */
export function preferredProposer (members: MemberSet, reachable: (key: string) => boolean): string | undefined {
  return members.foil.find(m => reachable(m.key))?.key
}

export interface BackoffConfig {
  baseMs: number
  capMs: number
}

/**
 * The window to wait before attempt `attempt` (1 = the first retry): exponential, capped, with "equal
 * jitter" (the node picks uniformly in [minMs, maxMs] with its injected randomness).
 */
export function backoffWindow (attempt: number, c: BackoffConfig): { minMs: number, maxMs: number } {
  const ms = Math.min(c.capMs, c.baseMs * 2 ** Math.max(0, attempt - 1))
  return { minMs: Math.floor(ms / 2), maxMs: ms }
}
