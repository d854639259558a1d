// The page's handle on the wallet worker: starts the worker, gives it two MessagePorts (the typed RPC and
// the RTC bridge), serves the bridge's page half (rtc-host.ts) and wraps the comlink remote so every
// failure arrives as a WalletRpcError { code, message }. Page bundle: comlink + the bridge protocol only;
// nothing from libp2p, src/node or src/core.
import { proxy, wrap } from 'comlink'
import type { Remote } from 'comlink'
import type { RpcErrorShape, WalletApi } from '../../worker/api'
import { WORKER_INIT } from '../../worker/init'
import type { WorkerInit } from '../../worker/init'
import type { RtcHost, RtcHostOptions } from './rtc-host'
import { serveRtcBridge } from './rtc-host'

/** A failure of a wallet call, with the stable code of the worker's error (ChipsError.code). */
export class WalletRpcError extends Error implements RpcErrorShape {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'WalletRpcError'
    this.code = code
  }
}

export interface WalletClient {
  /** The worker's WalletApi. Listeners may be passed plain or wrapped in comlink's proxy(). */
  api: Remote<WalletApi>
  /** The page half of the RTC bridge (stats for diagnostics and e2e tests). */
  rtc: RtcHost
  /** Ends the worker at once: closes every real peer connection, rejects calls still in flight. */
  terminate (): void
}

/** What attachWalletClient talks to: a Worker, or (in tests) anything that accepts the init message. */
export interface WorkerLike {
  postMessage (message: unknown, transfer: Transferable[]): void
  addEventListener?: (type: 'error', listener: (event: Event) => void) => void
}

export interface AttachOptions {
  /** Ends the underlying worker (Worker.terminate). */
  end?: () => void
  rtc?: RtcHostOptions
}

const METHODS = [
  'open', 'create', 'restore', 'recoveryPhrase', 'start', 'status', 'subscribe', 'unsubscribe',
  'contactLink', 'connect', 'hello', 'shutdown',
  // tallies (docs/tallies.md)
  'invite', 'invitations', 'previewInvitation', 'redeemInvitation', 'acceptOffer', 'counterOffer', 'refuseOffer', 'reviseOffer', 'offerAgain', 'tallies', 'tally',
  'chits', 'pay', 'invoice', 'acceptInvoice', 'declineInvoice', 'setTradingVars', 'requestClose', 'contract', 'defaultContract', 'subscribeTallies',
  'unsubscribeTallies',
  // lifts (docs/lifts.md)
  'liftPayee', 'liftQuote', 'liftPay', 'liftClear', 'lifts', 'lift', 'autoClear', 'setAutoClear', 'subscribeLifts', 'unsubscribeLifts'
] as const satisfies ReadonlyArray<keyof WalletApi>
// Fails to compile if WalletApi gains a method this list does not wrap.
const _allWrapped: Exclude<keyof WalletApi, typeof METHODS[number]> extends never ? true : never = true
void _allWrapped

/** Starts the wallet worker (a module worker that Vite bundles as its own chunk). */
export function createWalletClient (): WalletClient {
  const worker = new Worker(new URL('../../worker/entry.ts', import.meta.url), { type: 'module', name: 'mychips-wallet' })
  return attachWalletClient(worker, { end: () => { worker.terminate() } })
}

/** Connects to a wallet worker that runs serveWallet (split out so tests can run both ends in Node). */
export function attachWalletClient (worker: WorkerLike, options: AttachOptions = {}): WalletClient {
  const rpc = new MessageChannel()
  const rtc = new MessageChannel()
  const host = serveRtcBridge(rtc.port1, options.rtc)
  const remote = wrap<WalletApi>(rpc.port1)
  let endWith: (error: WalletRpcError) => void = () => {}
  const ended = new Promise<never>((_resolve, reject) => { endWith = reject })
  ended.catch(() => undefined) // observed per call below
  let dead: WalletRpcError | undefined
  const die = (error: WalletRpcError): void => {
    if (dead !== undefined) return
    dead = error
    endWith(error)
    host.close()
    rpc.port1.close()
  }

  // An error event before the bridge's hello means the worker script never ran (a failed chunk load,
  // a syntax error): no call would ever be answered, so fail them all with the reason.
  let started = false
  void host.ready.then(() => { started = true })
  worker.addEventListener?.('error', (event) => {
    if (started) return
    const message = (event as ErrorEvent).message
    die(new WalletRpcError('WORKER_FAILED', `the wallet worker could not start${message ? `: ${message}` : ''}`))
  })

  const init: WorkerInit = { t: WORKER_INIT, rpc: rpc.port2, rtc: rtc.port2 }
  worker.postMessage(init, [rpc.port2, rtc.port2])

  const api = {} as Record<string, (...args: unknown[]) => Promise<unknown>>
  for (const method of METHODS) {
    const call = remote[method] as unknown as (...args: unknown[]) => Promise<unknown>
    api[method] = async (...args: unknown[]) => {
      if (dead !== undefined) throw dead
      // Functions cannot be cloned: pass them as comlink proxies (idempotent if the caller already did).
      const wire = args.map(a => typeof a === 'function' ? proxy(a) : a)
      try {
        return await Promise.race([call(...wire), ended])
      } catch (err) {
        throw toWalletRpcError(err)
      }
    }
  }

  return {
    api: api as unknown as Remote<WalletApi>,
    rtc: host,
    terminate: () => {
      die(new WalletRpcError('WORKER_TERMINATED', 'the wallet worker was stopped'))
      options.end?.()
    }
  }
}

/** Maps whatever a call threw to a WalletRpcError: the worker's { code, message }, or a transport failure. */
export function toWalletRpcError (err: unknown): WalletRpcError {
  if (err instanceof WalletRpcError) return err
  if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown, message?: unknown }
    if (typeof code === 'string' && typeof message === 'string' && !(err instanceof Error)) return new WalletRpcError(code, message)
    if (err instanceof Error) return new WalletRpcError('RPC_FAILED', `${err.name}: ${err.message}`, { cause: err })
  }
  return new WalletRpcError('RPC_FAILED', String(err))
}
