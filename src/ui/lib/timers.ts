// The page's clock and timers, injected so the coordination logic runs under fake time in tests.
export interface PageTimers {
  now: () => number
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

export const systemTimers: PageTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => { globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>) }
}

/** Resolves after ms, or rejects with a TimeoutError-like Error; used to bound waits on other tabs. */
export function withTimeout<T> (timers: PageTimers, promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const handle = timers.setTimeout(() => { reject(new Error(`${what} did not finish within ${ms} ms`)) }, ms)
    promise.then(
      value => { timers.clearTimeout(handle); resolve(value) },
      (err: unknown) => { timers.clearTimeout(handle); reject(err instanceof Error ? err : new Error(String(err))) }
    )
  })
}
