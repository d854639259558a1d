// The memoised machine: one apply per (state, action) on a node, however often the diary re-evaluates an
// entry (build, own answer, certificate check); a throw is not remembered.
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { sha256 } from '../../../../src/core/codec/hash'
import type { Genesis, ReplicatedMachine } from '../../../../src/core/diary'
import { memoMachine } from '../../../../src/node/services/diary/memo'
import { toyMachine, type ToyAction, type ToyState } from '../../core/diary/fixtures'
import { DiarySim, memberSetOf } from './sim'

function counting (): { machine: ReplicatedMachine<ToyState, ToyAction>, calls: { n: number } } {
  const calls = { n: 0 }
  return { calls, machine: { ...toyMachine, apply: async (s, a) => { calls.n++; return await toyMachine.apply(s, a) } } }
}

describe('memoMachine', () => {
  it('applies an action to a state once, and a throw every time', async () => {
    const { machine, calls } = counting()
    const m = memoMachine(machine)
    const s: ToyState = { count: 0, limit: 10, members: { stock: [], foil: [] }, seen: [], next: { stock: 'k', foil: 'k' } }
    const a = await m.apply(s, { type: 'add', id: 'x', n: 1 })
    expect(await m.apply(s, { type: 'add', id: 'x', n: 1 })).toBe(a)
    expect(calls.n).toBe(1)
    await m.apply(structuredClone(s), { type: 'add', id: 'x', n: 1 })
    expect(calls.n).toBe(2)
    await expect(m.apply(s, { type: 'explode', id: 'y' })).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(m.apply(s, { type: 'explode', id: 'y' })).rejects.toMatchObject({ code: 'MALFORMED' })
    expect(calls.n).toBe(4)
  })

  it('a certified entry of 10 actions costs each node about one apply per action', async () => {
    const { machine, calls } = counting()
    const sim = new DiarySim<ToyState, ToyAction>(machine, 41)
    const s = await sim.add('s')
    const f = await sim.add('f')
    const genesis: Genesis<ToyState> = { tally: 'memo', hash: toBase64url(sha256(new Uint8Array(2))), state: { count: 0, limit: 100, members: memberSetOf([s], [f]), seen: [], next: { stock: 'k', foil: 'k' } } }
    await s.service.open(genesis)
    await f.service.open(genesis)
    const actions: ToyAction[] = Array.from({ length: 10 }, (_, i) => ({ type: 'add', id: `m${i}`, n: 1 }))
    await sim.settle(f.service.submit(genesis.tally, actions))
    await sim.until(() => s.service.head(genesis.tally)!.seq === 1)
    // Without the memo: 6 passes (build ×2, own answer, certificate on the proposer; answer, certificate on the member).
    expect(calls.n).toBeLessThanOrEqual(2 * 10 + 2)
  })
})
