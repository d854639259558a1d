// VirtualTime fires timers in (due time, order set) order — the order the simulator's reports depend on —
// whatever mix of set and clear happens, including timers set and cleared from inside other timers.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { VirtualTime } from '../../../../../src/node/net/sim/time'
import type { TimerHandle } from '../../../../../src/node/ports'

/** The reference: a plain list scanned for the earliest (at, seq), as the first implementation did. */
function reference (ops: Array<{ kind: 'set', ms: number } | { kind: 'clear', which: number } | { kind: 'step' }>): string[] {
  let now = 0
  let seq = 0
  const pending: Array<{ at: number, seq: number, label: string }> = []
  const fired: string[] = []
  const handles: number[] = []
  for (const op of ops) {
    if (op.kind === 'set') {
      seq++
      handles.push(seq)
      pending.push({ at: now + op.ms, seq, label: `t${seq}` })
    } else if (op.kind === 'clear') {
      const h = handles[op.which % Math.max(1, handles.length)]
      const i = pending.findIndex(p => p.seq === h)
      if (i >= 0) pending.splice(i, 1)
    } else {
      if (pending.length === 0) continue
      let best = 0
      for (let i = 1; i < pending.length; i++) {
        const p = pending[i]!; const b = pending[best]!
        if (p.at < b.at || (p.at === b.at && p.seq < b.seq)) best = i
      }
      const [p] = pending.splice(best, 1)
      now = Math.max(now, p!.at)
      fired.push(`${p!.label}@${now}`)
    }
  }
  return fired
}

describe('VirtualTime', () => {
  it('fires timers by due time, then in the order they were set; cleared ones never fire', () => {
    const time = new VirtualTime(0)
    const fired: string[] = []
    const set = (label: string, ms: number): TimerHandle => time.timers.setTimeout(() => { fired.push(`${label}@${time.now}`) }, ms)
    set('a', 30); set('b', 10); const c = set('c', 10); set('d', 0); set('e', 30)
    time.timers.clearTimeout(c)
    time.timers.clearTimeout(c) // twice: no effect
    while (time.step()) { /* all */ }
    expect(fired).toEqual(['d@0', 'b@10', 'a@30', 'e@30'])
    expect(time.pending).toBe(0)
  })

  it('timers set or cleared from inside a timer take their place in the order', () => {
    const time = new VirtualTime(0)
    const fired: string[] = []
    const handles: TimerHandle[] = []
    time.timers.setTimeout(() => {
      fired.push('first')
      time.timers.setTimeout(() => { fired.push('zero-delay') }, 0)
      time.timers.clearTimeout(handles[0]!)
    }, 5)
    handles.push(time.timers.setTimeout(() => { fired.push('cleared') }, 5))
    time.timers.setTimeout(() => { fired.push('after') }, 5)
    while (time.step()) { /* all */ }
    expect(fired).toEqual(['first', 'after', 'zero-delay'])
  })

  it('matches a scan of every pending timer for any sequence of set, clear and step (100 runs of 50–800 operations)', () => {
    const op = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), ms: fc.integer({ min: 0, max: 50 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('clear' as const), which: fc.nat(1000) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('step' as const) }) }
    )
    fc.assert(fc.property(fc.array(op, { minLength: 50, maxLength: 800 }), ops => {
      const time = new VirtualTime(0)
      const fired: string[] = []
      const handles: TimerHandle[] = []
      let n = 0
      for (const o of ops) {
        if (o.kind === 'set') {
          const label = `t${++n}`
          handles.push(time.timers.setTimeout(() => { fired.push(`${label}@${time.now}`) }, o.ms))
        } else if (o.kind === 'clear') {
          if (handles.length > 0) time.timers.clearTimeout(handles[o.which % handles.length]!)
        } else {
          time.step()
        }
      }
      expect(fired).toEqual(reference(ops))
    }), { numRuns: 100, seed: 42 })
  })

  it('fires only the live timers when most are cleared (as request timeouts are), in order, and counts them right', async () => {
    const time = new VirtualTime(0)
    const fired: number[] = []
    for (let i = 0; i < 20_000; i++) {
      const h = time.timers.setTimeout(() => { fired.push(i) }, 15_000 + i)
      if (i % 100 !== 0) time.timers.clearTimeout(h)
    }
    expect(time.pending).toBe(200)
    await time.advance(40_000)
    expect(fired).toEqual(Array.from({ length: 200 }, (_, k) => k * 100))
    expect(time.now).toBe(40_000)
  })
})
