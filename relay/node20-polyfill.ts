// Node 20 lacks two things libp2p 3 uses (research/libp2p-browser.md §1): Promise.withResolvers and a
// global WebSocket. Node 22+ has both, so this is a no-op there. Import it first in every Node entry.
import { WebSocket as WsWebSocket } from 'ws'

declare global {
  interface PromiseConstructor {
    withResolvers<T>(): { promise: Promise<T>, resolve: (value: T | PromiseLike<T>) => void, reject: (reason?: unknown) => void }
  }
}

if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers<T> () {
    let resolve!: (value: T | PromiseLike<T>) => void
    let reject!: (reason?: unknown) => void
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
    return { promise, resolve, reject }
  }
}

// ws's WebSocket is an EventEmitter: an 'error' after libp2p aborted a dial (listeners removed) would be
// an uncaught exception that kills a Node host. Browsers' WebSocket never throws for that, so neither may we.
class QuietWebSocket extends WsWebSocket {
  constructor (...args: ConstructorParameters<typeof WsWebSocket>) {
    super(...args)
    this.on('error', () => {})
  }
}

if (typeof globalThis.WebSocket === 'undefined') {
  (globalThis as { WebSocket?: unknown }).WebSocket = QuietWebSocket
}

export {}
