import { MAX_HOPS } from '../../../../src/core/lift/schema'
import { describe, expect, it } from 'vitest'
import { signEnvelope } from '../../../../src/core/codec/envelope'
import { signLiftRecord, verifyLiftRecord, recordHash } from '../../../../src/core/lift/record'
import { LIFT_RECORD_TYPE, type LiftRecordBody } from '../../../../src/core/lift/types'
import { hashOf } from '../../../../src/core/codec/hash'
import { keyPair, makeLift, NOW, p } from './fixtures'

async function code (f: () => Promise<unknown>): Promise<string | undefined> {
  try { await f() } catch (e) { return (e as { code?: string }).code }
  return undefined
}

/** Signs a body with the origin's secret bypassing signLiftRecord's checks (what a faulty originator could send). */
async function forge (body: LiftRecordBody, secret: Uint8Array): Promise<unknown> {
  return signEnvelope(p, secret, LIFT_RECORD_TYPE, body)
}

describe('lift record', () => {
  it('signs and verifies a linear and a circular record; recordHash = hashOf(body)', async () => {
    const lin = await makeLift({ legs: 3, units: [103, 101, 100] })
    expect(await verifyLiftRecord(p, lin.record)).toEqual(lin.body)
    const circ = await makeLift({ kind: 'circular', legs: 3 })
    expect(await verifyLiftRecord(p, circ.record, { now: NOW })).toEqual(circ.body)
    expect(recordHash(lin.body)).toBe(hashOf(lin.body))
    expect(recordHash(lin.body)).not.toBe(recordHash(circ.body))
  })

  it('refuses a tampered record (units changed after signing)', async () => {
    const lift = await makeLift()
    const tampered = structuredClone(lift.record)
    tampered.body.legs[1]!.units = 99
    expect(await code(() => verifyLiftRecord(p, tampered))).toBe('INVALID_SIGNATURE')
  })

  it('refuses a record signed by another key than its origin', async () => {
    const lift = await makeLift()
    const other = await keyPair(77)
    expect(await code(async () => verifyLiftRecord(p, await forge(lift.body, other.secret)))).toBe('WRONG_SIGNER')
    expect(await code(() => signLiftRecord(p, other.secret, lift.body))).toBe('WRONG_SIGNER')
  })

  it('refuses an even number of referees, at signing and at verifying', async () => {
    const lift = await makeLift({ referees: 3 })
    const even = { ...lift.body, referees: lift.body.referees.slice(0, 2) }
    expect(await code(() => signLiftRecord(p, lift.nodes[0]!.secret, even))).toBe('EVEN_REFEREES')
    expect(await code(async () => verifyLiftRecord(p, await forge(even, lift.nodes[0]!.secret)))).toBe('EVEN_REFEREES')
  })

  it('refuses expiry not after creation, and a verified record at or after expiry when now is given', async () => {
    const lift = await makeLift()
    const o = lift.nodes[0]!.secret
    expect(await code(async () => verifyLiftRecord(p, await forge({ ...lift.body, expires: NOW }, o)))).toBe('INVALID_LIFT_RECORD')
    expect(await code(() => verifyLiftRecord(p, lift.record, { now: lift.body.expires }))).toBe('LIFT_EXPIRED')
    expect(await verifyLiftRecord(p, lift.record, { now: lift.body.expires - 1 })).toEqual(lift.body)
  })

  it('refuses a record that would hold capacity longer than maxLifeMs from now', async () => {
    const lift = await makeLift({ expires: NOW + 120_000 })
    expect(await code(() => verifyLiftRecord(p, lift.record, { now: NOW, maxLifeMs: 119_999 }))).toBe('LIFT_TOO_LONG')
    expect(await verifyLiftRecord(p, lift.record, { now: NOW, maxLifeMs: 120_000 })).toEqual(lift.body)
    expect(await verifyLiftRecord(p, lift.record, { now: NOW + 1, maxLifeMs: 119_999 })).toEqual(lift.body)
  })

  it('circular: equal units on every leg, ending at the origin; linear: never back at the origin', async () => {
    const circ = await makeLift({ kind: 'circular', legs: 3 })
    const o = circ.nodes[0]!.secret
    const unequal = { ...circ.body, legs: circ.body.legs.map((l, k) => ({ ...l, units: 100 + k })) }
    expect(await code(async () => verifyLiftRecord(p, await forge(unequal, o)))).toBe('INVALID_LIFT_RECORD')
    const linearBack = { ...circ.body, kind: 'linear' as const }
    expect(await code(async () => verifyLiftRecord(p, await forge(linearBack, o)))).toBe('INVALID_LIFT_RECORD')
    const lin = await makeLift({ legs: 2 })
    const notBack = { ...lin.body, kind: 'circular' as const, legs: lin.body.legs.map(l => ({ ...l, units: 100 })) }
    expect(await code(async () => verifyLiftRecord(p, await forge(notBack, lin.nodes[0]!.secret)))).toBe('INVALID_LIFT_RECORD')
  })

  it('refuses a node or a tally named twice, no legs, more than MAX_HOPS legs', async () => {
    const lift = await makeLift({ legs: 3 })
    const o = lift.nodes[0]!.secret
    const legs = lift.body.legs
    const twiceKey = { ...lift.body, legs: [legs[0]!, { ...legs[1]!, key: legs[0]!.key }, legs[2]!] }
    expect(await code(async () => verifyLiftRecord(p, await forge(twiceKey, o)))).toBe('INVALID_LIFT_RECORD')
    const twiceLink = { ...lift.body, legs: [legs[0]!, { ...legs[1]!, link: legs[0]!.link }, legs[2]!] }
    expect(await code(async () => verifyLiftRecord(p, await forge(twiceLink, o)))).toBe('INVALID_LIFT_RECORD')
    expect(await code(async () => verifyLiftRecord(p, await forge({ ...lift.body, legs: [] }, o)))).toBe('MALFORMED')
    const long = await makeLift({ legs: MAX_HOPS })
    expect((await verifyLiftRecord(p, long.record)).legs).toHaveLength(MAX_HOPS)
    expect(await code(() => makeLift({ legs: MAX_HOPS + 1 }))).toBe('MALFORMED')
  })

  it('refuses malformed shapes with a useful message', async () => {
    const lift = await makeLift()
    await expect(verifyLiftRecord(p, { ...lift.record, body: { ...lift.body, legs: [{ ...lift.body.legs[0]!, units: 1.5 }] } })).rejects.toThrow(/lift record/)
    expect(await code(() => verifyLiftRecord(p, { ...lift.record, type: 'lift-promise' }))).toBe('MALFORMED')
    expect(await code(() => verifyLiftRecord(p, { ...lift.record, extra: 1 }))).toBe('MALFORMED')
    expect(await code(() => verifyLiftRecord(p, null))).toBe('MALFORMED')
  })
})
