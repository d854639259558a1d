// Certificates (round 0: the fast quorum of each party; a recovery round: a strict majority, all approvals of
// one round) and release proofs (only on proof: sticky refusals or a certificate for another entry).
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
  it('verifies a recovery-round certificate with a strict majority of each party and yields the next state', async () => {
    const toy = await makeToy({ stock: 3, foil: 3 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(7)])
    const r1 = { n: 1, by: toy.stock[0]!.key }
    const cert = await certify(toy, e, [toy.stock[0]!, toy.stock[2]!, toy.foil[1]!, toy.foil[2]!], r1)
    const { evaluation } = await verifyCertificate(toy.ctx, g, wire(cert))
    expect(evaluation.state.count).toBe(7)
    // The same majority in round 0 is no certificate: round 0 needs the fast quorum (all of 3).
    expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[0]!, toy.stock[2]!, toy.foil[1]!, toy.foil[2]!])))).toBe('NO_QUORUM')
    await verifyCertificate(toy.ctx, g, await certify(toy, e, toy.all))
  })

  it('round 0 needs the fast quorum: 2f + c > 2W per party (3 of 4, 4 of 5, 5 of 7 by weight)', async () => {
    for (const [n, fast] of [[4, 3], [5, 4], [7, 6]] as const) {
      const toy = await makeToy({ stock: 1, foil: n, tally: `fast-${n}` })
      const g = genesisHead(toy.genesis)
      const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
      await verifyCertificate(toy.ctx, g, await certify(toy, e, [...toy.stock, ...toy.foil.slice(0, fast)]))
      expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [...toy.stock, ...toy.foil.slice(0, fast - 1)])))).toBe('NO_QUORUM')
      // A recovery round needs a strict majority only.
      const r = { n: 2, by: toy.foil[0]!.key }
      await verifyCertificate(toy.ctx, g, await certify(toy, e, [...toy.stock, ...toy.foil.slice(0, Math.floor(n / 2) + 1)], r))
      expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [...toy.stock, ...toy.foil.slice(0, Math.floor(n / 2))], r)))).toBe('NO_QUORUM')
    }
  })

  it('refuses approvals of different rounds in one certificate (ANSWER_MISMATCH) and a round owned by a non-member', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const r1 = { n: 1, by: toy.foil[0]!.key }
    const r2 = { n: 1, by: toy.foil[1]!.key }
    const mixed = makeCertificate(e, [await answer(toy.stock[0]!, e, 'approve', r1), await answer(toy.foil[0]!, e, 'approve', r1), await answer(toy.foil[1]!, e, 'approve', r2)])
    expect(await codeOf(verifyCertificate(toy.ctx, g, mixed))).toBe('ANSWER_MISMATCH')
    const withZero = makeCertificate(e, [await answer(toy.stock[0]!, e, 'approve', r1), await answer(toy.foil[0]!, e, 'approve', r1), await answer(toy.foil[1]!, e)])
    expect(await codeOf(verifyCertificate(toy.ctx, g, withZero))).toBe('ANSWER_MISMATCH')
    const outsider = { n: 1, by: (await node('outsider')).key }
    expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[0]!, toy.foil[0]!, toy.foil[1]!], outsider)))).toBe('NOT_A_MEMBER')
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
    const r = { n: 1, by: toy.foil[0]!.key }
    await verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[0]!, toy.foil[0]!], r))
    expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[1]!, toy.stock[2]!, toy.foil[0]!], r)))).toBe('NO_QUORUM')
    // Round 0, W = 5: c = 3, fast f = 4: s0 (3) + s1 (1) is fast; s0 alone is a majority but not fast.
    await verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[0]!, toy.stock[1]!, toy.foil[0]!]))
    expect(await codeOf(verifyCertificate(toy.ctx, g, await certify(toy, e, [toy.stock[0]!, toy.foil[0]!])))).toBe('NO_QUORUM')
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
  it('releases on STICKY refusals (reject, stale) weighing half a party: no majority in any round is left', async () => {
    const toy = await makeToy({ stock: 2, foil: 3 })
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const proof = { entry: e, refusals: [await answer(toy.stock[1]!, e, 'reject')] }
    expect((await verifyReleaseProof(toy.ctx, g, wire(proof))).refusals).toHaveLength(1)
    // A conflict is about ordering in one round: its signer may approve the entry in a recovery round.
    expect(await codeOf(verifyReleaseProof(toy.ctx, g, { entry: e, refusals: [await answer(toy.stock[1]!, e, 'conflict')] }))).toBe('RELEASE_WITHOUT_PROOF')
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
    await verifyReleaseProof(toy.ctx, g, { entry: reseat, refusals: [await answer(toy.stock[1]!, reseat, 'stale')] })
  })
})
