// The member state machine: what it persists before answering, what it answers, and what it refuses.
import { describe, expect, it } from 'vitest'
import {
  answerKey, entryHash, genesisHead, initialDurable, memberStep, restoreMember, signPromise,
  type Entry, type MemberContext, type MemberReply, type MemberState, type MemberStep, type Round, type RoundPromise
} from '../../../../src/core/diary'
import { add, answer, certify, entryOn, extend, makeToy, node, wire, type TestNode, type Toy, type ToyAction, type ToyState } from './fixtures'

type Step = MemberStep<ToyState, ToyAction>

function memberOf (toy: Toy, n: TestNode): { ctx: MemberContext<ToyState, ToyAction>, state: MemberState<ToyState, ToyAction> } {
  const ctx = { ...toy.ctx, identity: { secret: n.secret, key: n.key } }
  return { ctx, state: restoreMember(toy.ctx, initialDurable(genesisHead(toy.genesis))) }
}

function answerOf (r: MemberReply<ToyAction>): { verdict: string, code?: string, reserved?: string } {
  if (r.type !== 'answer') throw new Error(`expected an answer, got ${r.type}${r.type === 'error' ? ` ${r.error.code}` : ''}`)
  const b = r.answer.body
  return { verdict: b.verdict, ...(b.verdict === 'reject' ? { code: b.reason.code } : {}), ...(b.verdict === 'conflict' ? { reserved: b.reserved } : {}) }
}

function errorOf (s: Step): string {
  if (s.reply.type !== 'error') throw new Error(`expected an error, got ${s.reply.type}`)
  return s.reply.error.code
}

describe('member', () => {
  it('persists the reservation before the approval (the write carries both) and repeats its answer verbatim', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const e = await entryOn(toy, genesisHead(toy.genesis), toy.foil[0]!, [add(1)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: wire(e) })
    expect(answerOf(s1.reply).verdict).toBe('approve')
    expect(s1.write?.durable.reservation?.hash).toBe(entryHash(e))
    expect(s1.write?.durable.answers[entryHash(e)]).toEqual((s1.reply as { answer: unknown }).answer)
    const s2 = await memberStep(ctx, s1.state, { type: 'propose', entry: wire(e) })
    expect(s2.write).toBeUndefined()
    expect(s2.reply).toEqual(s1.reply)
  })

  it('never approves two entries for one seq: the second gets a persisted conflict naming the first', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const e1 = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const e2 = await entryOn(toy, g, toy.foil[1]!, [add(2)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: e1 })
    const s2 = await memberStep(ctx, s1.state, { type: 'propose', entry: e2 })
    expect(answerOf(s2.reply)).toEqual({ verdict: 'conflict', reserved: entryHash(e1) })
    expect(s2.write?.durable.reservation?.hash).toBe(entryHash(e1))
    expect(s2.write?.durable.answers[entryHash(e2)]?.body.verdict).toBe('conflict')
  })

  it('never turns a refusal into an approval, even after the reservation is released and after a crash', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const e1 = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const e2 = await entryOn(toy, g, toy.foil[1]!, [add(2)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: e1 })
    const s2 = await memberStep(ctx, s1.state, { type: 'propose', entry: e2 })
    const proof = { entry: e1, refusals: [await answer(toy.stock[1]!, e1, 'reject')] }
    const s3 = await memberStep(ctx, s2.state, { type: 'release', proof })
    expect(s3.reply).toEqual({ type: 'released', entry: entryHash(e1), held: true })
    expect(s3.write?.durable.reservation).toBeUndefined()
    // Crash: only what was written survives.
    const restarted = restoreMember(toy.ctx, s3.write!.durable)
    const s4 = await memberStep(ctx, restarted, { type: 'propose', entry: e2 })
    expect(answerOf(s4.reply).verdict).toBe('conflict')
    expect(s4.write).toBeUndefined()
    // A fresh entry is approvable now that the first is provably dead.
    const e3 = await entryOn(toy, g, toy.foil[1]!, [add(3)])
    const s5 = await memberStep(ctx, s4.state, { type: 'propose', entry: e3 })
    expect(answerOf(s5.reply).verdict).toBe('approve')
  })

  it('keeps its reservation after a crash and answers the same', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const e1 = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: e1 })
    const restarted = restoreMember(toy.ctx, s1.write!.durable)
    const e2 = await entryOn(toy, g, toy.foil[1]!, [add(2)])
    expect(answerOf((await memberStep(ctx, restarted, { type: 'propose', entry: e2 })).reply).verdict).toBe('conflict')
  })

  it('refuses a release without proof and keeps the reservation (RELEASE_WITHOUT_PROOF)', async () => {
    const toy = await makeToy({ stock: 3, foil: 3 })
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const e1 = await entryOn(toy, genesisHead(toy.genesis), toy.foil[0]!, [add(1)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: e1 })
    const s2 = await memberStep(ctx, s1.state, { type: 'release', proof: { entry: e1, refusals: [await answer(toy.stock[1]!, e1, 'conflict'), await answer(toy.stock[2]!, e1, 'conflict')] } })
    expect(errorOf(s2)).toBe('RELEASE_WITHOUT_PROOF') // conflicts are not sticky
    expect(s2.write).toBeUndefined()
    expect(s2.state.durable.reservation?.hash).toBe(entryHash(e1))
  })

  it('signs named rejects for invalid entries (wrong previous hash, non-member author, over-limit is not one)', async () => {
    const toy = await makeToy({ limit: 5 })
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const wrongPrev = await entryOn(toy, g, toy.foil[0]!, [add(1)], { prev: entryHash(await entryOn(toy, g, toy.foil[0]!, [])) })
    expect(answerOf((await memberStep(ctx, state, { type: 'propose', entry: wrongPrev })).reply)).toEqual({ verdict: 'reject', code: 'WRONG_PREVIOUS_HASH' })
    const outsider = await entryOn(toy, g, await node('outsider'), [add(1)])
    const s = await memberStep(ctx, state, { type: 'propose', entry: outsider })
    expect(answerOf(s.reply)).toEqual({ verdict: 'reject', code: 'NOT_A_MEMBER' })
    expect(s.write).toBeUndefined() // deterministic on the certified head: nothing to store
    // A refused action is not a rejected entry: it is approved and recorded with its refusal.
    const over = await entryOn(toy, g, toy.foil[0]!, [add(50)])
    expect(answerOf((await memberStep(ctx, state, { type: 'propose', entry: over })).reply).verdict).toBe('approve')
  })

  it('answers an entry with a bad signature with an unsigned error (INVALID_SIGNATURE), not a signed answer', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const e = wire(await entryOn(toy, genesisHead(toy.genesis), toy.foil[0]!, [add(1)]))
    ;(e.body.actions[0] as { n: number }).n = 2
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: e }))).toBe('INVALID_SIGNATURE')
    const other = wire(await entryOn(toy, genesisHead(toy.genesis), toy.foil[0]!, [add(1)], { tally: 'other-tally' }))
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: other }))).toBe('WRONG_TALLY')
  })

  it('applies a certificate in one write (head, certificate, reservation dropped) and answers old seqs from the head', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const mine = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: mine })
    const { cert, head } = await extend(toy, g, [add(9)], toy.stock[1]!)
    const s2 = await memberStep(ctx, s1.state, { type: 'certificate', certificate: wire(cert) })
    expect(s2.reply).toEqual({ type: 'applied', head: { seq: 1, hash: head.hash } })
    expect(s2.write?.certificate).toEqual(cert)
    expect(s2.write?.durable).toEqual({ head, answers: {} })
    // duplicate seq: the certified entry → 'certified'; another entry at that seq → a signed stale answer
    expect((await memberStep(ctx, s2.state, { type: 'propose', entry: cert.entry })).reply).toEqual({ type: 'certified', seq: 1 })
    expect(answerOf((await memberStep(ctx, s2.state, { type: 'propose', entry: mine })).reply).verdict).toBe('stale')
    // the same certificate again: no write
    expect((await memberStep(ctx, s2.state, { type: 'certificate', certificate: cert })).write).toBeUndefined()
    // an entry two ahead: behind, not a refusal
    const { head: h2 } = await extend(toy, head, [add(1)])
    const ahead = await entryOn(toy, h2, toy.foil[0]!, [add(1)])
    expect((await memberStep(ctx, s2.state, { type: 'propose', entry: ahead })).reply).toEqual({ type: 'behind', head: { seq: 1, hash: head.hash } })
  })

  it('detects a second certificate for its head seq (FORK_DETECTED) and refuses an invalid certificate', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const { cert } = await extend(toy, g, [add(1)])
    const s1 = await memberStep(ctx, state, { type: 'certificate', certificate: cert })
    const { cert: other } = await extend(toy, g, [add(2)])
    expect(errorOf(await memberStep(ctx, s1.state, { type: 'certificate', certificate: other }))).toBe('FORK_DETECTED')
    const weak = await certify(toy, await entryOn(toy, g, toy.foil[0]!, [add(3)]), [toy.stock[0]!, toy.foil[0]!])
    expect(errorOf(await memberStep(ctx, state, { type: 'certificate', certificate: weak }))).toBe('NO_QUORUM')
  })

  it('answers queries for pending entries (its reservation survives a crash) and for certified seqs', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: e })
    const q = await memberStep(ctx, restoreMember(toy.ctx, s1.write!.durable), { type: 'query', seq: 1 })
    if (q.reply.type !== 'pending') throw new Error(q.reply.type)
    expect(q.reply.view.entries.map(x => entryHash(x))).toEqual([entryHash(e)])
    expect(q.reply.view.answers.map(a => a.signer)).toEqual([toy.stock[0]!.key])
    expect((await memberStep(ctx, s1.state, { type: 'query', seq: 0 })).reply).toEqual({ type: 'certified', seq: 0 })
    expect((await memberStep(ctx, s1.state, { type: 'query', seq: 3 })).reply.type).toBe('behind')
  })

  it('partial sync: swapped approvals certify only with a quorum of each party', async () => {
    const toy = await makeToy({ stock: 2, foil: 3 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const a = memberOf(toy, toy.foil[0]!)
    const b = memberOf(toy, toy.foil[1]!)
    const sa = await memberStep(a.ctx, a.state, { type: 'propose', entry: e })
    const sb = await memberStep(b.ctx, b.state, { type: 'propose', entry: e })
    // Two foil devices that only reach each other: a foil majority, but no stock approval: not final.
    const qa = await memberStep(a.ctx, sa.state, { type: 'query', seq: 1 })
    const swap = await memberStep(b.ctx, sb.state, { type: 'share', view: wire((qa.reply as { view: unknown }).view) })
    expect(swap.write).toBeUndefined()
    expect(swap.state.durable.head.seq).toBe(0)
    if (swap.reply.type !== 'pending') throw new Error(swap.reply.type)
    expect(swap.reply.view.answers).toHaveLength(2)
    // Both stock approvals carried over too: a strict majority of each party, but round 0 needs the fast quorum.
    const stockApprovals = await Promise.all(toy.stock.map(s => answer(s, e)))
    const more = await memberStep(b.ctx, swap.state, { type: 'share', view: { seq: 1, entries: [], answers: wire(stockApprovals) } })
    expect(more.write).toBeUndefined()
    // With the third foil approval, the pool holds a round-0 certificate: it is verified and applied.
    const done = await memberStep(b.ctx, more.state, { type: 'share', view: { seq: 1, entries: [], answers: wire([await answer(toy.foil[2]!, e)]) } })
    expect(done.write?.certificate?.approvals).toHaveLength(5)
    expect(done.state.durable.head.seq).toBe(1)
  })

  it('partial sync: swapped refusals release a reservation only with a proof', async () => {
    const toy = await makeToy({ stock: 2, foil: 2 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const m = memberOf(toy, toy.stock[0]!)
    const s1 = await memberStep(m.ctx, m.state, { type: 'propose', entry: e })
    // A conflict proves nothing any more (its signer may approve e in a recovery round): the reservation stays.
    const kept = await memberStep(m.ctx, s1.state, { type: 'share', view: { seq: 1, entries: [e], answers: [await answer(toy.foil[1]!, e, 'conflict')] } })
    expect(kept.write).toBeUndefined()
    expect(kept.state.durable.reservation?.hash).toBe(entryHash(e))
    // A sticky refusal (reject) weighing half a party does.
    const share = await memberStep(m.ctx, kept.state, { type: 'share', view: { seq: 1, entries: [e], answers: [await answer(toy.foil[1]!, e, 'reject')] } })
    expect(share.write?.durable.reservation).toBeUndefined()
    expect(share.state.durable.head.seq).toBe(0)
  })
})

async function promiseOf (toy: Toy, n: TestNode, round: Round, vote?: { entry: Entry<ToyAction>, round?: Round }): Promise<RoundPromise> {
  return await signPromise(toy.ctx.provider, n.secret, {
    tally: toy.ctx.tally, seq: 1, round, ...(vote !== undefined ? { vote: { entry: entryHash(vote.entry), ...(vote.round !== undefined ? { round: vote.round } : {}) } } : {})
  })
}

describe('member: recovery rounds', () => {
  it('prepare: persists the promised round before the promise, which reports its latest vote; lower rounds are outranked', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const [f0, f1] = toy.foil as [TestNode, TestNode]
    const { ctx, state } = memberOf(toy, f1)
    const g = genesisHead(toy.genesis)
    const e1 = await entryOn(toy, g, f0, [add(1)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: e1 })
    const r2 = { n: 2, by: f0.key }
    const p = await memberStep(ctx, s1.state, { type: 'prepare', seq: 1, round: r2 })
    expect(p.write?.durable.promised).toEqual(r2)
    if (p.reply.type !== 'promise') throw new Error(p.reply.type)
    expect(p.reply.promise.body).toEqual({ tally: toy.ctx.tally, seq: 1, round: r2, vote: { entry: entryHash(e1) } })
    expect(p.reply.entry).toEqual(e1)
    // The same round again: the same promise, nothing new to persist.
    const again = await memberStep(ctx, p.state, { type: 'prepare', seq: 1, round: r2 })
    expect(again.write).toBeUndefined()
    expect(again.reply).toEqual(p.reply)
    // After a crash, lower rounds (round 0 included) are outranked, unsigned: no vote is given.
    const restarted = restoreMember(toy.ctx, p.write!.durable)
    expect((await memberStep(ctx, restarted, { type: 'prepare', seq: 1, round: { n: 1, by: f1.key } })).reply).toEqual({ type: 'outranked', seq: 1, promised: r2 })
    const e2 = await entryOn(toy, g, f0, [add(2)])
    expect((await memberStep(ctx, restarted, { type: 'propose', entry: e2 })).reply).toEqual({ type: 'outranked', seq: 1, promised: r2 })
    // Its round-0 answer to e1 is repeated verbatim (the vote exists), never a new one.
    expect((await memberStep(ctx, restarted, { type: 'propose', entry: e1 })).reply).toEqual(s1.reply)
    expect((await memberStep(ctx, restarted, { type: 'prepare', seq: 0, round: r2 })).reply.type).toBe('error')
    expect((await memberStep(ctx, restarted, { type: 'prepare', seq: 3, round: r2 })).reply.type).toBe('behind')
    expect(errorOf(await memberStep(ctx, restarted, { type: 'prepare', seq: 1, round: { n: 0, by: f0.key } }))).toBe('MALFORMED')
  })

  it('phase 2: a conflict is not sticky, the member approves the justified entry in the recovery round; a reject is', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const [s0] = toy.stock as [TestNode]
    const [f0, f1, f2] = toy.foil as [TestNode, TestNode, TestNode]
    const { ctx, state } = memberOf(toy, f1)
    const g = genesisHead(toy.genesis)
    const e1 = await entryOn(toy, g, f0, [add(1)])
    const e2 = await entryOn(toy, g, f2, [add(2)])
    const s1 = await memberStep(ctx, state, { type: 'propose', entry: e1 })
    const s2 = await memberStep(ctx, s1.state, { type: 'propose', entry: e2 })
    expect(answerOf(s2.reply).verdict).toBe('conflict')
    // Recovery by f2: f1 and s0 voted e1, f2 voted e2 in round 0; f0 is outside. Neither could have had all three: free.
    const r = { n: 1, by: f2.key }
    const promises = [await promiseOf(toy, f1, r, { entry: e1 }), await promiseOf(toy, f2, r, { entry: e2 }), await promiseOf(toy, s0, r, { entry: e1 })]
    const s3 = await memberStep(ctx, s2.state, { type: 'propose', entry: e2, round: r, promises, votes: [e1, e2] })
    expect(answerOf(s3.reply).verdict).toBe('approve')
    expect((s3.reply as { answer: { body: { round?: Round } } }).answer.body.round).toEqual(r)
    expect(s3.write?.durable.reservation).toMatchObject({ hash: entryHash(e2), round: r })
    expect(s3.write?.durable.promised).toEqual(r)
    expect(s3.write?.durable.answers[answerKey(entryHash(e2), r)]?.body.verdict).toBe('approve')
    expect(s3.write?.durable.answers[entryHash(e2)]?.body.verdict).toBe('conflict') // round 0's answer unchanged
    // A later promise reports the recovery-round vote.
    const p = await memberStep(ctx, s3.state, { type: 'prepare', seq: 1, round: { n: 2, by: s0.key } })
    expect((p.reply as { promise: RoundPromise }).promise.body.vote).toEqual({ entry: entryHash(e2), round: r })
    // An entry that breaks a rule is rejected in every round (sticky), promises or not.
    const bad = await entryOn(toy, g, await node('not-a-member'), [add(3)])
    const r3 = { n: 3, by: f2.key }
    const free = [await promiseOf(toy, f1, r3), await promiseOf(toy, f2, r3), await promiseOf(toy, s0, r3)]
    expect(answerOf((await memberStep(ctx, p.state, { type: 'propose', entry: bad, round: r3, promises: free, votes: [] })).reply)).toEqual({ verdict: 'reject', code: 'NOT_A_MEMBER' })
  })

  it('phase 2: refuses a choice the promises do not justify (INVALID_RECOVERY_CHOICE)', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const [s0] = toy.stock as [TestNode]
    const [f0, f1, f2] = toy.foil as [TestNode, TestNode, TestNode]
    const { ctx, state } = memberOf(toy, f0)
    const g = genesisHead(toy.genesis)
    const e1 = await entryOn(toy, g, f1, [add(1)])
    const e2 = await entryOn(toy, g, f2, [add(2)])
    const r = { n: 1, by: f2.key }
    // f1, f2 and s0 report e1 in round 0, f0 (outside) may have too: e1 may be certified, so e1 is imposed.
    const forcing = [await promiseOf(toy, f1, r, { entry: e1 }), await promiseOf(toy, f2, r, { entry: e1 }), await promiseOf(toy, s0, r, { entry: e1 })]
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: e2, round: r, promises: forcing, votes: [e1] }))).toBe('INVALID_RECOVERY_CHOICE')
    expect(answerOf((await memberStep(ctx, state, { type: 'propose', entry: e1, round: r, promises: forcing, votes: [e1] })).reply).verdict).toBe('approve')
    // The entry a vote names must come with the request.
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: e2, round: r, promises: forcing, votes: [] }))).toBe('INVALID_RECOVERY_CHOICE')
    // The highest recovery round's vote is imposed over round-0 votes.
    const r2 = { n: 2, by: f2.key }
    const higher = [await promiseOf(toy, f1, r2, { entry: e1 }), await promiseOf(toy, f2, r2, { entry: e2, round: r }), await promiseOf(toy, s0, r2, { entry: e1 })]
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: e1, round: r2, promises: higher, votes: [e1, e2] }))).toBe('INVALID_RECOVERY_CHOICE')
    // Too few promises (one foil of three), promises for another round, a promise from a non-member.
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: e2, round: r, promises: [forcing[0], forcing[2]], votes: [e1] }))).toBe('INVALID_RECOVERY_CHOICE')
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: e1, round: r2, promises: forcing, votes: [e1] }))).toBe('INVALID_RECOVERY_CHOICE')
    const outsider = await promiseOf(toy, await node('promise-outsider'), r)
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: e1, round: r, promises: [...forcing, outsider], votes: [e1] }))).toBe('NOT_A_MEMBER')
  })

  it('a re-seat may recover with promises from the partner alone; any other entry needs both parties', async () => {
    const toy = await makeToy({ stock: 3, foil: 3 })
    const [s0, s1, s2] = toy.stock as [TestNode, TestNode, TestNode]
    const { ctx, state } = memberOf(toy, s1)
    const g = genesisHead(toy.genesis)
    const reseat = await entryOn(toy, g, s0, [{ type: 'reseat', id: 'rs', party: 'foil', members: [{ key: (await node('new-foil')).key, weight: 1 }], token: 'foil-key-1' }])
    const r = { n: 1, by: s0.key }
    const stockOnly = [await promiseOf(toy, s0, r), await promiseOf(toy, s2, r)]
    expect(answerOf((await memberStep(ctx, state, { type: 'propose', entry: reseat, round: r, promises: stockOnly, votes: [] })).reply).verdict).toBe('approve')
    const plain = await entryOn(toy, g, s0, [add(1)])
    expect(errorOf(await memberStep(ctx, state, { type: 'propose', entry: plain, round: r, promises: stockOnly, votes: [] }))).toBe('INVALID_RECOVERY_CHOICE')
  })
})

describe('pending pool', () => {
  it('keeps only entries by members and answers by members; a merge skips what does not verify', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const { PendingPool } = await import('../../../../src/core/diary')
    const pool = new PendingPool(toy.ctx, g)
    const good = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const stranger = await node('pool-stranger')
    const foreign = await entryOn(toy, g, stranger, [add(1)])
    const tampered = wire(good); (tampered.body.actions[0] as { n: number }).n = 5
    const r = await pool.merge({
      seq: 1,
      entries: [good, foreign, tampered],
      answers: [await answer(toy.stock[0]!, good), await answer(stranger, good), { junk: true }]
    })
    expect(r).toEqual({ added: 2, skipped: 4 })
    expect(pool.hashes()).toEqual([entryHash(good)])
    expect(pool.answersFor(entryHash(good)).map(a => a.signer)).toEqual([toy.stock[0]!.key])
    expect(await pool.merge({ seq: 2, entries: [good], answers: [] })).toEqual({ added: 0, skipped: 1 })
    await expect(pool.merge({ seq: 1, entries: 'x', answers: [] })).rejects.toMatchObject({ code: 'MALFORMED' })
  })

  it('a member does not pool an entry by a non-member (rejects it, signed) and drops answers carried with it', async () => {
    const toy = await makeToy()
    const { ctx, state } = memberOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const foreign = await entryOn(toy, g, await node('pool-stranger-2'), [add(1)])
    const s = await memberStep(ctx, state, { type: 'propose', entry: foreign, answers: [await answer(toy.foil[0]!, foreign)] })
    expect(answerOf(s.reply)).toEqual({ verdict: 'reject', code: 'NOT_A_MEMBER' })
    expect(s.state.pool.hashes()).toEqual([])
    const q = await memberStep(ctx, s.state, { type: 'query', seq: 1 })
    if (q.reply.type !== 'pending') throw new Error(q.reply.type)
    expect(q.reply.view.entries).toEqual([])
  })
})
