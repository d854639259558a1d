// The boundary of /mychips/route/1.0.0: size caps and schema checks on queries and answers, refusals with
// named errors (over the simulated wire), request validation of find(), and partners that answer badly.
import { ed25519 } from '@noble/curves/ed25519.js'
import { afterEach, describe, expect, it } from 'vitest'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { linkNonce, targetToken } from '../../../../src/core/lift/ids'
import { MAX_HOPS, MAX_PLANS } from '../../../../src/core/lift/schema'
import type { RouteAnswer, RouteQuery } from '../../../../src/core/lift/types'
import { bottleneck } from '../../../../src/core/lift/plan'
import {
  MAX_ROUTE_ANSWER_BYTES, MAX_ROUTE_QUERY_BYTES, ROUTE_PROTOCOL, decodeRouteAnswer, decodeRouteQuery, encodeRouteAnswer, encodeRouteQuery
} from '../../../../src/node/protocols/route'
import { RouteWorld, SCENARIO_22, type TallySpec } from './route-world'

let world: RouteWorld | undefined
afterEach(() => { world?.stop(); world = undefined })

const SESSION = 'S'.repeat(43)
const HASH = 'h'.repeat(43)
const KEY = toBase64url(ed25519.getPublicKey(new Uint8Array(32).fill(1)))

function query (over: Partial<RouteQuery> = {}): RouteQuery {
  return { v: 1, session: SESSION, target: { kind: 'linear', token: HASH }, units: 10, depth: 3, budgetMs: 1000, link: HASH, ...over }
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const code = (f: () => unknown): string | undefined => {
  try { f() } catch (e) { return (e as { code?: string }).code }
  return undefined
}

describe('route messages: codec', () => {
  it('a query and an answer survive the round trip', () => {
    const q = query()
    expect(decodeRouteQuery(encodeRouteQuery(q))).toEqual(q)
    const a: RouteAnswer = { v: 1, key: KEY, plans: [{ hops: [{ link: HASH, key: KEY, free: 5, clutch: -20 }] }] }
    expect(decodeRouteAnswer(encodeRouteAnswer(a))).toEqual(a)
    expect(decodeRouteAnswer(encodeRouteAnswer({ v: 1, key: KEY, target: true, plans: [{ hops: [] }] })).target).toBe(true)
  })

  const badQueries: Array<[string, unknown]> = [
    ['depth 0', query({ depth: 0 })],
    ['depth past MAX_HOPS', query({ depth: MAX_HOPS + 1 })],
    ['units 0', query({ units: 0 })],
    ['fractional units', query({ units: 1.5 })],
    ['negative budget', query({ budgetMs: -1 })],
    ['a short session', query({ session: 'abc' })],
    ['a link that is no hash', query({ link: 'tally-t1-AB' })],
    ['an unknown kind', { ...query(), target: { kind: 'sideways', token: HASH } }],
    ['an extra field (a user id smuggled in)', { ...query(), to: KEY }],
    ['a missing field', { v: 1, session: SESSION, target: { kind: 'linear', token: HASH }, units: 1, depth: 1, budgetMs: 1 }],
    ['another version', { ...query(), v: 2 }],
    ['an array', [query()]]
  ]
  for (const [what, value] of badQueries) {
    it(`refuses a query with ${what}: MALFORMED`, () => {
      expect(code(() => decodeRouteQuery(bytes(JSON.stringify(value))))).toBe('MALFORMED')
    })
  }

  it('refuses bytes that are not UTF-8 JSON: MALFORMED', () => {
    expect(code(() => decodeRouteQuery(bytes('{"v":1,')))).toBe('MALFORMED')
    expect(code(() => decodeRouteQuery(new Uint8Array([0xff, 0xfe])))).toBe('MALFORMED')
  })

  it('refuses an oversized query or answer: TOO_LARGE (before parsing)', () => {
    expect(code(() => decodeRouteQuery(new Uint8Array(MAX_ROUTE_QUERY_BYTES + 1)))).toBe('TOO_LARGE')
    expect(code(() => decodeRouteAnswer(new Uint8Array(MAX_ROUTE_ANSWER_BYTES + 1)))).toBe('TOO_LARGE')
    expect(code(() => encodeRouteQuery(query({ link: 'x'.repeat(MAX_ROUTE_QUERY_BYTES) })))).toBe('TOO_LARGE')
  })

  it('the largest valid answer (MAX_PLANS plans of MAX_HOPS hops, extreme numbers) fits the cap', () => {
    const hop = { link: HASH, key: KEY, free: 1_000_000_000_000_000, clutch: -1_000_000 }
    const a: RouteAnswer = { v: 1, key: KEY, plans: Array.from({ length: MAX_PLANS }, () => ({ hops: Array.from({ length: MAX_HOPS }, () => hop) })) }
    expect(decodeRouteAnswer(encodeRouteAnswer(a))).toEqual(a)
  })

  const badAnswers: Array<[string, unknown]> = [
    ['too many plans', { v: 1, key: KEY, plans: Array.from({ length: MAX_PLANS + 1 }, () => ({ hops: [] })) }],
    ['a plan too long', { v: 1, key: KEY, plans: [{ hops: Array.from({ length: MAX_HOPS + 1 }, () => ({ link: HASH, key: KEY, free: 1, clutch: 0 })) }] }],
    ['negative free lading', { v: 1, key: KEY, plans: [{ hops: [{ link: HASH, key: KEY, free: -1, clutch: 0 }] }] }],
    ['a clutch past 100 %', { v: 1, key: KEY, plans: [{ hops: [{ link: HASH, key: KEY, free: 1, clutch: 1_000_001 }] }] }],
    ['a key that is no Ed25519 key', { v: 1, key: 'not-a-key', plans: [] }],
    ['target: false', { v: 1, key: KEY, target: false, plans: [] }]
  ]
  for (const [what, value] of badAnswers) {
    it(`refuses an answer with ${what}: MALFORMED`, () => {
      expect(code(() => decodeRouteAnswer(bytes(JSON.stringify(value))))).toBe('MALFORMED')
    })
  }
})

describe('route queries over the wire: refusals', () => {
  async function ask (w: RouteWorld, from: string, to: string, body: Uint8Array): Promise<string | undefined> {
    try {
      await w.run(w.node(from).net.request(w.node(to).peerId, ROUTE_PROTOCOL, body))
    } catch (e) { return (e as { code?: string }).code }
    return undefined
  }

  it('a partner\'s query naming a link it does not share: ROUTE_LINK_UNKNOWN', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
    const session = 'x'.repeat(43)
    expect(await ask(w, 'B', 'A', encodeRouteQuery(query({ session, link: linkNonce('tally-nope', session) })))).toBe('ROUTE_LINK_UNKNOWN')
    // A link of a real tally, but one between A and C, sent by B.
    expect(await ask(w, 'B', 'A', encodeRouteQuery(query({ session, link: linkNonce('tally-t3-CA', session) })))).toBe('ROUTE_LINK_UNKNOWN')
    // The right link from the right partner is answered.
    expect(await ask(w, 'B', 'A', encodeRouteQuery(query({ session, link: linkNonce('tally-t1-AB', session) })))).toBeUndefined()
    expect(w.node('A').service.counters).toMatchObject({ queriesServed: 3, refused: 2 })
  })

  it('a stranger (no tally) is refused even with a real tally\'s link: ROUTE_LINK_UNKNOWN', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C', 'Eve'], SCENARIO_22)
    const session = 'y'.repeat(43)
    expect(await ask(w, 'Eve', 'A', encodeRouteQuery(query({ session, link: linkNonce('tally-t1-AB', session) })))).toBe('ROUTE_LINK_UNKNOWN')
  })

  it('garbage and oversized queries are refused by name', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
    expect(await ask(w, 'B', 'A', bytes('hello'))).toBe('MALFORMED')
    expect(await ask(w, 'B', 'A', bytes(JSON.stringify({ ...query(), depth: 0 })))).toBe('MALFORMED')
    expect(await ask(w, 'B', 'A', new Uint8Array(MAX_ROUTE_QUERY_BYTES + 1).fill(32))).toBe('TOO_LARGE')
  })

  it('a stopped service serves no queries and runs no discovery', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
    w.node('A').service.stop()
    const session = 'z'.repeat(43)
    expect(await ask(w, 'B', 'A', encodeRouteQuery(query({ session, link: linkNonce('tally-t1-AB', session) })))).toBe('UNSUPPORTED_PROTOCOL')
    await expect(w.node('A').service.find({ kind: 'circular', units: 1 })).rejects.toMatchObject({ code: 'ROUTE_STOPPED' })
  })

  it('stopping during a discovery ends it at once, with what it has', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
    const search = w.node('A').service.find({ kind: 'circular', units: 1, budgetMs: 5000 })
    await w.time.advance(10)
    w.node('A').service.stop()
    const { value: d, ms } = await w.run(search)
    expect(d.plans).toEqual([])
    expect(ms).toBe(0)
  })

  it('a node working on too many discoveries refuses more: ROUTE_BUSY', async () => {
    // B relays for both A and C; it may run one exploration at a time.
    const tallies: TallySpec[] = [
      { id: 'tally-AB', foil: 'B', stock: 'A', balance: -100 },
      { id: 'tally-CB', foil: 'B', stock: 'C', balance: -100 },
      { id: 'tally-BD', foil: 'D', stock: 'B', balance: -100 }
    ]
    const w = world = new RouteWorld(['A', 'B', 'C', 'D', 'E'], tallies, { limits: { maxRunning: 1 } })
    // D never answers, so B's exploration lasts its whole budget.
    w.node('D').service.stop()
    w.node('D').net.handle(ROUTE_PROTOCOL, async () => await new Promise<Uint8Array>(() => {}), { maxRequestBytes: 4096 })
    const to = w.userId('E')
    await w.run(Promise.all([
      w.node('A').service.find({ kind: 'linear', to, units: 1 }),
      w.node('C').service.find({ kind: 'linear', to, units: 1 })
    ]))
    expect(w.node('B').service.counters).toMatchObject({ queriesServed: 2, refused: 1 })
    // Once it is done, it takes the next one.
    await w.run(w.node('A').service.find({ kind: 'linear', to, units: 1 }))
    expect(w.node('B').service.counters).toMatchObject({ queriesServed: 3, refused: 1 })
  })

  it('one partner cannot take every slot: its share is maxRunningPerPeer (ROUTE_BUSY), others still get in', async () => {
    const tallies: TallySpec[] = [
      { id: 'tally-AB', foil: 'B', stock: 'A', balance: -100 },
      { id: 'tally-CB', foil: 'B', stock: 'C', balance: -100 },
      { id: 'tally-BD', foil: 'D', stock: 'B', balance: -100 }
    ]
    const w = world = new RouteWorld(['A', 'B', 'C', 'D', 'E'], tallies, { limits: { maxRunningPerPeer: 1 } })
    w.node('D').service.stop()
    w.node('D').net.handle(ROUTE_PROTOCOL, async () => await new Promise<Uint8Array>(() => {}), { maxRequestBytes: 4096 })
    const to = w.userId('E')
    await w.run(Promise.all([
      w.node('A').service.find({ kind: 'linear', to, units: 1 }),
      w.node('A').service.find({ kind: 'linear', to, units: 1 }),
      w.node('C').service.find({ kind: 'linear', to, units: 1 })
    ]))
    expect(w.node('B').service.counters).toMatchObject({ queriesServed: 3, refused: 1 })
    // B forwarded twice to D: for one of A's sessions and for C's.
    expect(w.node('B').service.counters.queriesSent).toBe(2)
  })
})

describe('find(): the request is checked', () => {
  const bad: Array<[string, Record<string, unknown>]> = [
    ['a linear route without a payee', { kind: 'linear', units: 5 }],
    ['a payee that is no user id', { kind: 'linear', to: 'bob', units: 5 }],
    ['zero units', { kind: 'circular', units: 0 }],
    ['fractional units', { kind: 'circular', units: 2.5 }],
    ['depth 0', { kind: 'circular', units: 1, maxDepth: 0 }],
    ['depth past MAX_HOPS', { kind: 'circular', units: 1, maxDepth: MAX_HOPS + 1 }],
    ['a negative budget', { kind: 'circular', units: 1, budgetMs: -5 }],
    ['an unknown kind', { kind: 'spiral', units: 1 }]
  ]
  for (const [what, request] of bad) {
    it(`refuses ${what}: MALFORMED`, async () => {
      const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
      await expect(w.node('A').service.find(request as never)).rejects.toMatchObject({ code: 'MALFORMED' })
    })
  }

  it('refuses a linear route to oneself: MALFORMED', async () => {
    const w = world = new RouteWorld(['A', 'B', 'C'], SCENARIO_22)
    await expect(w.node('A').service.find({ kind: 'linear', to: w.userId('A'), units: 1 })).rejects.toMatchObject({ code: 'MALFORMED' })
  })
})

describe('partners that answer badly cost their branch only', () => {
  // O reaches T through A (40) or B (90); B is replaced by a handler answering `answer(query)`.
  const diamond: TallySpec[] = [
    { id: 'tally-OA', foil: 'A', stock: 'O', balance: -40 },
    { id: 'tally-AT', foil: 'T', stock: 'A', balance: -40 },
    { id: 'tally-OB', foil: 'B', stock: 'O', balance: -90 },
    { id: 'tally-BT', foil: 'T', stock: 'B', balance: -90 }
  ]
  const BKEY = toBase64url(ed25519.getPublicKey(new Uint8Array(32).fill(2)))

  const cases: Array<[string, (q: RouteQuery, w: RouteWorld) => Uint8Array]> = [
    ['claims to end the route without being the target (an empty plan)', () => encodeRouteAnswer({ v: 1, key: BKEY, plans: [{ hops: [] }] })],
    ['returns a plan through the asker itself', (q, w) => encodeRouteAnswer({
      v: 1, key: BKEY, plans: [{ hops: [{ link: HASH, key: w.node('O').keys.session(q.session).key, free: 90, clutch: 0 }, { link: linkNonce('x', q.session), key: w.node('T').keys.session(q.session).key, free: 90, clutch: 0 }] }]
    })],
    ['returns a plan naming one key twice', (q, w) => {
      const t = w.node('T').keys.session(q.session).key
      return encodeRouteAnswer({ v: 1, key: BKEY, plans: [{ hops: [{ link: HASH, key: t, free: 90, clutch: 0 }, { link: linkNonce('y', q.session), key: t, free: 90, clutch: 0 }] }] })
    }],
    ['returns a hop with less free lading than asked', (q, w) => encodeRouteAnswer({
      v: 1, key: BKEY, plans: [{ hops: [{ link: HASH, key: w.node('T').keys.session(q.session).key, free: 1, clutch: 0 }] }]
    })],
    ['returns a plan longer than the depth it was given', (q) => encodeRouteAnswer({
      v: 1, key: BKEY, plans: [{ hops: Array.from({ length: q.depth }, (_, i) => ({ link: linkNonce(`l${i}`, q.session), key: KEY, free: 90, clutch: 0 })) }]
    })],
    ['answers garbage', () => bytes('{"v":1,"key":')],
    ['answers more than the answer cap', () => new Uint8Array(MAX_ROUTE_ANSWER_BYTES + 10).fill(32)]
  ]
  for (const [what, answer] of cases) {
    it(`B ${what}: only A's route`, async () => {
      const w = world = new RouteWorld(['O', 'A', 'B', 'T'], diamond)
      w.node('B').service.stop()
      w.node('B').net.handle(ROUTE_PROTOCOL, async request => answer(decodeRouteQuery(request), w), { maxRequestBytes: 4096 })
      const { value: d } = await w.run(w.node('O').service.find({ kind: 'linear', to: w.userId('T'), units: 10, maxDepth: 3 }))
      expect(d.plans.map(bottleneck)).toEqual([40])
      expect(d.plans[0]!.hops[0]!.link).toBe(linkNonce('tally-OA', d.session))
    })
  }

  it('B answering honestly as a relay gives the 90 route (the harness itself is sound)', async () => {
    const w = world = new RouteWorld(['O', 'A', 'B', 'T'], diamond)
    w.node('B').service.stop()
    w.node('B').net.handle(ROUTE_PROTOCOL, async request => {
      const q = decodeRouteQuery(request)
      expect(q.target.token).toBe(targetToken(q.session, w.userId('T')))
      return encodeRouteAnswer({ v: 1, key: BKEY, plans: [{ hops: [{ link: linkNonce('tally-BT', q.session), key: w.node('T').keys.session(q.session).key, free: 90, clutch: 0 }] }] })
    }, { maxRequestBytes: 4096 })
    const { value: d } = await w.run(w.node('O').service.find({ kind: 'linear', to: w.userId('T'), units: 10, maxDepth: 3 }))
    expect(d.plans.map(bottleneck)).toEqual([90, 40])
  })
})
