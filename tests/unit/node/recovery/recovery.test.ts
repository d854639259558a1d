// Wallet recovery on the simulated network with the real diary service and the relay's rendezvous registry:
// a wallet restored from its phrase (same user, new device, empty store) gets its tallies, balances and
// history back from the partner, re-seated by an entry signed with its next chain key and certified by the
// partner's majority alone; the lost device is out of the membership after that.
import { describe, expect, it } from 'vitest'
import { BASE, recoveryWorld, type RecoveryWallet } from './world'

async function openTallyWithChits (w: ReturnType<typeof recoveryWorld>): Promise<{ a: RecoveryWallet, b: RecoveryWallet, id: string }> {
  const [a, b] = [await w.wallet('Alice'), await w.wallet('Bob')]
  const inv = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 3_000 })
  const { id } = await w.time.run(b.tallies.redeem(inv.link))
  await w.time.run(b.tallies.accept(id))
  await w.time.advance(2000)
  await w.time.run(b.tallies.pay(id, 4_000, 'first'))
  await w.time.run(a.tallies.pay(id, 1_500, 'back'))
  await w.time.run(b.tallies.pay(id, 250, 'third'))
  await w.time.advance(2000)
  return { a, b, id }
}

describe('recovery (simulated network, real diary)', () => {
  it('restore from the phrase → the tally, balance and history come back; the re-seat is certified; the new device pays; the old one is out', async () => {
    const w = recoveryWorld(4001)
    const { a, b, id } = await openTallyWithChits(w)
    const before = await a.tallies.get(id)
    expect(before).toMatchObject({ status: 'open', balance: 2_750, seq: 3 })
    const history = (await a.tallies.chits(id)).map(c => [c.id, c.units, c.memo, c.status])

    // Alice loses her phone: her node is gone for good. She restores the wallet on a new device.
    await a.node.stop()
    const a2 = await w.restore(a.phrase, 'Alice')
    expect(a2.identity.userId).toBe(a.identity.userId)
    expect(a2.identity.peerId).not.toBe(a.identity.peerId)
    expect(await a2.tallies.list()).toEqual([])
    const restored = new Promise<string>(resolve => { a2.recovery.on('restored', e => { resolve(e.tally) }) })
    expect(await w.time.run(restored)).toBe(id)

    const after = await a2.tallies.get(id)
    expect(after).toMatchObject({ status: 'open', balance: 2_750, mySide: 'stock', seq: 4 })
    expect(after.partner).toMatchObject({ userId: b.identity.userId, name: 'Bob' })
    expect((await a2.tallies.chits(id)).map(c => [c.id, c.units, c.memo, c.status])).toEqual(history)

    // The re-seat (seq 4) names only the new device for Alice's side, on both nodes.
    const seat = { stock: [{ key: a2.memberKey, weight: 1 }], foil: [{ key: b.memberKey, weight: 1 }] }
    expect(b.recovery.members(id)).toEqual(seat)
    expect(a2.recovery.members(id)).toEqual(seat)

    // The new device pays and it certifies; Bob sees it.
    expect(await w.time.run(a2.tallies.pay(id, 500, 'from the new phone'))).toMatchObject({ status: 'final', units: -500 })
    await w.time.advance(2000)
    expect(await b.tallies.get(id)).toMatchObject({ balance: -2_250, seq: 5 })
    expect(await a2.tallies.get(id)).toMatchObject({ balance: 2_250 })
  })
})

describe('recovery refusals', () => {
  it('the lost device comes back after the re-seat: what it signs is refused by the partner and never certified', async () => {
    const w = recoveryWorld(4002)
    const { a, b, id } = await openTallyWithChits(w)
    await a.node.stop()
    const a2 = await w.restore(a.phrase, 'Alice')
    await w.time.run(new Promise<void>(resolve => { a2.recovery.on('restored', () => { resolve() }) }))
    const seqBefore = (await b.tallies.get(id)).seq
    // The old phone is switched on again with its old store (same device key): it is no longer a member.
    const old = await w.boot(a.identity, a.phrase, a.db)
    const paid = await w.time.run(old.tallies.pay(id, 100, 'from the lost phone').catch((e: { code: string }) => e))
    await w.time.advance(30_000)
    expect(paid).not.toMatchObject({ status: 'final' })
    // Bob refuses it as a non-member (NOT_A_TALLY_MEMBER): final for its outbox, not retried for ever. It knows
    // it was replaced, says so, and refuses to pay again, also after a reload.
    expect(paid).toMatchObject({ code: 'DEVICE_REPLACED' })
    const seen = await old.tallies.get(id)
    expect(seen).toMatchObject({ replaced: true, queued: 0, waitingForPartner: false, error: { code: 'DEVICE_REPLACED' } })
    expect((await old.tallies.chits(id)).some(c => c.memo === 'from the lost phone')).toBe(false)
    await expect(old.tallies.pay(id, 1)).rejects.toMatchObject({ code: 'DEVICE_REPLACED' })
    await expect(old.tallies.invoice(id, 1)).rejects.toMatchObject({ code: 'DEVICE_REPLACED' })
    await old.node.stop()
    const again = await w.boot(a.identity, a.phrase, a.db)
    expect(await again.tallies.get(id)).toMatchObject({ replaced: true, queued: 0 })
    await expect(again.tallies.pay(id, 1)).rejects.toMatchObject({ code: 'DEVICE_REPLACED' })
    expect(await b.tallies.get(id)).toMatchObject({ balance: -2_750, seq: seqBefore })
    expect((await b.tallies.chits(id)).some(c => c.memo === 'from the lost phone')).toBe(false)
    expect(b.recovery.members(id)?.stock).toEqual([{ key: a2.memberKey, weight: 1 }])
    // …while the new device still certifies.
    expect(await w.time.run(a2.tallies.pay(id, 50))).toMatchObject({ status: 'final' })
  })
})

describe('recovery across a crash', () => {
  it('a crash after the re-seat, before the tally record: the marker resumes it at start-up (retried while the partner is away), without a second re-seat', async () => {
    const w = recoveryWorld(4003)
    const { a, b, id } = await openTallyWithChits(w)
    await a.node.stop()
    const a2 = await w.restore(a.phrase, 'Alice')
    await w.time.run(new Promise<void>(resolve => { a2.recovery.on('restored', () => { resolve() }) }))
    const seq = (await b.tallies.get(id)).seq
    // Roll a2's store back to "re-seat certified, nothing kept yet but the marker".
    await a2.node.stop()
    const rec = await a2.store.read(tx => tx.get<{ negotiation: { doc: unknown, sigs: unknown }, partner: unknown, role: string }>('tallies', `t/${id}`))
    await a2.store.write(async tx => {
      for (const table of ['entries', 'pending', 'outbox'] as const) for (const { key } of await tx.list(table)) await tx.delete(table, key)
      await tx.delete('tallies', `t/${id}`)
      await tx.put('tallies', `rcv/${id}`, { tally: { doc: rec!.negotiation.doc, sigs: rec!.negotiation.sigs }, role: rec!.role, side: 'stock', partner: rec!.partner, startedAt: 0 } as never)
    })
    await a2.store.close()
    // Bob is unreachable when it starts again: the resumed restore fails, and is retried with backoff.
    w.net.partition([[b.identity.peerId]])
    const again = await w.boot(a2.identity, a2.phrase, a2.db)
    let restored = false
    const failures: string[] = []
    again.recovery.on('restored', () => { restored = true })
    again.recovery.on('failed', e => { failures.push(e.code) })
    // The first attempt may fail while the node is still starting (before these listeners); the retry
    // 15 s later fails too while Bob is away.
    await w.time.advance(20_000)
    expect(restored).toBe(false)
    expect(failures.length).toBeGreaterThan(0)
    expect(await again.tallies.list()).toEqual([])
    w.net.heal()
    await w.time.advance(40_000)
    expect(restored).toBe(true)
    expect(await again.tallies.get(id)).toMatchObject({ status: 'open', balance: 2_750, seq })
    expect(await again.store.read(tx => tx.list('tallies', 'rcv/'))).toEqual([])
    expect((await b.tallies.get(id)).seq).toBe(seq)
    expect(await w.time.run(again.tallies.pay(id, 10))).toMatchObject({ status: 'final' })
  })

  it('an offer the new device missed (unreachable at first) is made again at a later poll', async () => {
    const w = recoveryWorld(4004)
    const { a, b, id } = await openTallyWithChits(w)
    await a.node.stop()
    const a2 = await w.restore(a.phrase, 'Alice')
    // Alice's new device publishes its presence, then Bob cannot reach it for a while (the rendezvous still can).
    let restored = false
    a2.recovery.on('restored', () => { restored = true })
    w.net.partition([[b.identity.peerId]])
    await w.time.advance(2_000)
    expect(w.registry.lookup([a2.identity.userId]).records.map(r => r.body.peerId)).toContain(a2.identity.peerId)
    w.net.partition([[b.identity.peerId, 'rendezvous-relay']])
    await w.time.advance(6_000)
    expect(restored).toBe(false)
    expect(await a2.tallies.list()).toEqual([])
    // Reachable again: a later poll offers again (the record did not change, so the cursor alone would skip it).
    w.net.heal()
    await w.time.advance(15_000)
    expect(restored).toBe(true)
    expect(await a2.tallies.get(id)).toMatchObject({ balance: 2_750 })
  })
})
