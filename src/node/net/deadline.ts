// An AbortSignal that fires after ms on the injected timers (so the simulator controls time), or when
// an outer signal aborts.
import type { Timers } from '../ports'

export interface Deadline {
  readonly signal: AbortSignal
  /** True if the deadline (not the outer signal) aborted. */
  timedOut (): boolean
  clear (): void
}

export function deadline (timers: Timers, ms: number, outer?: AbortSignal): Deadline {
  const controller = new AbortController()
  let expired = false
  const onOuter = (): void => { controller.abort(outer?.reason) }
  if (outer?.aborted === true) controller.abort(outer.reason)
  else outer?.addEventListener('abort', onOuter, { once: true })
  const handle = timers.setTimeout(() => {
    expired = true
    controller.abort(new Error(`timed out after ${ms} ms`))
  }, ms)
  return {
    signal: controller.signal,
    timedOut: () => expired,
    clear: () => {
      timers.clearTimeout(handle)
      outer?.removeEventListener('abort', onOuter)
    }
  }
}
