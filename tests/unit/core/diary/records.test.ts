// Entries, answers, quorum arithmetic and the entry rules (evaluateEntry), each refusal by its code.
import { describe, expect, it } from 'vitest'
import { hashOf } from '../../../../src/core/codec/hash'
import { signEnvelope } from '../../../../src/core/codec/envelope'
import {
  checkMemberSet, decide, entryHash, evaluateEntry, genesisHead, hasMajority, majorityImpossible, verifyAnswer,
  verifyEntrySignature, MAX_ACTIONS_PER_ENTRY, type MemberSet
} from '../../../../src/core/diary'
import { add, answer, digestOf, entryOn, extend, makeToy, node, provider, wire, type ToyAction } from './fixtures'

async function codeOf (p: Promise<unknown>): Promise<string> {
  try { await p } catch (e) { return (e as { code?: string }).code ?? String(e) }
  return 'resolved'
}

describe('entry', () => {
  it('hashes the canonical body and verifies its author signature', async () => {
    const toy = await makeToy()
    const e = await entryOn(toy, genesisHead(toy.genesis), toy.foil[0]!, [add(5)])
    expect(entryHash(e)).toBe(hashOf(e.body))
    expect(entryHash(e)).toBe(entryHash(e.body))
    const back = await verifyEntrySignature<ToyAction>(provider, wire(e))
    expect(back.body).toEqual(e.body)
  })

  it('refuses a tampered field (seq, prev, actions, attempt) with INVALID_SIGNATURE', async () => {
    const toy = await makeToy()
    const e = await entryOn(toy, genesisHead(toy.genesis), toy.foil[0]!, [add(5)])
    for (const tamper of [
      (x: typeof e) => { x.body.seq = 2 },
      (x: typeof e) => { x.body.prev = x.body.prev.replace(/^./, c => (c === 'A' ? 'B' : 'A')) },
      (x: typeof e) => { (x.body.actions[0] as { n: number }).n = 6 },
      (x: typeof e) => { x.body.attempt = 1 }
    ]) {
      const t = wire(e); tamper(t)
      expect(await codeOf(verifyEntrySignature(provider, t))).toBe('INVALID_SIGNATURE')
    }
  })

  it('refuses an entry signed by another node than its author (AUTHOR_MISMATCH)', async () => {
    const toy = await makeToy()
    const e = await entryOn(toy, genesisHead(toy.genesis), toy.foil[0]!, [add(5)])
    const forged = await signEnvelope(provider, toy.stock[0]!.secret, 'diary.entry', e.body)
    expect(await codeOf(verifyEntrySignature(provider, forged))).toBe('AUTHOR_MISMATCH')
  })

  it('refuses unknown fields, too many actions and the wrong envelope type (MALFORMED / WRONG_TYPE)', async () => {
    const toy = await makeToy()
    const f = toy.foil[0]!
    const head = genesisHead(toy.genesis)
    const extra = await signEnvelope(provider, f.secret, 'diary.entry', { ...(await entryOn(toy, head, f, [])).body, note: 'x' })
    expect(await codeOf(verifyEntrySignature(provider, extra))).toBe('MALFORMED')
    const many = await entryOn(toy, head, f, Array.from({ length: MAX_ACTIONS_PER_ENTRY + 1 }, () => add(0)))
    expect(await codeOf(verifyEntrySignature(provider, many))).toBe('MALFORMED')
    const asAnswer = await signEnvelope(provider, f.secret, 'diary.answer', (await entryOn(toy, head, f, [])).body)
    expect(await codeOf(verifyEntrySignature(provider, asAnswer))).toBe('WRONG_TYPE')
  })
})

describe('answer', () => {
  it('round-trips each verdict and refuses a tampered one', async () => {
    const toy = await makeToy()
    const e = await entryOn(toy, genesisHead(toy.genesis), toy.foil[0]!, [add(5)])
    for (const v of ['approve', 'conflict', 'reject', 'stale'] as const) {
      const a = await answer(toy.stock[0]!, e, v)
      expect((await verifyAnswer(provider, wire(a))).body.verdict).toBe(v)
    }
    const a = wire(await answer(toy.stock[0]!, e, 'reject'))
    ;(a.body as { verdict: string }).verdict = 'approve'
    expect(await codeOf(verifyAnswer(provider, a))).toBe('INVALID_SIGNATURE')
    const b = await signEnvelope(provider, toy.stock[0]!.secret, 'diary.answer', { tally: 't', seq: 1, entry: entryHash(e), verdict: 'conflict' })
    expect(await codeOf(verifyAnswer(provider, b))).toBe('MALFORMED') // a conflict must name the entry it reserved
  })
})

describe('quorum', () => {
  const m = (k: string, weight = 1): { key: string, weight: number } => ({ key: k.padEnd(43, 'A'), weight })
  it('needs a strict majority of weight', () => {
    const two = [m('a'), m('b')]
    expect(hasMajority(two, new Set([m('a').key]))).toBe(false)
    expect(hasMajority(two, new Set([m('a').key, m('b').key]))).toBe(true)
    const three = [m('a'), m('b'), m('c')]
    expect(hasMajority(three, new Set([m('a').key, m('c').key]))).toBe(true)
    const weighted = [m('a', 3), m('b'), m('c')]
    expect(hasMajority(weighted, new Set([m('a').key]))).toBe(true)
    expect(hasMajority(weighted, new Set([m('b').key, m('c').key]))).toBe(false)
  })

  it('counts a refusal of half the weight as fatal (no strict majority left)', () => {
    const two = [m('a'), m('b')]
    expect(majorityImpossible(two, new Set([m('a').key]))).toBe(true)
    const three = [m('a'), m('b'), m('c')]
    expect(majorityImpossible(three, new Set([m('a').key]))).toBe(false)
    const set: MemberSet = { stock: [m('s')], foil: three }
    expect(decide(set, ['stock', 'foil'], new Set([m('s').key, m('a').key]), new Set())).toEqual({ certified: false, dead: false })
    expect(decide(set, ['stock'], new Set([m('s').key]), new Set())).toEqual({ certified: true, dead: false })
  })

  it('refuses unusable member sets (INVALID_MEMBER_SET)', () => {
    const bad: MemberSet[] = [
      { stock: [], foil: [m('a')] },
      { stock: [m('a', 0)], foil: [m('b')] },
      { stock: [m('a', 1.5)], foil: [m('b')] },
      { stock: [m('a')], foil: [m('a')] },
      { stock: [{ key: 'short', weight: 1 }], foil: [m('b')] }
    ]
    for (const s of bad) expect(() => checkMemberSet(s)).toThrow(expect.objectContaining({ code: 'INVALID_MEMBER_SET' }))
  })
})

describe('entry rules against the head (evaluateEntry)', () => {
  it('applies the actions and records refused ones without changing the state', async () => {
    const toy = await makeToy({ limit: 10 })
    const head = genesisHead(toy.genesis)
    const e = await entryOn(toy, head, toy.foil[0]!, [add(4, 'x'), add(20, 'big'), add(4, 'x'), add(-3, 'y')])
    expect(e.body.refused).toEqual([{ index: 1, code: 'OVER_LIMIT' }, { index: 2, code: 'DUPLICATE' }])
    const ev = await evaluateEntry(toy.ctx, head, e)
    expect(ev.state.count).toBe(1)
    expect(ev.state.seen).toEqual(['x', 'big', 'y']) // the refused action's id (its chain key) counts as used
    expect(ev.parties).toEqual(['stock', 'foil'])
  })

  it('names each refusal', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const f = toy.foil[0]!
    const { head } = await extend(toy, g, [add(1)])
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['WRONG_TALLY', async () => evaluateEntry(toy.ctx, g, await entryOn(toy, g, f, [], { tally: 'other' }))],
      ['DUPLICATE_SEQ', async () => evaluateEntry(toy.ctx, head, await entryOn(toy, g, f, []))],
      ['SEQ_GAP', async () => evaluateEntry(toy.ctx, g, await entryOn(toy, head, f, []))],
      ['WRONG_PREVIOUS_HASH', async () => evaluateEntry(toy.ctx, head, await entryOn(toy, head, f, [], { prev: g.hash }))],
      ['NOT_A_MEMBER', async () => evaluateEntry(toy.ctx, g, await entryOn(toy, g, await node('stranger'), []))],
      ['CHECKPOINT_MISMATCH', async () => evaluateEntry(toy.ctx, head, await entryOn(toy, head, f, [], { checkpoint: await digestOf(g.state) }))],
      ['REFUSAL_MISMATCH', async () => evaluateEntry(toy.ctx, g, await entryOn(toy, g, f, [add(1)], { refused: [{ index: 0, code: 'OVER_LIMIT' }] }))],
      ['REFUSAL_MISMATCH', async () => evaluateEntry(toy.ctx, g, await entryOn(toy, g, f, [add(5000)], { refused: [] }))],
      ['MALFORMED', async () => evaluateEntry(toy.ctx, g, await entryOn(toy, g, f, [], { actions: [{ type: 'explode', id: 'boom' }] }))]
    ]
    for (const [code, p] of cases) expect(await codeOf(p()), code).toBe(code)
  })

  it('accepts a checkpoint naming the digest of the state it builds on', async () => {
    const toy = await makeToy()
    const { head } = await extend(toy, genesisHead(toy.genesis), [add(1)])
    const e = await entryOn(toy, head, toy.foil[0]!, [add(2)], { checkpoint: await digestOf(head.state) })
    expect((await evaluateEntry(toy.ctx, head, e)).state.count).toBe(3)
  })

  it('relaxes the quorum for a valid re-seat and refuses a relaxed entry with a refused action (RELAXED_QUORUM_REFUSED)', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const newFoil = [{ key: (await node('new-foil')).key, weight: 1 }]
    const ok = await entryOn(toy, g, toy.stock[0]!, [{ type: 'reseat', id: 'r1', party: 'foil', members: newFoil, token: 'foil-key-1' }])
    const ev = await evaluateEntry(toy.ctx, g, ok)
    expect(ev.parties).toEqual(['stock'])
    expect(ev.state.members.foil).toEqual(newFoil)
    const bad = await entryOn(toy, g, toy.stock[0]!, [{ type: 'reseat', id: 'r1', party: 'foil', members: newFoil, token: 'stolen' }])
    expect(bad.body.refused).toEqual([{ index: 0, code: 'BAD_CHAIN_KEY' }])
    expect(await codeOf(evaluateEntry(toy.ctx, g, bad))).toBe('RELAXED_QUORUM_REFUSED')
  })
})
