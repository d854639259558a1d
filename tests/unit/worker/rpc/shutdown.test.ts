// shutdown() must free the store for the next tab even if the node hangs while stopping.
import { describe, expect, it } from 'vitest'
import { createWalletApi } from '../../../../src/worker/rpc/facade'
import { fakeRuntime } from './fake-runtime'

describe('shutdown', () => {
  it('closes the store after the grace period when the node does not stop', async () => {
    const runtime = fakeRuntime()
    const api = createWalletApi({ runtime: async () => runtime, shutdownGraceMs: 50 })
    await api.open()
    await api.create('Alice')
    await api.start({ relays: [], iceServers: [], webrtc: false })
    runtime.nodes[0]!.hangOnStop = true
    const started = Date.now()
    await api.shutdown()
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(45)
    expect(took).toBeLessThan(1000)
    expect(runtime.nodes[0]!.stopped).toBe(1)
    await expect(runtime.stores[0]!.read(async () => 1)).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    await expect(api.create('Bob')).rejects.toMatchObject({ code: 'WALLET_NOT_OPEN' })
  })

  it('does not wait for the grace period when the node stops promptly', async () => {
    const runtime = fakeRuntime()
    const api = createWalletApi({ runtime: async () => runtime, shutdownGraceMs: 5000 })
    await api.open()
    await api.create('Alice')
    await api.start({ relays: [], iceServers: [], webrtc: false })
    const started = Date.now()
    await api.shutdown()
    expect(Date.now() - started).toBeLessThan(1000)
  })
})
