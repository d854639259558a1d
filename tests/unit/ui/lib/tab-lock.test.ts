// The single-writer lock across tabs: first tab holds it, a second is told, take-over hands it over
// only after the holder stopped its node, and steals only when the holder does not answer.
import { describe, expect, it } from 'vitest'
import { TabChannel } from '../../../../src/ui/lib/tab-channel'
import { TabLock, type LostReason } from '../../../../src/ui/lib/tab-lock'
import { systemTimers } from '../../../../src/ui/lib/timers'
import { FakeLocks } from '../fakes/locks'
import { FakeBroadcastHub } from '../fakes/broadcast'

interface Tab { lock: TabLock, channel: TabChannel, events: string[], lost: LostReason[] }

function tab (locks: FakeLocks, hub: FakeBroadcastHub, id: string, opts: { stopMs?: number, answer?: boolean } = {}): Tab {
  const events: string[] = []
  const lost: LostReason[] = []
  const channel = new TabChannel(hub.open())
  const lock = new TabLock({
    locks,
    channel,
    tabId: id,
    timers: systemTimers,
    releaseWaitMs: 80,
    shutdownWaitMs: 200,
    beforeRelease: async () => {
      events.push('stopping')
      await new Promise(resolve => setTimeout(resolve, opts.stopMs ?? 5))
      events.push('stopped')
    }
  })
  if (opts.answer === false) lock.close() // a tab that hangs: never reads the channel
  lock.onLost(r => { lost.push(r); events.push(`lost:${r}`) })
  return { lock, channel, events, lost }
}

describe('TabLock', () => {
  it('lets the first tab hold the wallet and tells the second it is taken', async () => {
    const locks = new FakeLocks()
    const hub = new FakeBroadcastHub()
    const a = tab(locks, hub, 'a')
    const b = tab(locks, hub, 'b')
    expect(await a.lock.tryAcquire()).toBe(true)
    expect(a.lock.isHeld).toBe(true)
    expect(await b.lock.tryAcquire()).toBe(false)
    expect(b.lock.isHeld).toBe(false)
  })

  it('hands the wallet over only after the holder stopped its node', async () => {
    const locks = new FakeLocks()
    const hub = new FakeBroadcastHub()
    const a = tab(locks, hub, 'a', { stopMs: 30 })
    const b = tab(locks, hub, 'b')
    await a.lock.tryAcquire()
    let gotAt = -1
    const result = await b.lock.takeOver().then(r => { gotAt = a.events.length; return r })
    expect(result).toBe('released')
    expect(b.lock.isHeld).toBe(true)
    expect(a.lock.isHeld).toBe(false)
    // The holder had finished stopping before the new tab got the lock.
    expect(gotAt).toBeGreaterThanOrEqual(2)
    expect(a.events.slice(0, 2)).toEqual(['stopping', 'stopped'])
    await new Promise(resolve => setTimeout(resolve, 5))
    expect(a.lost).toEqual(['moved'])
    expect(hub.sent).toContainEqual({ t: 'released', from: 'a' })
  })

  it('steals the lock when the holder does not answer, and the old holder learns it lost it', async () => {
    const locks = new FakeLocks()
    const hub = new FakeBroadcastHub()
    const a = tab(locks, hub, 'a', { answer: false })
    const b = tab(locks, hub, 'b')
    await a.lock.tryAcquire()
    const started = Date.now()
    expect(await b.lock.takeOver()).toBe('stolen')
    expect(Date.now() - started).toBeGreaterThanOrEqual(70)
    expect(b.lock.isHeld).toBe(true)
    await new Promise(resolve => setTimeout(resolve, 5))
    expect(a.lost).toEqual(['stolen'])
    expect(a.lock.isHeld).toBe(false)
    expect(a.events).not.toContain('stopping') // it never answered; the writer epoch guards the store
  })

  it('takes over at once when no tab holds the wallet', async () => {
    const locks = new FakeLocks()
    const hub = new FakeBroadcastHub()
    const b = tab(locks, hub, 'b')
    expect(await b.lock.takeOver()).toBe('released')
    expect(b.lock.isHeld).toBe(true)
  })

  it('still releases when stopping the node hangs past shutdownWaitMs', async () => {
    const locks = new FakeLocks()
    const hub = new FakeBroadcastHub()
    const a = tab(locks, hub, 'a', { stopMs: 10_000 })
    const b = tab(locks, hub, 'b')
    await a.lock.tryAcquire()
    // 200 ms shutdown wait > 80 ms release wait: b steals first, which is also fine: it ends up holding.
    expect(['released', 'stolen']).toContain(await b.lock.takeOver())
    expect(b.lock.isHeld).toBe(true)
  })

  it('ignores its own and malformed messages', async () => {
    const locks = new FakeLocks()
    const hub = new FakeBroadcastHub()
    const a = tab(locks, hub, 'a')
    await a.lock.tryAcquire()
    const stranger = hub.open()
    stranger.postMessage({ t: 'release-request' }) // no sender id
    stranger.postMessage({ t: 'release-request', from: 'x'.repeat(65) }) // id too long
    stranger.postMessage('release-request')
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(a.lock.isHeld).toBe(true)
    expect(a.events).toEqual([])
  })

  it('waitUntilFree resolves once the holder released, and times out while it holds', async () => {
    const locks = new FakeLocks()
    const hub = new FakeBroadcastHub()
    const a = tab(locks, hub, 'a')
    const b = tab(locks, hub, 'b')
    await a.lock.tryAcquire()
    expect(await b.lock.waitUntilFree(30)).toBe(false)
    const waiting = b.lock.waitUntilFree(500)
    await a.lock.release()
    expect(await waiting).toBe(true)
    expect(b.lock.isHeld).toBe(false) // it only waited; it did not keep the lock
    expect(await b.lock.tryAcquire()).toBe(true)
  })
})
