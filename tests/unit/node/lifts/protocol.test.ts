// The lift and referee protocols at the boundary: every malformed, oversized, forged, expired or misplaced
// request is refused with a named error and changes nothing; the referee decides once, persists before it
// answers, and keeps its decision across a restart.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { linkNonce } from '../../../../src/core/lift/ids'
import { signLiftRecord } from '../../../../src/core/lift/record'
import type { LiftRecord, LiftRecordBody, RefereeRef } from '../../../../src/core/lift/types'
import { LIFT_PROTOCOL, encodeLiftMessage } from '../../../../src/node/protocols/lift'
import { REFEREE_PROTOCOL, decodeRefereeAnswer, encodeRefereeRequest } from '../../../../src/node/protocols/referee'
import { signPromise } from '../../../../src/node/services/lifts/verify'
import type { LiftKeys } from '../../../../src/node/services/lifts/contracts'
import type { MemoryDatabase } from '../../../../src/node/store/memory'
import { balanceOn, liftWorld, pendingLifts, type LiftWallet, type LiftWorld } from './world'

const BAD_REFEREE = toBase64url(new Uint8Array(32).fill(7))

function liftsTable (db: MemoryDatabase): string {
  return JSON.stringify([...(db.tables.get('lifts')?.entries() ?? [])])
}

async function setup (seed: number): Promise<{ w: LiftWorld, p: LiftWallet, x: LiftWallet, q: LiftWallet, px: string, xq: string, keys: (w: LiftWallet) => LiftKeys }> {
  const w = liftWorld(seed)
  const p = await w.wallet('P')
  const x = await w.wallet('X', { config: { acceptReferees: refs => !refs.some(r => r.key === BAD_REFEREE) } })
  const q = await w.wallet('Q')
  const px = await w.tally(x, p, { balance: -500, limit: { foil: 1_000, stock: 0 } })
  const xq = await w.tally(q, x, { balance: -300, limit: { foil: 1_000, stock: 0 } })
  const keys = (wl: LiftWallet): LiftKeys => w.oracle.nodes.get(wl.identity.userId)!.keys
  return { w, p, x, q, px, xq, keys }
}

describe('lift and referee protocols', { timeout: 60_000 }, () => {
  it('/mychips/lift/1.0.0 refuses garbage, oversized, forged, expired, misplaced and unacceptable requests by name; nothing is stored', async () => {
    const { w, p, x, q, px, xq, keys } = await setup(5101)
    const session = toBase64url(new Uint8Array(32).fill(1))
    const now = w.time.now
    const body = (over: Partial<LiftRecordBody> = {}): LiftRecordBody => ({
      id: toBase64url(new Uint8Array(16).fill(2)), session, kind: 'linear', origin: keys(p).session(session).key,
      legs: [{ link: linkNonce(px, session), units: 10, key: keys(x).session(session).key }, { link: linkNonce(xq, session), units: 10, key: keys(q).session(session).key }],
      referees: [p.lifts.refereeRef()], expires: now + 60_000, created: now, ...over
    })
    const record = async (over: Partial<LiftRecordBody> = {}): Promise<LiftRecord> => await signLiftRecord(nobleProvider, keys(p).session(session).secret, body(over))
    const before = liftsTable(x.db)
    const send = async (from: LiftWallet, bytes: Uint8Array): Promise<unknown> => await w.run(from.net.request(x.identity.peerId, LIFT_PROTOCOL, bytes).catch((e: unknown) => e))
    const promise = async (r: LiftRecord, leg = 0): Promise<Uint8Array> => encodeLiftMessage({ v: 1, type: 'promise', record: r, promises: [], leg })

    expect(await send(p, new TextEncoder().encode('not json'))).toMatchObject({ code: 'MALFORMED' })
    expect(await send(p, new TextEncoder().encode(JSON.stringify({ v: 1, type: 'teleport' })))).toMatchObject({ code: 'MALFORMED' })
    expect(await send(p, new Uint8Array(300 * 1024).fill(32))).toMatchObject({ code: 'TOO_LARGE' })
    const good = await record()
    const tampered = structuredClone(good)
    tampered.body.legs[0]!.units = 9
    expect(await send(p, await promise(tampered))).toMatchObject({ code: 'INVALID_SIGNATURE' })
    expect(await send(p, await promise(await record({ created: now - 120_000, expires: now - 1 })))).toMatchObject({ code: 'LIFT_EXPIRED' })
    expect(await send(p, await promise(await record({ referees: [{ key: BAD_REFEREE, peer: p.identity.peerId }] })))).toMatchObject({ code: 'REFEREES_REFUSED' })
    // leg 0 names Q's key, not X's: X cannot be its receiver
    const other = body()
    other.legs[0]!.key = keys(q).session(session).key
    other.legs[1]!.key = keys(x).session(session).key
    expect(await send(p, await promise(await signLiftRecord(nobleProvider, keys(p).session(session).secret, other)))).toMatchObject({ code: 'NOT_MY_LEG' })
    // a valid record, but from Q, who does not share the leg's tally with X
    expect(await send(q, await promise(good))).toMatchObject({ code: 'UNKNOWN_LINK' })
    // a leg the record does not have
    expect(await send(p, await promise(good, 5))).toMatchObject({ code: 'UNKNOWN_LINK' })
    // a decision for another lift than the message names
    const decision = { v: 1 as const, type: 'lift-decision', body: { lift: toBase64url(new Uint8Array(16).fill(3)), outcome: 'good' as const }, signer: BAD_REFEREE, sig: 'A'.repeat(86) }
    expect(await send(p, encodeLiftMessage({ v: 1, type: 'decision', lift: good.body.id, decisions: [decision] }))).toMatchObject({ code: 'BAD_DECISION' })
    expect(liftsTable(x.db)).toBe(before)
    expect(await x.lifts.list()).toEqual([])
  })

  it('/mychips/referee/1.0.0: pending without every promise, void on a leg\'s refusal or after expiry, one decision kept across a restart', async () => {
    const { w, p, x, q, px, xq, keys } = await setup(5102)
    const r = await w.wallet('R')
    const ref: RefereeRef = r.lifts.refereeRef()
    const session = toBase64url(new Uint8Array(32).fill(4))
    const now = w.time.now
    const record = async (id: number, referees: RefereeRef[] = [ref]): Promise<LiftRecord> => await signLiftRecord(nobleProvider, keys(p).session(session).secret, {
      id: toBase64url(new Uint8Array(16).fill(id)), session, kind: 'linear', origin: keys(p).session(session).key,
      legs: [{ link: linkNonce(px, session), units: 10, key: keys(x).session(session).key }, { link: linkNonce(xq, session), units: 10, key: keys(q).session(session).key }],
      referees, expires: now + 60_000, created: now
    })
    const ask = async (request: Parameters<typeof encodeRefereeRequest>[0]): Promise<unknown> =>
      await w.run(q.net.request(r.identity.peerId, REFEREE_PROTOCOL, encodeRefereeRequest(request)).then(res => decodeRefereeAnswer(res.body), (e: unknown) => e))

    const one = await record(10)
    // a call with only one of two promises: pending, nothing decided
    const px0 = await signPromise(nobleProvider, keys(x).session(session).secret, one, 0, 'promise')
    expect(await ask({ v: 1, type: 'call', record: one, promises: [px0] })).toEqual({ v: 1, status: 'pending' })
    expect(await r.lifts.referee!.entry(one.body.id)).toBeUndefined()
    // a refusal signed by a key that is not that leg's: refused by name, nothing decided
    const forged = await signPromise(nobleProvider, keys(q).session(session).secret, one, 0, 'refuse', 'NO')
    expect(await ask({ v: 1, type: 'refuse', record: one, refusal: forged })).toMatchObject({ code: 'WRONG_SIGNER' })
    // with both promises: good, persisted before the answer
    const pq1 = await signPromise(nobleProvider, keys(q).session(session).secret, one, 1, 'promise')
    const good = await ask({ v: 1, type: 'call', record: one, promises: [px0, pq1] })
    expect(good).toMatchObject({ v: 1, status: 'decided', decision: { body: { lift: one.body.id, outcome: 'good' }, signer: ref.key } })
    expect(await r.lifts.referee!.entry(one.body.id)).toMatchObject({ outcome: 'good' })
    // sticky: a later refusal does not change it
    const refusal = await signPromise(nobleProvider, keys(q).session(session).secret, one, 1, 'refuse', 'CHANGED_MY_MIND')
    expect(await ask({ v: 1, type: 'refuse', record: one, refusal })).toEqual(good)

    const two = await record(11)
    const refuse2 = await signPromise(nobleProvider, keys(x).session(session).secret, two, 0, 'refuse', 'LIFT_CHIT_REFUSED')
    expect(await ask({ v: 1, type: 'refuse', record: two, refusal: refuse2 })).toMatchObject({ status: 'decided', decision: { body: { outcome: 'void' } } })

    const three = await record(12)
    expect(await ask({ v: 1, type: 'query', record: three })).toEqual({ v: 1, status: 'pending' })
    await w.time.advance(61_000)
    const voided = await ask({ v: 1, type: 'query', record: three })
    expect(voided).toMatchObject({ status: 'decided', decision: { body: { outcome: 'void' } } })
    // not named by the lift
    expect(await ask({ v: 1, type: 'query', record: await record(13, [p.lifts.refereeRef()]) })).toMatchObject({ code: 'REFEREE_NOT_NAMED' })
    // a restart keeps every decision, signature for signature
    await r.crash()
    await r.restart()
    expect(await ask({ v: 1, type: 'call', record: one, promises: [px0, pq1] })).toEqual(good)
    expect(await ask({ v: 1, type: 'query', record: three })).toEqual(voided)
  })

  it('a good payment needs no decision message when every referee agrees: each node learns the decision from the diary of the tally it shares with the one that recorded it', async () => {
    const { w, p, x, q, px, xq } = await setup(5103)
    const sent: string[] = []
    for (const wl of [p, x, q]) {
      const request = wl.net.request.bind(wl.net)
      wl.net.request = async (peer, protocol, body, options) => {
        if (protocol === LIFT_PROTOCOL) sent.push(`${wl.name}:${(JSON.parse(new TextDecoder().decode(body)) as { type: string }).type}`)
        return await request(peer, protocol, body, options)
      }
    }
    const paid = await w.run(p.lifts.pay({ to: q.identity.userId, units: 100 }))
    expect(paid).toMatchObject({ status: 'good', units: 100 })
    await w.time.advance(5_000)
    expect(await x.lifts.get(paid.id)).toMatchObject({ status: 'good' })
    expect(await q.lifts.get(paid.id)).toMatchObject({ status: 'good' })
    for (const [wl, t] of [[p, px], [x, px], [x, xq], [q, xq]] as const) expect(pendingLifts(wl, t)).toBe(0)
    expect([balanceOn(p, px), balanceOn(x, px), balanceOn(x, xq), balanceOn(q, xq)]).toEqual([400, -400, 200, -200])
    expect(sent.sort()).toEqual(['P:promise', 'X:promise'])
  })
})
