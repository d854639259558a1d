// Serves the wallet inside its worker: waits for the page's init message (two ports), connects the RTC
// bridge to one and exposes the WalletApi with comlink on the other.
import { expose, releaseProxy } from 'comlink'
import type { WalletApi } from './api'
import { isWorkerInit } from './init'
import type { RtcBridge } from './rtc-bridge/bridge'
import type { WalletRuntime } from './runtime'
import { createWalletApi } from './rpc/facade'
import type { StatusListener } from './services/status'

/** The worker global as far as we use it (a DedicatedWorkerGlobalScope; an EventTarget in tests). */
export interface WorkerScope {
  addEventListener (type: 'message', listener: (event: MessageEvent) => void): void
  removeEventListener (type: 'message', listener: (event: MessageEvent) => void): void
}

export interface ServeOptions {
  bridge: RtcBridge
  runtime: () => Promise<WalletRuntime>
  dbName?: string
  /** For tests: the api that was exposed. */
  onServe?: (api: WalletApi) => void
}

export function serveWallet (scope: WorkerScope, options: ServeOptions): void {
  const onMessage = (event: MessageEvent): void => {
    if (!isWorkerInit(event.data)) return
    scope.removeEventListener('message', onMessage)
    const { rpc, rtc } = event.data
    // A bridge closed already means the worker is ending; the RPC still answers what it can.
    if (!options.bridge.stats().closed) options.bridge.connect(rtc)
    const api = createWalletApi({
      runtime: options.runtime,
      dbName: options.dbName,
      releaseListener: releaseListener,
      releaseLiftListener: listener => { releaseListener(listener as unknown as StatusListener) }
    })
    expose(api, rpc)
    options.onServe?.(api)
  }
  scope.addEventListener('message', onMessage)
}

/** A page listener arrives as a comlink proxy; releasing it closes its MessagePort. */
function releaseListener (listener: StatusListener): void {
  const release = (listener as Partial<Record<typeof releaseProxy, () => void>>)[releaseProxy]
  if (typeof release === 'function') release()
}
