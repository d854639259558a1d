// Retry delays for things the page retries on its own (the relay document, a relay that is down):
// exponential with a cap, and jitter so that many wallets behind one relay do not retry in step.

export interface BackoffOptions {
  /** First delay (ms). */
  baseMs: number
  /** Largest delay (ms). */
  maxMs: number
  /** Fraction of the delay that is randomized, 0..1. */
  jitter: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 }

/**
 * Delay before retry number `attempt` (0 = first retry). `random` returns [0, 1); injected so tests
 * are deterministic.
 */
export function backoffDelay (attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(0, Math.floor(attempt))
  // 2 ** n overflows to Infinity for large n; Math.min keeps the cap.
  const raw = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(n, 30))
  const spread = raw * options.jitter
  return Math.round(raw - spread + 2 * spread * random())
}
