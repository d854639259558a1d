// Both ends of the wallet RPC in one Node process: serveWallet (the worker side) on an EventTarget
// standing in for the worker's global scope, and attachWalletClient (the page side) posting its init
// message to it — real MessageChannels and real comlink in between.
import type { WalletApi } from '../../../../src/worker/api'
import { isWorkerInit } from '../../../../src/worker/init'
import { RtcBridge } from '../../../../src/worker/rtc-bridge/bridge'
import type { WorkerScope } from '../../../../src/worker/serve'
import { serveWallet } from '../../../../src/worker/serve'
import type { WalletClient, WorkerLike } from '../../../../src/ui/lib/wallet-client'
import { attachWalletClient } from '../../../../src/ui/lib/wallet-client'
import { FakeRtc } from '../rtc-bridge/fake-rtc'
import type { FakeRuntime } from './fake-runtime'

export interface TestWorker {
  client: WalletClient
  bridge: RtcBridge
  served: () => WalletApi | undefined
  /** How many times the runtime was loaded. */
  loads: () => number
  end: () => void
}

export function startWorker (runtime: FakeRuntime | (() => Promise<FakeRuntime>)): TestWorker {
  const scope = new EventTarget()
  const bridge = new RtcBridge()
  let served: WalletApi | undefined
  let loads = 0
  const ports: MessagePort[] = []
  serveWallet(scope as unknown as WorkerScope, {
    bridge,
    runtime: async () => { loads++; return typeof runtime === 'function' ? await runtime() : runtime },
    onServe: (api) => { served = api }
  })
  const worker: WorkerLike = {
    postMessage: (message) => {
      if (isWorkerInit(message)) ports.push(message.rpc, message.rtc)
      queueMicrotask(() => { scope.dispatchEvent(new MessageEvent('message', { data: message })) })
    }
  }
  const end = (): void => {
    bridge.close()
    for (const p of ports) p.close()
  }
  const client = attachWalletClient(worker, { end, rtc: { RTCPeerConnection: new FakeRtc().RTCPeerConnection } })
  return { client, bridge, served: () => served, loads: () => loads, end: () => { client.terminate() } }
}

export const START = { relays: ['/ip4/10.99.0.1/tcp/9090/ws/p2p/12D3KooWRelay'], iceServers: [], webrtc: true }

export async function until (cond: () => boolean, what = 'condition', ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 2))
  }
}
