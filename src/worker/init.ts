// The one message the page posts to a new wallet worker: two MessagePorts, one for the typed RPC
// (comlink) and one for the RTC bridge. Keeping the RPC off the worker's own message channel means
// comlink never sees anything but its own traffic. Tiny and dependency-free: the page imports it.

export const WORKER_INIT = 'mychips/worker-init/1'

export interface WorkerInit {
  t: typeof WORKER_INIT
  rpc: MessagePort
  rtc: MessagePort
}

export function isWorkerInit (data: unknown): data is WorkerInit {
  if (typeof data !== 'object' || data === null) return false
  const m = data as Partial<Record<keyof WorkerInit, unknown>>
  return m.t === WORKER_INIT && isPort(m.rpc) && isPort(m.rtc)
}

function isPort (p: unknown): boolean {
  return typeof p === 'object' && p !== null && typeof (p as MessagePort).postMessage === 'function' &&
    typeof (p as MessagePort).addEventListener === 'function'
}
