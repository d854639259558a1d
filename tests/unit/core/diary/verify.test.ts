// Offline verification from the genesis and from a checkpoint; membership changes and re-seats.
import { describe, expect, it } from 'vitest'
import {
  genesisHead, latestCheckpoint, verifyFromCheckpoint, verifyHistory, type Certificate, type Head
} from '../../../../src/core/diary'
import { add, certify, digestOf, entryOn, extend, makeToy, node, wire, type Toy, type ToyAction, type ToyState } from './fixtures'

async function codeOf (p: Promise<unknown>): Promise<string> {
  try { await p } catch (e) { return (e as { code?: string }).code ?? String(e) }
  return 'resolved'
}

async function history (toy: Toy, n: number, opts: { checkpointEvery?: number } = {}): Promise<{ certs: Certificate<ToyAction>[], heads: Head<ToyState>[] }> {
  const certs: Certificate<ToyAction>[] = []
  const heads: Head<ToyState>[] = [genesisHead(toy.genesis)]
  for (let i = 1; i <= n; i++) {
    const head = heads[heads.length - 1]!
    const extra = opts.checkpointEvery !== undefined && i % opts.checkpointEvery === 0 ? { checkpoint: await digestOf(head.state) } : {}
    const author = i % 2 === 0 ? toy.stock[0]! : toy.foil[0]!
    const r = await extend(toy, head, [add(i % 3 === 0 ? -2 : 1), add(5000)], author, toy.all, extra)
    certs.push(r.cert); heads.push(r.head)
  }
  return { certs, heads }
}

describe('verifyHistory', () => {
  it('verifies a whole history from the genesis, re-applying every action, in any batch size', async () => {
    const toy = await makeToy()
    const { certs, heads } = await history(toy, 12)
    for (const batch of [1, 5, 64]) {
      const r = await verifyHistory(toy.ctx, toy.genesis, wire(certs), { batch })
      expect(r.head).toEqual(heads[12])
      expect(r.entries).toBe(12)
      expect(r.signatures).toBe(12 * 5)
      expect(r.refused).toBe(12) // every add(5000) is over the limit, recorded with its refusal
    }
  })

  it('fails at a tampered, missing, reordered or foreign entry', async () => {
    const toy = await makeToy()
    const { certs } = await history(toy, 6)
    const tampered = wire(certs); (tampered[3]!.entry.body.actions[0] as { n: number }).n = 9
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, tampered))).toBe('INVALID_SIGNATURE')
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, [...certs.slice(0, 2), ...certs.slice(3)]))).toBe('SEQ_GAP')
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, [certs[0], certs[0]]))).toBe('DUPLICATE_SEQ')
    expect(await codeOf(verifyHistory(toy.ctx, { ...toy.genesis, tally: 'other' }, certs))).toBe('WRONG_TALLY')
    // Another valid entry 1: entry 2 no longer chains onto it.
    const fork = (await extend(toy, genesisHead(toy.genesis), [add(1)])).cert
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, [fork, ...certs.slice(1)]))).toBe('WRONG_PREVIOUS_HASH')
    const weak = [...certs.slice(0, 5), { ...certs[5]!, approvals: certs[5]!.approvals.slice(0, 2) }]
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, weak))).toBe('NO_QUORUM')
  })

  it('checks each certificate against the member set in force at its seq (a change takes effect from the next seq)', async () => {
    const toy = await makeToy()
    const g = genesisHead(toy.genesis)
    const newStock = await node('new-stock')
    const set = { stock: [{ key: newStock.key, weight: 1 }], foil: toy.genesis.state.members.foil }
    // Entry 1 changes the members: it is still certified by the OLD members.
    const c1 = await extend(toy, g, [{ type: 'members', id: 'm1', set }])
    expect(c1.head.state.members).toEqual(set)
    // Entry 2 needs the NEW stock member; the old stock members no longer count.
    const e2 = await entryOn(toy, c1.head, toy.foil[0]!, [add(1)])
    const byOld = await certify(toy, e2, toy.all)
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, [c1.cert, byOld]))).toBe('NOT_A_MEMBER')
    const byNew = await certify(toy, e2, [newStock, ...toy.foil])
    expect((await verifyHistory(toy.ctx, toy.genesis, [c1.cert, byNew])).head.state.count).toBe(1)
    // An old stock member can no longer author.
    const e2old = await entryOn(toy, c1.head, toy.stock[0]!, [add(1)])
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, [c1.cert, await certify(toy, e2old, [newStock, ...toy.foil])]))).toBe('NOT_A_MEMBER')
  })

  it('re-seats a party that lost its majority with the partner\'s majority alone, only with the next chain key', async () => {
    const toy = await makeToy({ stock: 2, foil: 3 })
    const g = genesisHead(toy.genesis)
    const phone = await node('restored-foil-device')
    const reseat = { type: 'reseat' as const, id: 'r1', party: 'foil' as const, members: [{ key: phone.key, weight: 1 }], token: 'foil-key-1' }
    // The foil lost two of three devices; a stock member authors the re-seat the new device signed.
    const e = await entryOn(toy, g, toy.stock[0]!, [reseat])
    const byStock = await certify(toy, e, toy.stock)
    const r = await verifyHistory(toy.ctx, toy.genesis, [byStock])
    expect(r.head.state.members.foil).toEqual(reseat.members)
    // A normal entry with the stock alone is not certified.
    const normal = await entryOn(toy, g, toy.stock[0]!, [add(1)])
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, [await certify(toy, normal, toy.stock)]))).toBe('NO_QUORUM')
    // A re-seat with a stale chain key cannot ride the relaxed quorum.
    const stolen = await entryOn(toy, g, toy.stock[0]!, [{ ...reseat, token: 'foil-key-0' }])
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, [await certify(toy, stolen, toy.stock)]))).toBe('RELAXED_QUORUM_REFUSED')
    // A re-seat padded with another action needs both parties.
    const padded = await entryOn(toy, g, toy.stock[0]!, [reseat, add(1)])
    expect(await codeOf(verifyHistory(toy.ctx, toy.genesis, [await certify(toy, padded, toy.stock)]))).toBe('NO_QUORUM')
    // The next entry is certified by the re-seated foil.
    const next = await entryOn(toy, r.head, phone, [add(2)])
    expect((await verifyHistory(toy.ctx, toy.genesis, [byStock, await certify(toy, next, [...toy.stock, phone])])).head.state.count).toBe(2)
  })
})

describe('verifyFromCheckpoint', () => {
  it('catches up from the latest checkpoint with its snapshot and gives the same head as from genesis', async () => {
    const toy = await makeToy()
    const { certs, heads } = await history(toy, 10, { checkpointEvery: 4 })
    const i = latestCheckpoint(certs)
    expect(i).toBe(7) // seq 8
    const snapshot = heads[i]!.state
    const r = await verifyFromCheckpoint(toy.ctx, toy.genesis.state.members, { snapshot: wire(snapshot), checkpoint: certs[i] }, certs.slice(i + 1))
    expect(r.head).toEqual(heads[10])
    expect(r.entries).toBe(3)
  })

  it('refuses a snapshot that is not the checkpointed state (CHECKPOINT_MISMATCH), a non-checkpoint and an untrusted quorum', async () => {
    const toy = await makeToy()
    const { certs, heads } = await history(toy, 4, { checkpointEvery: 4 })
    const members = toy.genesis.state.members
    expect(await codeOf(verifyFromCheckpoint(toy.ctx, members, { snapshot: { ...heads[3]!.state, count: 99 }, checkpoint: certs[3] }, []))).toBe('CHECKPOINT_MISMATCH')
    expect(await codeOf(verifyFromCheckpoint(toy.ctx, members, { snapshot: heads[2]!.state, checkpoint: certs[2] }, []))).toBe('BROKEN_HISTORY')
    const strangers = { stock: [{ key: (await node('x1')).key, weight: 1 }], foil: [{ key: (await node('x2')).key, weight: 1 }] }
    expect(await codeOf(verifyFromCheckpoint(toy.ctx, strangers, { snapshot: heads[3]!.state, checkpoint: certs[3] }, []))).toBe('CHECKPOINT_UNTRUSTED')
  })
})
