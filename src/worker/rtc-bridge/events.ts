// Event plumbing for the worker-side stand-ins. @libp2p/webrtc uses both styles on the same objects —
// `channel.onmessage = …` and `addEventListener('open', …)` (p-event) — so every event goes to the
// listeners first and then to the matching `on<type>` handler property, as a browser does.

type Handler = ((this: never, event: Event) => unknown) | null

/** An EventTarget whose `on<type>` properties are called after the listeners. */
export class HandlerTarget extends EventTarget {
  /** Dispatches to listeners, then calls `on<type>`; a throwing handler is reported, never propagated. */
  protected emit (event: Event): void {
    this.dispatchEvent(event)
    const handler = (this as unknown as Record<string, Handler | undefined>)[`on${event.type}`]
    if (typeof handler !== 'function') return
    try {
      const result: unknown = (handler as (this: unknown, e: Event) => unknown).call(this, event)
      if (result instanceof Promise) result.catch(report)
    } catch (err) {
      report(err)
    }
  }
}

/** Surfaces an error from user code the way the platform does for a throwing event handler. */
function report (err: unknown): void {
  const reportError = (globalThis as { reportError?: (e: unknown) => void }).reportError
  if (typeof reportError === 'function') reportError(err)
  else queueMicrotask(() => { throw err })
}

/** An Event carrying extra read-only fields (candidate, channel, error…), like the RTC event classes. */
export function eventWith<T extends object> (type: string, fields: T): Event & T {
  const event = new Event(type)
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(event, key, { value, enumerable: true })
  }
  return event as Event & T
}

/** A DOMException as the platform would throw it (DOMException exists in workers and Node ≥ 17). */
export function domError (name: string, message: string): Error {
  return new DOMException(message, name)
}

/** Rebuilds an error that crossed the port with its real class where possible and its name kept. */
export function errorFrom (e: { name: string, message: string }): Error {
  switch (e.name) {
    case 'TypeError': return new TypeError(e.message)
    case 'RangeError': return new RangeError(e.message)
    case 'Error': return new Error(e.message)
    default: return domError(e.name, e.message)
  }
}
