// composePlans (pure) and the session table: the rules of answers and of dedup, one by one.
import { ed25519 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../../../src/core/codec/base64url'
import type { RouteAnswer, RouteHop } from '../../../../src/core/lift/types'
import { composePlans, type ChildAnswer, type ComposeOptions } from '../../../../src/node/services/lifts/route-compose'
import { RouteSessions } from '../../../../src/node/services/lifts/route-sessions'

const key = (n: number): string => toBase64url(ed25519.getPublicKey(new Uint8Array(32).fill(n)))
const link = (n: number): string => String(n).padStart(43, 'L')
const hop = (l: number, k: number, free = 100, clutch = 0): RouteHop => ({ link: link(l), key: key(k), free, clutch })
const ME = key(99)
const opts = (over: Partial<ComposeOptions> = {}): ComposeOptions => ({ units: 10, maxHops: 5, ownKey: ME, circularOrigin: false, maxPlans: 4, ...over })
const child = (l: number, answer: RouteAnswer, free = 100, clutch = 0): ChildAnswer => ({ link: link(l), free, clutch, answer })

describe('composePlans', () => {
  it('prepends the hop to the partner to each of its plans', () => {
    const plans = composePlans([child(1, { v: 1, key: key(1), plans: [{ hops: [hop(2, 2)] }] }, 50, -5)], opts())
    expect(plans).toEqual([{ hops: [{ link: link(1), key: key(1), free: 50, clutch: -5 }, hop(2, 2)] }])
  })

  it('a target ends the route (whatever other plans it sent)', () => {
    const plans = composePlans([child(1, { v: 1, key: key(1), target: true, plans: [{ hops: [] }, { hops: [hop(2, 2)] }] })], opts())
    expect(plans).toEqual([{ hops: [{ link: link(1), key: key(1), free: 100, clutch: 0 }] }])
  })

  it('an empty plan from a non-target is not a route', () => {
    expect(composePlans([child(1, { v: 1, key: key(1), plans: [{ hops: [] }] })], opts())).toEqual([])
  })

  it('drops a plan naming this node, naming a key twice, or repeating a link', () => {
    const a = { v: 1 as const, key: key(1), plans: [
      { hops: [hop(2, 99)] },
      { hops: [hop(2, 2), hop(3, 2)] },
      { hops: [hop(2, 1)] },
      { hops: [hop(1, 3)] },
      { hops: [hop(2, 2), hop(3, 3)] }
    ] }
    expect(composePlans([child(1, a)], opts()).map(p => p.hops.map(h => h.link))).toEqual([[link(1), link(2), link(3)]])
  })

  it('a circular originator\'s own key may end a plan, and only end it', () => {
    const a = { v: 1 as const, key: key(1), plans: [{ hops: [hop(2, 2), hop(3, 99)] }, { hops: [hop(2, 99), hop(3, 3)] }, { hops: [hop(2, 2), hop(1, 99)] }] }
    expect(composePlans([child(1, a)], opts({ circularOrigin: true })).map(p => p.hops.map(h => h.key))).toEqual([[key(1), key(2), ME]])
    expect(composePlans([child(1, a)], opts())).toEqual([])
  })

  it('drops plans longer than maxHops and hops below the units', () => {
    const a = { v: 1 as const, key: key(1), plans: [{ hops: [hop(2, 2), hop(3, 3)] }, { hops: [hop(4, 4, 9)] }, { hops: [hop(5, 5, 10)] }] }
    expect(composePlans([child(1, a)], opts({ maxHops: 2 })).map(p => p.hops.length)).toEqual([2])
    expect(composePlans([child(1, a)], opts({ maxHops: 3 })).map(p => p.hops.length)).toEqual([3, 2])
  })

  it('keeps the best maxPlans: bottleneck first, then fewer hops, then links', () => {
    const children = [
      child(1, { v: 1, key: key(1), plans: [{ hops: [hop(11, 11, 30)] }, { hops: [hop(12, 12, 80), hop(13, 13, 80)] }] }),
      child(2, { v: 1, key: key(2), target: true, plans: [{ hops: [] }] }, 80),
      child(3, { v: 1, key: key(3), plans: [{ hops: [hop(14, 14, 20)] }] })
    ]
    expect(composePlans(children, opts({ maxPlans: 3 })).map(p => p.hops.map(h => h.link))).toEqual([
      [link(2)], [link(1), link(12), link(13)], [link(1), link(11)]
    ])
  })
})

describe('RouteSessions', () => {
  it('remembers a finished answer until it expires', () => {
    const s = new RouteSessions({ maxSessions: 10, maxRunning: 5, keepMs: 1000 })
    const e = s.begin('s1', false, 3, 500, 0)
    expect(s.get('s1', 100)).toBe(e)
    s.finish(e, { v: 1, key: ME, plans: [] }, 600)
    expect(s.get('s1', 1599)?.answer).toEqual({ v: 1, key: ME, plans: [] })
    expect(s.get('s1', 1600)).toBeUndefined()
  })

  it('settles waiters when the exploration ends', async () => {
    const s = new RouteSessions()
    const e = s.begin('s1', false, 3, 500, 0)
    const answer = { v: 1 as const, key: ME, plans: [] }
    s.finish(e, answer, 10)
    await expect(e.settled).resolves.toEqual(answer)
  })

  it('a running exploration is never forgotten, even past its time', () => {
    const s = new RouteSessions({ maxSessions: 10, maxRunning: 5, keepMs: 10 })
    const e = s.begin('s1', false, 3, 0, 0)
    expect(s.get('s1', 1_000_000)).toBe(e)
  })

  it('refuses more than maxRunning explorations at once: ROUTE_BUSY', () => {
    const s = new RouteSessions({ maxSessions: 10, maxRunning: 2, keepMs: 10 })
    const a = s.begin('a', false, 3, 0, 0)
    s.begin('b', false, 3, 0, 0)
    expect(() => s.begin('c', false, 3, 0, 0)).toThrow(expect.objectContaining({ code: 'ROUTE_BUSY' }))
    s.finish(a, undefined, 0)
    expect(() => s.begin('c', false, 3, 0, 0)).not.toThrow()
    expect(s.running).toBe(2)
  })

  it('holds at most maxSessions, evicting the oldest finished first', () => {
    const s = new RouteSessions({ maxSessions: 3, maxRunning: 3, keepMs: 1_000_000 })
    for (const id of ['a', 'b', 'c']) s.finish(s.begin(id, false, 2, 0, 0), { v: 1, key: ME, plans: [] }, 0)
    const d = s.begin('d', false, 2, 0, 0)
    expect(s.size).toBe(3)
    expect(s.get('a', 1)).toBeUndefined()
    expect(s.get('b', 1)).toBeDefined()
    expect(s.get('d', 1)).toBe(d)
  })

  it('a deeper exploration replaces the entry; the older one finishing does not overwrite it', () => {
    const s = new RouteSessions()
    const old = s.begin('s', false, 2, 0, 0)
    const deeper = s.begin('s', false, 4, 0, 0)
    s.finish(old, { v: 1, key: ME, plans: [] }, 0)
    expect(s.get('s', 1)).toBe(deeper)
    expect(s.get('s', 1)?.answer).toBeUndefined()
    expect(s.running).toBe(1)
  })
})
