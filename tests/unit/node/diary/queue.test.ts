// The outbox queue's bookkeeping (kept incremental for throughput, see replica.ts #addItem): queue order is
// submit order, duplicate actions are queued once, and the 'queued' event reaches listeners (and only while
// they listen). Simulated network, virtual time, seed 11.
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { sha256 } from '../../../../src/core/codec/hash'
import type { Genesis } from '../../../../src/core/diary'
import { toyMachine, type ToyAction, type ToyState } from '../../core/diary/fixtures'
import { DiarySim, memberSetOf } from './sim'

describe('diary outbox queue', () => {
  it('keeps submit order, queues a duplicate once, and emits queued only to current listeners', async () => {
    const sim = new DiarySim<ToyState, ToyAction>(toyMachine, 11)
    const s = await sim.add('s0')
    const f = await sim.add('f0')
    const tally = 'tally-queue'
    const genesis: Genesis<ToyState> = {
      tally,
      hash: toBase64url(sha256(new TextEncoder().encode(`genesis:${tally}`))),
      state: { count: 0, limit: 1_000_000, members: memberSetOf([s], [f]), seen: [], next: { stock: 'k', foil: 'k' } }
    }
    await s.service.open(genesis)
    await f.service.open(genesis)
    await s.crash() // the partner is away: everything stays queued
    const events: number[] = []
    const off = f.service.on('queued', e => { events.push(e.queued.length) })
    const actions: ToyAction[] = Array.from({ length: 30 }, (_, i) => ({ type: 'add', id: `q-${i}`, n: 1 }))
    // One submit at a time (concurrent submits may each queue an action the other has not queued yet).
    const pending: Array<ReturnType<typeof f.service.submit>> = []
    for (const [batch, total] of [
      [actions.slice(0, 10), 10],
      [[...actions.slice(10, 20), actions[10]!], 20], // a duplicate inside one submit
      [[actions[5]!, ...actions.slice(20)], 30] // and one already queued
    ] as const) {
      const p = f.service.submit(tally, [...batch])
      p.catch(() => undefined)
      pending.push(p)
      await sim.until(() => events.includes(total))
    }
    const queued = await f.service.queued(tally)
    expect(queued.map(q => (q.action as { id: string }).id)).toEqual(actions.map(a => a.id))
    off()
    const seen = events.length
    const more = f.service.submit(tally, [{ type: 'add', id: 'q-late', n: 1 }])
    more.catch(() => undefined)
    await sim.advance(1_000)
    expect(await f.service.queued(tally)).toHaveLength(31)
    expect(events).toHaveLength(seen)
    // The partner comes back: all 31 certify, each once, and the queue empties.
    await s.start()
    await s.service.resume()
    await sim.until(() => f.service.head(tally)!.seq >= 1 && f.service.state(tally)!.count === 31, 5 * 60_000)
    expect(await f.service.queued(tally)).toEqual([])
    const results = await Promise.all([...pending, more])
    expect(results.flatMap(r => r.outcomes.map(o => o.id))).toHaveLength(10 + 11 + 11 + 1)
  })
})
