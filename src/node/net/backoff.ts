// Exponential backoff with jitter, on injected randomness (deterministic in the simulator).
import type { Random } from '../ports'

export interface BackoffPolicy {
  /** First delay (ms). */
  initialMs: number
  /** Largest delay (ms). */
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 }

/** Delay before retry number `attempt` (0-based): min(max, initial·2^attempt), scaled by a jitter factor in [0.5, 1). */
export function backoffDelay (policy: BackoffPolicy, attempt: number, random: Random): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30))
  return Math.round(base * (0.5 + 0.5 * unitFloat(random)))
}

/** A uniform number in [0, 1) from 4 random bytes. */
export function unitFloat (random: Random): number {
  const b = random.bytes(4)
  return (((b[0] ?? 0) << 24 >>> 0) + ((b[1] ?? 0) << 16) + ((b[2] ?? 0) << 8) + (b[3] ?? 0)) / 2 ** 32
}
