import { describe, expect, it } from 'vitest'
import { verifyEnvelope } from '../../../../src/core/codec/envelope'
import { LIFT_DECISION_TYPE } from '../../../../src/core/chit/types'
import { refereeRequestLift, refereeStep, type RefereeEntry } from '../../../../src/core/lift/referee'
import type { LiftPromise, LiftRecord, RefereeRequest } from '../../../../src/core/lift/types'
import { allPromises, keyPair, makeLift, NOW, p, promiseOf, type Lift } from './fixtures'

async function code (f: () => Promise<unknown>): Promise<string | undefined> {
  try { await f() } catch (e) { return (e as { code?: string }).code }
  return undefined
}

const call = (record: LiftRecord, promises: LiftPromise[]): RefereeRequest => ({ v: 1, type: 'call', record, promises })
const refuse = (record: LiftRecord, refusal: LiftPromise): RefereeRequest => ({ v: 1, type: 'refuse', record, refusal })
const query = (record: LiftRecord): RefereeRequest => ({ v: 1, type: 'query', record })

async function step (lift: Lift, prior: RefereeEntry | undefined, req: unknown, now: number, ref = 0) {
  return refereeStep(p, lift.refs[ref]!.secret, prior, req, now)
}

describe('referee rules', () => {
  it('call with every promise before expiry: a signed good decision, persisted as an entry', async () => {
    const lift = await makeLift({ legs: 3, referees: 3 })
    const r = await step(lift, undefined, call(lift.record, await allPromises(lift)), NOW + 1000, 1)
    expect(r.answer.status).toBe('decided')
    expect(r.entry).toMatchObject({ lift: lift.body.id, outcome: 'good', at: NOW + 1000 })
    const d = await verifyEnvelope(p, r.entry!.decision, { type: LIFT_DECISION_TYPE, signer: lift.refs[1]!.key })
    expect(d.body).toEqual({ lift: lift.body.id, outcome: 'good' })
    expect(r.answer).toEqual({ v: 1, status: 'decided', decision: r.entry!.decision })
  })

  it('call with a missing, refused or wrongly signed promise before expiry: pending, no entry', async () => {
    const lift = await makeLift({ legs: 3 })
    const all = await allPromises(lift)
    for (const promises of [all.slice(1), [all[0]!, all[1]!, await promiseOf(lift, 2, 'refuse')], [all[0]!, all[1]!, await promiseOf(lift, 2, 'promise', await keyPair(9))]]) {
      const r = await step(lift, undefined, call(lift.record, promises), NOW + 1000)
      expect(r).toMatchObject({ answer: { v: 1, status: 'pending' } })
      expect(r.entry).toBeUndefined()
    }
  })

  it('query before expiry: pending; any request at or after expiry without a decision: void (never good)', async () => {
    const lift = await makeLift({ legs: 2 })
    expect((await step(lift, undefined, query(lift.record), lift.body.expires - 1)).answer.status).toBe('pending')
    for (const req of [query(lift.record), call(lift.record, await allPromises(lift))]) {
      const r = await step(lift, undefined, req, lift.body.expires)
      expect(r.entry?.outcome).toBe('void')
      expect(r.entry?.decision.body).toEqual({ lift: lift.body.id, outcome: 'void' })
    }
  })

  it('refuse with a valid refusal of a leg key: void even before expiry', async () => {
    const lift = await makeLift({ legs: 3 })
    const r = await step(lift, undefined, refuse(lift.record, await promiseOf(lift, 1, 'refuse')), NOW + 10)
    expect(r.entry?.outcome).toBe('void')
  })

  it('refuse carrying a promise, a refusal by a non-leg key, or one for another record is an error and decides nothing', async () => {
    const lift = await makeLift({ legs: 3 })
    expect(await code(async () => step(lift, undefined, refuse(lift.record, await promiseOf(lift, 1)), NOW))).toBe('INVALID_REFUSAL')
    expect(await code(async () => step(lift, undefined, refuse(lift.record, await promiseOf(lift, 1, 'refuse', await keyPair(42))), NOW))).toBe('WRONG_SIGNER')
    const other = await makeLift({ legs: 3, units: [100, 100, 7] })
    expect(await code(async () => step(lift, undefined, refuse(lift.record, await promiseOf(other, 1, 'refuse')), NOW))).toBe('RECORD_MISMATCH')
  })

  it('at or after expiry any request with a valid record decides void, even a refuse carrying a promise', async () => {
    const lift = await makeLift({ legs: 3 })
    const r = await step(lift, undefined, refuse(lift.record, await promiseOf(lift, 1)), lift.body.expires)
    expect(r.entry?.outcome).toBe('void')
  })

  it('asked twice: the same decision, no second entry; a late refusal never turns good into void, nor expiry', async () => {
    const lift = await makeLift({ legs: 2 })
    const first = await step(lift, undefined, call(lift.record, await allPromises(lift)), NOW)
    const prior = first.entry!
    for (const [req, at] of [[query(lift.record), NOW + 1], [refuse(lift.record, await promiseOf(lift, 0, 'refuse')), NOW + 2], [query(lift.record), lift.body.expires + 10], [call(lift.record, []), lift.body.expires + 10]] as const) {
      const again = await step(lift, prior, req, at)
      expect(again.entry).toBeUndefined()
      expect(again.answer).toEqual({ v: 1, status: 'decided', decision: prior.decision })
    }
    // and a void stays void when every promise arrives later
    const voided = (await step(lift, undefined, query(lift.record), lift.body.expires)).entry!
    const late = await step(lift, voided, call(lift.record, await allPromises(lift)), NOW)
    expect(late.answer).toEqual({ v: 1, status: 'decided', decision: voided.decision })
  })

  it('a request for a decided lift id with another record is refused', async () => {
    const lift = await makeLift({ legs: 2 })
    const prior = (await step(lift, undefined, call(lift.record, await allPromises(lift)), NOW)).entry!
    const other = await makeLift({ legs: 2, units: [100, 99] })
    expect(await code(() => step(other, prior, query(other.record), NOW))).toBe('RECORD_MISMATCH')
  })

  it('refuses when this referee is not named, and tampered or malformed requests', async () => {
    const lift = await makeLift({ legs: 2 })
    const stranger = await keyPair(300)
    expect(await code(() => refereeStep(p, stranger.secret, undefined, query(lift.record), NOW))).toBe('REFEREE_NOT_NAMED')
    const tampered = structuredClone(lift.record)
    tampered.body.expires += 1_000_000
    expect(await code(() => step(lift, undefined, query(tampered), NOW))).toBe('INVALID_SIGNATURE')
    expect(await code(() => step(lift, undefined, { v: 1, type: 'vote', record: lift.record }, NOW))).toBe('MALFORMED')
    expect(await code(() => step(lift, undefined, { ...call(lift.record, []), promises: Array.from({ length: 17 }, () => null) }, NOW))).toBe('MALFORMED')
  })

  it('refereeRequestLift reads the lift id without trusting anything', async () => {
    const lift = await makeLift()
    expect(refereeRequestLift(query(lift.record))).toBe(lift.body.id)
    expect(refereeRequestLift(null)).toBeUndefined()
    expect(refereeRequestLift({ record: { body: { id: 5 } } })).toBeUndefined()
  })
})
