// Privacy of discovery (research scenario 38): intermediaries see link nonces, per-session keys and a target
// token, never a user id; the same tally yields different nonces (and a node different keys) in different
// sessions. Asserted on every /mychips/route/1.0.0 message each node received.
import { afterEach, describe, expect, it } from 'vitest'
import { linkNonce, targetToken } from '../../../../src/core/lift/ids'
import { RouteWorld, SCENARIO_22, grid } from './route-world'

let world: RouteWorld | undefined
afterEach(() => { world?.stop(); world = undefined })

describe('scenario 38: intermediaries see only nonces', () => {
  it('no route message carries a user id or a peer id, and queries carry only the protocol\'s fields', async () => {
    const { users, tallies } = grid()
    const w = world = new RouteWorld(users, tallies)
    await w.run(w.node('p1203').service.find({ kind: 'linear', to: w.userId('p1001'), units: 20 }))
    await w.run(w.node('p1203').service.find({ kind: 'linear', to: w.userId('p1000'), units: 4 }))
    await w.run(w.node('p1101').service.find({ kind: 'circular', units: 1 }))
    const ids = users.flatMap(u => [w.userId(u), w.node(u).peerId])
    expect(w.captured.length).toBeGreaterThan(20)
    for (const m of w.captured) {
      for (const id of ids) expect(m.text.includes(id), `${m.kind} to ${m.to} names ${id}`).toBe(false)
      const body = JSON.parse(m.text) as Record<string, unknown>
      if (m.kind === 'query') expect(Object.keys(body).sort()).toEqual(['budgetMs', 'depth', 'link', 'session', 'target', 'units', 'v'])
      else if (m.kind === 'mark') expect(Object.keys(body).sort()).toEqual(['budgetMs', 'dist', 'link', 'session', 'units', 'v'])
      else if (m.kind === 'mark-answer') expect(body).toEqual({ v: 1 })
      else expect(Object.keys(body).filter(k => k !== 'target').sort()).toEqual(['key', 'plans', 'v'])
    }
    // The circular discovery marked nodes (with their distance to the originator, never its identity).
    expect(w.captured.filter(m => m.kind === 'mark').length).toBeGreaterThan(0)
    // The intermediary p1102 of the p1203 → p1001 payment learned the target only as a token.
    const q = w.received('p1102').filter(c => c.kind === 'query').map(c => JSON.parse(c.text) as { session: string, target: { token: string } })
    expect(q.length).toBeGreaterThan(0)
    expect(q[0]!.target.token).toBe(targetToken(q[0]!.session, w.userId('p1001')))
  })

  it('the same tally yields different nonces, and a node different keys, in different sessions', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
    const first = await w.run(w.node('A').service.find({ kind: 'circular', units: 1000 }))
    const second = await w.run(w.node('A').service.find({ kind: 'circular', units: 1000 }))
    const [d1, d2] = [first.value, second.value]
    expect(d1.session).not.toBe(d2.session)
    expect(d1.key).not.toBe(d2.key)
    const hops1 = d1.plans[0]!.hops
    const hops2 = d2.plans[0]!.hops
    for (let i = 0; i < hops1.length; i++) {
      expect(hops1[i]!.link).not.toBe(hops2[i]!.link)
      expect(hops1[i]!.key).not.toBe(hops2[i]!.key)
    }
    // What C (the first intermediary) was told about the tally A→C in each session.
    const links = w.received('C').filter(c => c.kind === 'query').map(c => (JSON.parse(c.text) as { link: string }).link)
    expect(links).toEqual([linkNonce('tally-t3-CA', d1.session), linkNonce('tally-t3-CA', d2.session)])
    expect(links[0]).not.toBe(links[1])
    expect(links).not.toContain('tally-t3-CA')
  })
})
