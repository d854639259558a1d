// What the node runtime takes by injection (DESIGN.md §3), so the same node runs in a browser worker,
// in Node (tests, cloud nodes) and in the deterministic simulator.

/** Milliseconds since the Unix epoch; the simulator supplies virtual time. */
export interface Clock {
  now (): number
}

export type TimerHandle = { readonly __timer: unique symbol }

export interface Timers {
  setTimeout (fn: () => void, ms: number): TimerHandle
  clearTimeout (handle: TimerHandle): void
}

export interface Random {
  /** Cryptographically strong bytes in production; seeded in the simulator. */
  bytes (length: number): Uint8Array
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** Structured logs: a short event name plus plain JSON fields. */
export interface Logger {
  log (level: LogLevel, event: string, fields?: Record<string, unknown>): void
}

export const systemClock: Clock = { now: () => Date.now() }

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (h) => { globalThis.clearTimeout(h as unknown as ReturnType<typeof globalThis.setTimeout>) }
}

export const systemRandom: Random = {
  bytes: (length) => globalThis.crypto.getRandomValues(new Uint8Array(length))
}

export const silentLogger: Logger = { log: () => {} }
