// A whole lift with the core alone (research scenario 22): lading → plan → signed record → conditional
// chits (chit rules) → promises → referee → the decision action of the real tally machine on every leg.
// The node services do the same over the network (tests/unit/node/lifts).
import { describe, expect, it } from 'vitest'
import * as rules from '../../../../src/core/chit/rules'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { edgeLading } from '../../../../src/core/lift/lading'
import { liftChitId, linkNonce, refereeSecret, sessionSecret } from '../../../../src/core/lift/ids'
import { pickCircular, recordLegs } from '../../../../src/core/lift/plan'
import { signLiftPromise } from '../../../../src/core/lift/promise'
import { recordHash, signLiftRecord, verifyLiftRecord } from '../../../../src/core/lift/record'
import { refereeStep } from '../../../../src/core/lift/referee'
import { decisionOutcome } from '../../../../src/core/lift/fraud'
import type { LiftRecordBody, RouteHop } from '../../../../src/core/lift/types'
import type { TallyState } from '../../../../src/core/tally/state'
import { machine } from '../tally/fixtures'
import { NOW, p } from './fixtures'
import { tally } from './tally'

const SESSION = toBase64url(new Uint8Array(32).fill(42))

async function setup () {
  // A, B, C's nodes; each owes the next: t1 A→B 10000, t2 B→C 7000, t3 C→A 12000 (foil owes stock)
  const names = ['A', 'B', 'C'] as const
  const node = Object.fromEntries(await Promise.all(names.map(async (n, i) => {
    const secret = sessionSecret(new Uint8Array(32).fill(i + 1), SESSION)
    return [n, { secret, key: toBase64url(await p.publicKey(secret)) }]
  }))) as Record<'A' | 'B' | 'C', { secret: Uint8Array, key: string }>
  const refSecret = refereeSecret(new Uint8Array(32).fill(9))
  const ref = { secret: refSecret, key: toBase64url(await p.publicKey(refSecret)) }
  const tallies: TallyState[] = [
    tally({ id: 'tally-t1-0001', balance: 10000, limit: { stock: 20000 } }), // foil A, stock B
    tally({ id: 'tally-t2-0001', balance: 7000, limit: { stock: 20000 } }), // foil B, stock C
    tally({ id: 'tally-t3-0001', balance: 12000, limit: { stock: 20000 } }) // foil C, stock A
  ]
  // value flows toward the debtors: B gives to A on t1, A gives to C on t3, C gives to B on t2 — route A → C → B → A
  const route = [{ t: 2, giver: 'stock' as const, to: node.C.key }, { t: 1, giver: 'stock' as const, to: node.B.key }, { t: 0, giver: 'stock' as const, to: node.A.key }]
  const hops: RouteHop[] = route.map(r => ({ link: linkNonce(tallies[r.t]!.tally, SESSION), key: r.to, free: edgeLading(tallies[r.t]!, r.giver).free, clutch: 0 }))
  return { node, ref, tallies, route, hops }
}

describe('a circular lift with the core alone', () => {
  it('clears 7000 around A → C → B → A: good on every tally from one decision, nets unchanged', async () => {
    const { node, ref, tallies, route, hops } = await setup()
    const pick = pickCircular([{ hops }], 1000)!
    expect(pick.units).toBe(7000)
    const body: LiftRecordBody = {
      id: 'lift-lifecycle-0001', session: SESSION, kind: 'circular', origin: node.A.key,
      legs: recordLegs(pick.plan, pick.plan.hops.map(() => pick.units)),
      referees: [{ key: ref.key, peer: '12D3KooWRefereeNode000000000' }], expires: NOW + 120_000, created: NOW
    }
    const record = await signLiftRecord(p, node.A.secret, body)
    // every leg's giver gets its conditional chit certified; every receiver verifies the record, then promises
    const pending = [...tallies]
    const promises = []
    for (const [k, r] of route.entries()) {
      pending[r.t] = rules.lift(pending[r.t]!, r.giver, { op: 'lift', chit: liftChitId(body.id, k), lift: body.id, units: body.legs[k]!.units, referees: [ref.key], expires: body.expires })
      const seen = await verifyLiftRecord(p, record, { now: NOW + 10 })
      const receiver = [node.C, node.B, node.A][k]!
      expect(seen.legs[k]!.key).toBe(receiver.key)
      promises.push(await signLiftPromise(p, receiver.secret, { lift: body.id, record: recordHash(seen), leg: k, verdict: 'promise' }))
    }
    const { entry, answer } = await refereeStep(p, ref.secret, undefined, { v: 1, type: 'call', record, promises }, NOW + 50)
    expect(entry?.outcome).toBe('good')
    if (answer.status !== 'decided') throw new Error('not decided')
    expect(decisionOutcome([answer.decision], [ref.key])).toBe('good')
    const done = await Promise.all(pending.map(async s => (await machine.apply(s, { kind: 'decision', lift: body.id, decisions: [answer.decision] })).state))
    expect(done.map(s => s.balance)).toEqual([3000, 0, 5000])
    expect(done.every(s => Object.keys(s.pending).length === 0)).toBe(true)
    const net = (s: TallyState[]) => ({ A: -s[0]!.balance + s[2]!.balance, B: s[0]!.balance - s[1]!.balance, C: s[1]!.balance - s[2]!.balance })
    expect(net(done)).toEqual(net(tallies))
  })

  it('a refusal on the last leg voids every leg from one decision: capacity comes back, balances unchanged', async () => {
    const { node, ref, tallies, route, hops } = await setup()
    const pick = pickCircular([{ hops }], 1)!
    const body: LiftRecordBody = {
      id: 'lift-lifecycle-0002', session: SESSION, kind: 'circular', origin: node.A.key,
      legs: recordLegs(pick.plan, pick.plan.hops.map(() => pick.units)),
      referees: [{ key: ref.key, peer: '12D3KooWRefereeNode000000000' }], expires: NOW + 120_000, created: NOW
    }
    const record = await signLiftRecord(p, node.A.secret, body)
    const pending = [...tallies]
    for (const [k, r] of route.entries()) {
      pending[r.t] = rules.lift(pending[r.t]!, r.giver, { op: 'lift', chit: liftChitId(body.id, k), lift: body.id, units: pick.units, referees: [ref.key], expires: body.expires })
    }
    expect(pending.map(s => edgeLading(s, 'stock').free)).toEqual([3000, 0, 5000]) // held while pending
    const refusal = await signLiftPromise(p, node.A.secret, { lift: body.id, record: recordHash(body), leg: 2, verdict: 'refuse', reason: 'CHIT_NOT_CERTIFIED' })
    const { answer } = await refereeStep(p, ref.secret, undefined, { v: 1, type: 'refuse', record, refusal }, NOW + 50)
    if (answer.status !== 'decided') throw new Error('not decided')
    const done = await Promise.all(pending.map(async s => (await machine.apply(s, { kind: 'decision', lift: body.id, decisions: [answer.decision] })).state))
    expect(done.map(s => s.balance)).toEqual([10000, 7000, 12000])
    expect(done.map(s => edgeLading(s, 'stock').free)).toEqual([10000, 7000, 12000])
  })
})
