import { describe, expect, it } from 'vitest'
import { promisedLegs, promisesComplete, signLiftPromise, verifyLiftPromise } from '../../../../src/core/lift/promise'
import { recordHash } from '../../../../src/core/lift/record'
import { allPromises, keyPair, makeLift, p, promiseOf } from './fixtures'

async function code (f: () => Promise<unknown>): Promise<string | undefined> {
  try { await f() } catch (e) { return (e as { code?: string }).code }
  return undefined
}

describe('lift promises', () => {
  it('a promise by the leg key verifies, for each leg', async () => {
    const lift = await makeLift({ legs: 3 })
    for (const k of [0, 1, 2]) {
      expect(await verifyLiftPromise(p, await promiseOf(lift, k), lift.body)).toMatchObject({ leg: k, verdict: 'promise', lift: lift.body.id })
    }
    expect(await verifyLiftPromise(p, await promiseOf(lift, 1, 'refuse'), lift.body)).toMatchObject({ verdict: 'refuse', reason: 'CHIT_NOT_CERTIFIED' })
  })

  it('refuses a promise signed by another key than its leg\'s (even another leg\'s key)', async () => {
    const lift = await makeLift({ legs: 3 })
    const stranger = await keyPair(55)
    expect(await code(async () => verifyLiftPromise(p, await promiseOf(lift, 1, 'promise', stranger), lift.body))).toBe('WRONG_SIGNER')
    expect(await code(async () => verifyLiftPromise(p, await promiseOf(lift, 1, 'promise', lift.nodes[3]!), lift.body))).toBe('WRONG_SIGNER')
    // the originator of a linear lift receives no leg: it cannot promise one
    expect(await code(async () => verifyLiftPromise(p, await promiseOf(lift, 0, 'promise', lift.nodes[0]!), lift.body))).toBe('WRONG_SIGNER')
  })

  it('refuses a promise for another record of the same lift id, for another lift, or for a leg the record lacks', async () => {
    const lift = await makeLift({ legs: 3 })
    const other = await makeLift({ legs: 3, units: [100, 100, 99] }) // same id, other record
    expect(await code(async () => verifyLiftPromise(p, await promiseOf(other, 1), lift.body))).toBe('RECORD_MISMATCH')
    const otherId = await makeLift({ legs: 3, id: 'lift-other-00000002' })
    expect(await code(async () => verifyLiftPromise(p, await promiseOf(otherId, 1), lift.body))).toBe('RECORD_MISMATCH')
    const leg5 = await signLiftPromise(p, lift.nodes[1]!.secret, { lift: lift.body.id, record: recordHash(lift.body), leg: 5, verdict: 'promise' })
    expect(await code(() => verifyLiftPromise(p, leg5, lift.body))).toBe('RECORD_MISMATCH')
  })

  it('refuses a tampered promise (verdict flipped) and malformed ones', async () => {
    const lift = await makeLift({ legs: 2 })
    const refusal = await promiseOf(lift, 0, 'refuse')
    const flipped = { ...refusal, body: { ...refusal.body, verdict: 'promise', reason: undefined } }
    delete (flipped.body as { reason?: string }).reason
    expect(await code(() => verifyLiftPromise(p, flipped, lift.body))).toBe('INVALID_SIGNATURE')
    expect(await code(() => verifyLiftPromise(p, { ...refusal, body: { ...refusal.body, leg: -1 } }, lift.body))).toBe('MALFORMED')
    expect(await code(() => verifyLiftPromise(p, { ...refusal, type: 'lift-record' }, lift.body))).toBe('MALFORMED')
    expect(await code(() => signLiftPromise(p, lift.nodes[1]!.secret, { ...refusal.body, reason: 'not a code' }))).toBe('MALFORMED')
  })

  it('promisesComplete: a valid promise from every leg key; refusals, duplicates and invalid ones do not count', async () => {
    const lift = await makeLift({ legs: 3 })
    const all = await allPromises(lift)
    expect(await promisesComplete(p, lift.body, all)).toBe(true)
    expect(await promisesComplete(p, lift.body, [...all].reverse())).toBe(true)
    expect(await promisesComplete(p, lift.body, all.slice(0, 2))).toBe(false)
    expect(await promisesComplete(p, lift.body, [all[0]!, all[1]!, all[1]!])).toBe(false)
    expect(await promisesComplete(p, lift.body, [all[0]!, all[1]!, await promiseOf(lift, 2, 'refuse')])).toBe(false)
    expect(await promisesComplete(p, lift.body, [all[0]!, all[1]!, await promiseOf(lift, 2, 'promise', lift.nodes[1]!)])).toBe(false)
    const tampered = { ...all[2]!, sig: all[1]!.sig }
    expect(await promisesComplete(p, lift.body, [all[0]!, all[1]!, tampered, 'junk', null])).toBe(false)
    expect([...await promisedLegs(p, lift.body, [all[2]!, 'junk'])]).toEqual([2])
  })
})
