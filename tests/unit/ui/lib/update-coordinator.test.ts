// Accepting an update: every tab stops its node before the new service worker activates, and every
// tab reloads exactly once on controllerchange (or after a fallback delay if none comes).
import { describe, expect, it } from 'vitest'
import { TabChannel } from '../../../../src/ui/lib/tab-channel'
import { systemTimers } from '../../../../src/ui/lib/timers'
import { UpdateCoordinator } from '../../../../src/ui/lib/update-coordinator'
import { FakeBroadcastHub } from '../fakes/broadcast'

const tick = (ms = 10): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

function tab (hub: FakeBroadcastHub, id: string, log: string[], opts: { hadController?: boolean, released?: boolean, fallbackReloadMs?: number } = {}): UpdateCoordinator {
  return new UpdateCoordinator({
    channel: new TabChannel(hub.open()),
    tabId: id,
    timers: systemTimers,
    stopLocal: async () => { log.push(`${id}:stop`); await tick(5); log.push(`${id}:stopped`) },
    waitForRelease: async () => { log.push(`${id}:wait`); return opts.released ?? true },
    activate: () => { log.push(`${id}:activate`) },
    reload: () => { log.push(`${id}:reload`) },
    hadController: opts.hadController ?? true,
    fallbackReloadMs: opts.fallbackReloadMs ?? 1_000
  })
}

describe('UpdateCoordinator', () => {
  it('stops every tab\'s node before activating, then each tab reloads once', async () => {
    const hub = new FakeBroadcastHub()
    const log: string[] = []
    const a = tab(hub, 'a', log)
    const b = tab(hub, 'b', log)
    const c = tab(hub, 'c', log)
    await a.accept('build-2')
    await tick(20)
    expect(hub.sent).toContainEqual({ t: 'update-prepare', from: 'a', buildId: 'build-2' })
    const activated = log.indexOf('a:activate')
    expect(activated).toBeGreaterThan(log.indexOf('a:stopped'))
    expect(log).toContain('b:stopped')
    expect(log).toContain('c:stopped')
    expect(log.indexOf('a:wait')).toBeLessThan(activated)
    expect(b.phase).toBe('preparing')
    for (const t of [a, b, c]) { t.controllerChanged(); t.controllerChanged() }
    expect(log.filter(l => l.endsWith(':reload')).sort()).toEqual(['a:reload', 'b:reload', 'c:reload'])
    for (const t of [a, b, c]) t.close()
  })

  it('a second accept while updating does nothing', async () => {
    const hub = new FakeBroadcastHub()
    const log: string[] = []
    const a = tab(hub, 'a', log)
    await Promise.all([a.accept(), a.accept()])
    expect(log.filter(l => l === 'a:activate')).toHaveLength(1)
    a.close()
  })

  it('still activates when another tab does not let go in time (the writer epoch guards the store)', async () => {
    const hub = new FakeBroadcastHub()
    const log: string[] = []
    const a = tab(hub, 'a', log, { released: false })
    await a.accept()
    expect(log).toContain('a:activate')
    a.close()
  })

  it('does not reload a first-visit page when the first service worker takes control', () => {
    const hub = new FakeBroadcastHub()
    const log: string[] = []
    const a = tab(hub, 'a', log, { hadController: false })
    a.controllerChanged()
    expect(log).toEqual([])
    const b = tab(hub, 'b', log, { hadController: true })
    b.controllerChanged() // an update applied by another (older) tab: reload to run the new build
    expect(log).toEqual(['b:reload'])
    a.close(); b.close()
  })

  it('reloads after the fallback delay when no controllerchange arrives', async () => {
    const hub = new FakeBroadcastHub()
    const log: string[] = []
    const a = tab(hub, 'a', log)
    const b = tab(hub, 'b', log, { hadController: false, fallbackReloadMs: 30 })
    await a.accept()
    await tick(80)
    expect(log).toContain('b:reload')
    expect(log.filter(l => l === 'b:reload')).toHaveLength(1)
    a.close(); b.close()
  })

  it('ignores an update-prepare it sent itself or that is malformed', async () => {
    const hub = new FakeBroadcastHub()
    const log: string[] = []
    const a = tab(hub, 'a', log)
    const raw = hub.open()
    raw.postMessage({ t: 'update-prepare', from: 42 })
    raw.postMessage({ t: 'update-prepare', from: 'x', buildId: 'b'.repeat(200) })
    await tick(20)
    expect(log).toEqual([])
    expect(a.phase).toBe('idle')
    a.close()
  })
})
