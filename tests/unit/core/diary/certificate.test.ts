// Certificates (a strict majority of each party's member weight) and release proofs (only on proof).
import { describe, expect, it } from 'vitest'
import {
  genesisHead, makeCertificate, verifyCertificate, verifyReleaseProof, type Certificate
} from '../../../../src/core/diary'
import { add, answer, certify, entryOn, extend, makeToy, node, wire, type ToyAction } from './fixtures'

async function codeOf (p: Promise<unknown>): Promise<string> {
  try { await p } catch (e) { return (e as { code?: string }).code ?? String(e) }
  return 'resolved'
}

describe('certificate', () => {
  it('verifies with a strict majority of each party and yields the next state', async () => {
    const toy = await makeToy({ stock: 3, foil: 3 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(7)])
    const cert = await certify(toy, e, [toy.stock[0]!, toy.stock[2]!, toy.foil[1]!, toy.foil[2]!])
    const { evaluation } = await verifyCertificate(toy.ctx, g, wire(cert))
    expect(evaluation.state.count).toBe(7)
  })

  it('refuses a certificate without a majority of one party (NO_QUORUM), whatever the other party holds', async () => {
    const toy = await makeToy({ stock: 2, foil: 3 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(7)])
    expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[0]!, ...toy.foil])))).toBe('NO_QUORUM')
    expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [...toy.stock, toy.foil[0]!])))).toBe('NO_QUORUM')
  })

  it('counts member weight, not heads', async () => {
    const toy = await makeToy({ stock: 3, foil: 1, tally: 'weighted', weights: { 'weighted-s0': 3 } })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    await verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[0]!, toy.foil[0]!]))
    expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[1]!, toy.stock[2]!, toy.foil[0]!])))).toBe('NO_QUORUM')
  })

  it('refuses an approval from a non-member (NOT_A_MEMBER)', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const cert = await certify(toy, e, [...toy.all, await node('outsider')])
    expect(await codeOf(verifyCertificate(toy.ctx, g, cert))).toBe('NOT_A_MEMBER')
  })

  it('refuses one member counted twice (DUPLICATE_ANSWER)', async () => {
    const toy = await makeToy({ stock: 3, foil: 1 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const a = await answer(toy.stock[0]!, e)
    const cert: Certificate<ToyAction> = { entry: e, approvals: [a, a, await answer(toy.foil[0]!, e)] }
    expect(await codeOf(verifyCertificate(toy.ctx, g, cert))).toBe('DUPLICATE_ANSWER')
  })

  it('refuses approvals of another entry and refusals passed off as approvals (ANSWER_MISMATCH)', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const other = await entryOn(toy, g, toy.foil[0]!, [add(2)])
    const mixed = makeCertificate(e, [...(await certify(toy, e, toy.all.slice(1))).approvals, await answer(toy.all[0]!, other)])
    expect(await codeOf(verifyCertificate(toy.ctx, g, mixed))).toBe('ANSWER_MISMATCH')
    const withRefusal = makeCertificate(e, [...(await certify(toy, e, toy.all.slice(1))).approvals, await answer(toy.all[0]!, e, 'conflict')])
    expect(await codeOf(verifyCertificate(toy.ctx, g, withRefusal))).toBe('ANSWER_MISMATCH')
  })

  it('refuses a tampered entry or approval (INVALID_SIGNATURE) and a certificate on the wrong head', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const { cert, head } = await extend(toy, g, [add(3)])
    const t1 = wire(cert); (t1.entry.body.actions[0] as { n: number }).n = 300
    expect(await codeOf(verifyCertificate(toy.ctx, g, t1))).toBe('INVALID_SIGNATURE')
    const t2 = wire(cert); t2.approvals[0]!.body.seq = 2
    expect(await codeOf(verifyCertificate(toy.ctx, g, t2))).toBe('INVALID_SIGNATURE')
    expect(await codeOf(verifyCertificate(toy.ctx, head, cert))).toBe('DUPLICATE_SEQ')
    expect(await codeOf(verifyCertificate(toy.ctx, g, { entry: cert.entry }))).toBe('MALFORMED')
  })
})

describe('release proof', () => {
  it('releases on refusals weighing half a party (the rest cannot make a strict majority)', async () => {
    const toy = await makeToy({ stock: 2, foil: 3 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const proof = { entry: e, refusals: [await answer(toy.stock[1]!, e, 'conflict')] }
    expect((await verifyReleaseProof(toy.ctx, g, wire(proof))).refusals).toHaveLength(1)
    const foilProof = { entry: e, refusals: [await answer(toy.foil[1]!, e, 'reject'), await answer(toy.foil[2]!, e, 'stale')] }
    await verifyReleaseProof(toy.ctx, g, foilProof)
  })

  it('refuses a release without proof (RELEASE_WITHOUT_PROOF)', async () => {
    const toy = await makeToy({ stock: 2, foil: 3 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    // One foil refusal of three leaves a foil majority possible; refusals spread across parties do not add up.
    expect(await codeOf(verifyReleaseProof(toy.ctx, g, { entry: e, refusals: [] }))).toBe('RELEASE_WITHOUT_PROOF')
    expect(await codeOf(verifyReleaseProof(toy.ctx, g, { entry: e, refusals: [await answer(toy.foil[1]!, e, 'conflict')] }))).toBe('RELEASE_WITHOUT_PROOF')
    // A certificate for the very entry is no proof of its death.
    const cert = await certify(toy, e, toy.all)
    expect(await codeOf(verifyReleaseProof(toy.ctx, g, { entry: e, refusals: [], certificate: cert }))).toBe('RELEASE_WITHOUT_PROOF')
    // Refusals from outsiders, approvals passed off as refusals, and refusals of another entry do not count.
    expect(await codeOf(verifyReleaseProof(toy.ctx, g, { entry: e, refusals: [await answer(await node('outsider'), e, 'conflict')] }))).toBe('NOT_A_MEMBER')
    expect(await codeOf(verifyReleaseProof(toy.ctx, g, { entry: e, refusals: [await answer(toy.stock[0]!, e, 'approve')] }))).toBe('ANSWER_MISMATCH')
    const other = await entryOn(toy, g, toy.foil[0]!, [add(2)])
    expect(await codeOf(verifyReleaseProof(toy.ctx, g, { entry: e, refusals: [await answer(toy.stock[0]!, other, 'conflict')] }))).toBe('ANSWER_MISMATCH')
  })

  it('releases on a certificate for another entry at that seq', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const winner = await certify(toy, await entryOn(toy, g, toy.stock[0]!, [add(2)]), toy.all)
    expect((await verifyReleaseProof(toy.ctx, g, { entry: e, refusals: [], certificate: winner })).certificate).toBeDefined()
  })

  it('judges a re-seat by the partner alone: foil refusals do not release it', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const reseat = await entryOn(toy, g, toy.stock[0]!, [{ type: 'reseat', id: 'r', party: 'foil', members: [{ key: (await node('nf')).key, weight: 1 }], token: 'foil-key-1' }])
    expect(await codeOf(verifyReleaseProof(toy.ctx, g, { entry: reseat, refusals: await Promise.all(toy.foil.map(f => answer(f, reseat, 'reject'))) }))).toBe('RELEASE_WITHOUT_PROOF')
    await verifyReleaseProof(toy.ctx, g, { entry: reseat, refusals: [await answer(toy.stock[1]!, reseat, 'conflict')] })
  })
})
