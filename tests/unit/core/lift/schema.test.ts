import { describe, expect, it } from 'vitest'
import * as v from 'valibot'
import { canonicalBytes } from '../../../../src/core/codec/canonical'
import {
  decodeLiftJson, LiftMessageSchema, LiftPromiseBodySchema, LiftRecordBodySchema, MAX_HOPS, MAX_PLANS, parseLiftWire, RefereeAnswerSchema,
  RefereeRequestSchema, RouteAnswerSchema, RouteQuerySchema
} from '../../../../src/core/lift/schema'
import { MAX_REFEREES } from '../../../../src/core/chit/types'
import type { RouteHop, RouteQuery } from '../../../../src/core/lift/types'
import { allPromises, makeLift, SESSION } from './fixtures'

const H = (c: string): string => c.repeat(43)
const query: RouteQuery = { v: 1, session: SESSION, target: { kind: 'circular', token: H('t') }, units: 5, depth: 3, budgetMs: 1200, link: H('l') }
const hop: RouteHop = { link: H('l'), key: H('k'), free: 10, clutch: -5 }
const ok = <T>(s: v.GenericSchema<unknown, T>, x: unknown): boolean => v.safeParse(s, x).success

describe('lift schemas', () => {
  it('route query: session of 43 base64url chars, depth 1..MAX_HOPS, budget, units', () => {
    expect(ok(RouteQuerySchema, query)).toBe(true)
    expect(ok(RouteQuerySchema, { ...query, session: SESSION.slice(1) })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, session: SESSION.slice(1) + '+' })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, depth: 0 })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, depth: MAX_HOPS })).toBe(true)
    expect(ok(RouteQuerySchema, { ...query, depth: MAX_HOPS + 1 })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, units: 0 })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, units: 2.5 })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, budgetMs: -1 })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, target: { kind: 'drop', token: H('t') } })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, extra: true })).toBe(false)
    expect(ok(RouteQuerySchema, { ...query, v: 2 })).toBe(false)
  })

  it('route answer: at most MAX_PLANS plans of at most MAX_HOPS hops; clutch within ±1e6 ppm; free ≥ 0', () => {
    const plans = (n: number, hops: number) => Array.from({ length: n }, () => ({ hops: Array.from({ length: hops }, () => hop) }))
    expect(ok(RouteAnswerSchema, { v: 1, key: H('k'), target: true, plans: [{ hops: [] }] })).toBe(true)
    expect(ok(RouteAnswerSchema, { v: 1, key: H('k'), plans: plans(MAX_PLANS, MAX_HOPS) })).toBe(true)
    expect(ok(RouteAnswerSchema, { v: 1, key: H('k'), plans: plans(MAX_PLANS + 1, 1) })).toBe(false)
    expect(ok(RouteAnswerSchema, { v: 1, key: H('k'), plans: plans(1, MAX_HOPS + 1) })).toBe(false)
    expect(ok(RouteAnswerSchema, { v: 1, key: H('k'), target: false, plans: [] })).toBe(false)
    expect(ok(RouteAnswerSchema, { v: 1, key: H('k'), plans: [{ hops: [{ ...hop, clutch: 1_000_001 }] }] })).toBe(false)
    expect(ok(RouteAnswerSchema, { v: 1, key: H('k'), plans: [{ hops: [{ ...hop, free: -1 }] }] })).toBe(false)
    expect(ok(RouteAnswerSchema, { v: 1, key: H('k'), plans: [{ hops: [{ ...hop, free: 0 }] }] })).toBe(true)
  })

  it('record body: 1..MAX_HOPS legs, 1..MAX_REFEREES distinct referees, bounded addrs', async () => {
    const lift = await makeLift({ referees: 3 })
    const b = lift.body
    expect(ok(LiftRecordBodySchema, b)).toBe(true)
    expect(ok(LiftRecordBodySchema, { ...b, legs: [] })).toBe(false)
    expect(ok(LiftRecordBodySchema, { ...b, legs: Array.from({ length: MAX_HOPS + 1 }, () => b.legs[0]) })).toBe(false)
    expect(ok(LiftRecordBodySchema, { ...b, referees: [] })).toBe(false)
    expect(ok(LiftRecordBodySchema, { ...b, referees: [b.referees[0], b.referees[0], b.referees[1]] })).toBe(false)
    const many = (await makeLift({ referees: MAX_REFEREES })).body
    expect(ok(LiftRecordBodySchema, many)).toBe(true)
    expect(ok(LiftRecordBodySchema, { ...many, referees: [...many.referees, { ...many.referees[0]!, key: H('z') }, { ...many.referees[0]!, key: H('y') }] })).toBe(false)
    expect(ok(LiftRecordBodySchema, { ...b, referees: [{ ...b.referees[0]!, addrs: Array.from({ length: 9 }, () => '/ip4/127.0.0.1/tcp/1') }, ...b.referees.slice(1)] })).toBe(false)
    expect(ok(LiftRecordBodySchema, { ...b, referees: [{ ...b.referees[0]!, peer: 'bad peer!' }, ...b.referees.slice(1)] })).toBe(false)
    expect(ok(LiftRecordBodySchema, { ...b, kind: 'drop' })).toBe(false)
    expect(ok(LiftRecordBodySchema, { ...b, expires: -1 })).toBe(false)
  })

  it('promise body: leg 0..MAX_HOPS − 1, verdict, reason is an error code', () => {
    const body = { lift: 'lift-abcdefgh-0001', record: H('r'), leg: MAX_HOPS - 1, verdict: 'refuse', reason: 'LIFT_EXPIRED' }
    expect(ok(LiftPromiseBodySchema, body)).toBe(true)
    expect(ok(LiftPromiseBodySchema, { ...body, leg: MAX_HOPS })).toBe(false)
    expect(ok(LiftPromiseBodySchema, { ...body, verdict: 'maybe' })).toBe(false)
    expect(ok(LiftPromiseBodySchema, { ...body, reason: 'x'.repeat(65) })).toBe(false)
    expect(ok(LiftPromiseBodySchema, { ...body, record: 'short' })).toBe(false)
  })

  it('lift messages and referee requests/answers', async () => {
    const lift = await makeLift({ legs: 2 })
    const promises = await allPromises(lift)
    expect(ok(LiftMessageSchema, { v: 1, type: 'promise', record: lift.record, promises, leg: 1 })).toBe(true)
    expect(ok(LiftMessageSchema, { v: 1, type: 'promise', record: { ...lift.record, type: 'lift-promise' }, promises, leg: 1 })).toBe(false)
    expect(ok(LiftMessageSchema, { v: 1, type: 'promise', record: lift.record, promises: [...promises, { ...promises[0]!, type: 'lift-record' }], leg: 1 })).toBe(false)
    expect(ok(LiftMessageSchema, { v: 1, type: 'decision', lift: lift.body.id, decisions: [] })).toBe(false)
    expect(ok(RefereeRequestSchema, { v: 1, type: 'call', record: lift.record, promises })).toBe(true)
    expect(ok(RefereeRequestSchema, { v: 1, type: 'call', record: lift.record, promises: Array.from({ length: MAX_HOPS + 1 }, () => promises[0]) })).toBe(false)
    expect(ok(RefereeRequestSchema, { v: 1, type: 'refuse', record: lift.record })).toBe(false)
    expect(ok(RefereeRequestSchema, { v: 1, type: 'query', record: lift.record })).toBe(true)
    expect(ok(RefereeAnswerSchema, { v: 1, status: 'pending' })).toBe(true)
    expect(ok(RefereeAnswerSchema, { v: 1, status: 'decided' })).toBe(false)
  })

  it('parseLiftWire names what failed and where; decodeLiftJson caps size and refuses bad UTF-8 or JSON', () => {
    expect(parseLiftWire(RouteQuerySchema, query, 'route query')).toEqual(query)
    expect(() => parseLiftWire(RouteQuerySchema, { ...query, depth: 0 }, 'route query')).toThrow(/^route query: .*depth/)
    expect(() => parseLiftWire(RouteQuerySchema, 'x', 'route query')).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    const bytes = canonicalBytes(query)
    expect(decodeLiftJson(bytes, RouteQuerySchema, 'route query')).toEqual(query)
    expect(() => decodeLiftJson(bytes, RouteQuerySchema, 'route query', bytes.length - 1)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }))
    expect(() => decodeLiftJson(Uint8Array.of(0x7b, 0xff, 0x7d), RouteQuerySchema, 'route query')).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    expect(() => decodeLiftJson(new TextEncoder().encode('{"v":1,'), RouteQuerySchema, 'route query')).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })
})
