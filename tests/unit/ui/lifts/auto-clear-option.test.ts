// The auto-clearing period hook for tests and diagnostics: ?autoClearMs= on the page → StartOptions →
// the worker's node start request (bounded at the page and validated again at the RPC boundary).
import { afterEach, describe, expect, it } from 'vitest'
import { readPageOptions } from '../../../../src/ui/lib/query'
import { WalletRpcError } from '../../../../src/ui/lib/wallet-client'
import { fakeRuntime } from '../../worker/rpc/fake-runtime'
import type { TestWorker } from '../../worker/rpc/harness'
import { START, startWorker } from '../../worker/rpc/harness'

let workers: TestWorker[] = []
afterEach(() => { for (const w of workers) w.end(); workers = [] })

describe('auto-clearing period option', () => {
  it('reads ?autoClearMs= within 1 s … 1 day, ignores anything else', () => {
    expect(readPageOptions('?autoClearMs=3000')).toEqual({ webrtc: true, autoClearMs: 3000 })
    expect(readPageOptions('?webrtc=0&autoClearMs=86400000')).toEqual({ webrtc: false, autoClearMs: 86_400_000 })
    for (const bad of ['?autoClearMs=999', '?autoClearMs=86400001', '?autoClearMs=-5', '?autoClearMs=1e4', '?autoClearMs=', '?autoClearMs=3000.5']) {
      expect(readPageOptions(bad)).toEqual({ webrtc: true })
    }
  })

  it('reaches the node start request; out-of-range values are refused at the RPC', async () => {
    const runtime = fakeRuntime()
    const w = startWorker(runtime)
    workers.push(w)
    await w.client.api.open()
    await w.client.api.create('Alice')
    const err = await w.client.api.start({ ...START, liftAutoClearMs: 10 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WalletRpcError)
    expect((err as WalletRpcError).code).toBe('MALFORMED')
    await w.client.api.start({ ...START, liftAutoClearMs: 2500 })
    expect(runtime.nodes[0]?.request.liftAutoClearMs).toBe(2500)
  })
})
