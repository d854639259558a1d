// The recovery proposer's choice rule (choice.ts): which entry a recovery round must re-propose, from the
// promises of a strict majority of each party; and the quorum arithmetic it relies on (quorum.ts).
import { describe, expect, it } from 'vitest'
import {
  checkPromises, chooseEntry, classicQuorumWeight, entryHash, fastQuorumWeight, genesisHead, signPromise,
  type Entry, type Round, type RoundPromise
} from '../../../../src/core/diary'
import { add, entryOn, makeToy, type TestNode, type Toy, type ToyAction } from './fixtures'

async function promise (toy: Toy, n: TestNode, round: Round, vote?: { entry: Entry<ToyAction>, round?: Round }): Promise<RoundPromise> {
  return await signPromise(toy.ctx.provider, n.secret, {
    tally: toy.ctx.tally, seq: 1, round, ...(vote !== undefined ? { vote: { entry: entryHash(vote.entry), ...(vote.round !== undefined ? { round: vote.round } : {}) } } : {})
  })
}

const byHash = (...es: Array<Entry<ToyAction>>): Map<string, Entry<ToyAction>> => new Map(es.map(e => [entryHash(e), e]))

describe('quorum arithmetic', () => {
  it('fast quorum f is the least with 2f + c > 2W, for every total weight up to 40', () => {
    for (let w = 1; w <= 40; w++) {
      const c = classicQuorumWeight(w)
      const f = fastQuorumWeight(w)
      expect(2 * c).toBeGreaterThan(w)
      expect(2 * (c - 1)).toBeLessThanOrEqual(w)
      expect(2 * f + c).toBeGreaterThan(2 * w)
      expect(2 * (f - 1) + c).toBeLessThanOrEqual(2 * w)
      expect(f).toBeLessThanOrEqual(w)
    }
    expect([1, 2, 3, 4, 5, 6, 7].map(fastQuorumWeight)).toEqual([1, 2, 3, 3, 4, 5, 6])
  })
})

describe('choice rule', () => {
  it('no votes, or votes that cannot have made a round-0 certificate: free', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const g = genesisHead(toy.genesis)
    const [s0] = toy.stock as [TestNode]
    const [f0, f1, f2] = toy.foil as [TestNode, TestNode, TestNode]
    const e1 = await entryOn(toy, g, f0, [add(1)])
    const e2 = await entryOn(toy, g, f1, [add(2)])
    const r = { n: 1, by: f2.key }
    expect(await chooseEntry(toy.ctx, g, [await promise(toy, s0, r), await promise(toy, f1, r), await promise(toy, f2, r)], new Map())).toBeUndefined()
    // f1: e1, f2: e2, f0 outside: neither had all three foil.
    const split = [await promise(toy, s0, r, { entry: e1 }), await promise(toy, f1, r, { entry: e1 }), await promise(toy, f2, r, { entry: e2 })]
    expect(await chooseEntry(toy.ctx, g, split, byHash(e1, e2))).toBeUndefined()
    // f1 and f2 both e1, f0 outside: e1 may have had all three: imposed.
    const both = [await promise(toy, s0, r, { entry: e1 }), await promise(toy, f1, r, { entry: e1 }), await promise(toy, f2, r, { entry: e1 })]
    expect(await chooseEntry(toy.ctx, g, both, byHash(e1))).toBe(entryHash(e1))
    // The stock's only member reported e2: e1 cannot have had the stock's fast quorum.
    const noStock = [await promise(toy, s0, r, { entry: e2 }), await promise(toy, f1, r, { entry: e1 }), await promise(toy, f2, r, { entry: e1 })]
    expect(await chooseEntry(toy.ctx, g, noStock, byHash(e1, e2))).toBeUndefined()
    // A round-0 vote whose entry is missing cannot be judged.
    await expect(chooseEntry(toy.ctx, g, both, new Map())).rejects.toMatchObject({ code: 'INVALID_RECOVERY_CHOICE' })
  })

  it('counts weight: members outside the promises could have approved, with their weight', async () => {
    // Foil weights 3, 1, 1 (W = 5, c = 3, f = 4).
    const toy = await makeToy({ stock: 1, foil: 3, tally: 'choice-w', weights: { 'choice-w-f0': 3 } })
    const g = genesisHead(toy.genesis)
    const [s0] = toy.stock as [TestNode]
    const [f0, f1, f2] = toy.foil as [TestNode, TestNode, TestNode]
    const e1 = await entryOn(toy, g, f1, [add(1)])
    const e2 = await entryOn(toy, g, f2, [add(2)])
    const r = { n: 1, by: f1.key }
    // Promises from f0 (3): a foil majority alone. f0 voted e1; f1 and f2 (weight 2) are outside: 3 + 2 ≥ 4.
    expect(await chooseEntry(toy.ctx, g, [await promise(toy, s0, r, { entry: e1 }), await promise(toy, f0, r, { entry: e1 })], byHash(e1))).toBe(entryHash(e1))
    // f0 voted e2: e1 has at most f1 + f2 = 2 < 4, e2 has 3 + 2: e2 imposed (s0 voted e2 too).
    expect(await chooseEntry(toy.ctx, g, [await promise(toy, s0, r, { entry: e2 }), await promise(toy, f0, r, { entry: e2 })], byHash(e2))).toBe(entryHash(e2))
    // s0 promised without a vote: no entry can have had the stock's fast quorum in round 0: free.
    expect(await chooseEntry(toy.ctx, g, [await promise(toy, s0, r), await promise(toy, f0, r, { entry: e2 })], byHash(e2))).toBeUndefined()
    // f1 and f2 promise (weight 2: not a foil majority): refused by checkPromises.
    await expect(checkPromises(toy.ctx, g, r, [await promise(toy, s0, r), await promise(toy, f1, r), await promise(toy, f2, r)])).rejects.toMatchObject({ code: 'INVALID_RECOVERY_CHOICE' })
    await checkPromises(toy.ctx, g, r, [await promise(toy, s0, r), await promise(toy, f0, r)])
  })

  it('the entry voted in the highest recovery round is imposed, whatever round 0 says', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const g = genesisHead(toy.genesis)
    const [s0] = toy.stock as [TestNode]
    const [f0, f1, f2] = toy.foil as [TestNode, TestNode, TestNode]
    const e1 = await entryOn(toy, g, f0, [add(1)])
    const e2 = await entryOn(toy, g, f1, [add(2)])
    const e3 = await entryOn(toy, g, f2, [add(3)])
    const r = { n: 4, by: f2.key }
    const low = { n: 1, by: f1.key }
    const high = { n: 2, by: f0.key }
    const list = [await promise(toy, s0, r, { entry: e1 }), await promise(toy, f1, r, { entry: e2, round: low }), await promise(toy, f2, r, { entry: e3, round: high })]
    expect(await chooseEntry(toy.ctx, g, list, byHash(e1, e2, e3))).toBe(entryHash(e3))
    // Same n, higher key wins the order.
    const a = { n: 2, by: [f0.key, f1.key].sort()[0]! }
    const b = { n: 2, by: [f0.key, f1.key].sort()[1]! }
    const tie = [await promise(toy, s0, r, { entry: e1, round: a }), await promise(toy, f1, r, { entry: e2, round: b }), await promise(toy, f2, r)]
    expect(await chooseEntry(toy.ctx, g, tie, byHash(e1, e2))).toBe(entryHash(e2))
  })
})
