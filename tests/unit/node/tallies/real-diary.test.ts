// The tally service over the REAL diary service (src/node/services/diary) on the simulated network:
// negotiation opens the diary on both nodes, chits are certified by both parties' members.
import { describe, expect, it } from 'vitest'
import { BASE, tallyWorld } from './world'

describe('tallies over the real diary service (simulated network)', () => {
  it('invite → accept → pay, invoice → accept, decline, over-limit, close at zero; both sides agree; reload keeps it', async () => {
    const w = tallyWorld(3001, 'real')
    const [a, b] = [await w.wallet('Alice'), await w.wallet('Bob')]
    const inv = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 2_000 })
    const { id } = await w.time.run(b.tallies.redeem(inv.link))
    await w.time.run(b.tallies.accept(id))
    await w.time.advance(2000)
    expect(await a.tallies.get(id)).toMatchObject({ status: 'open', seq: 0 })
    const paid = await w.time.run(b.tallies.pay(id, 4_000, 'first'))
    expect(paid).toMatchObject({ status: 'final', units: -4_000 })
    await w.time.advance(2000)
    expect(await a.tallies.get(id)).toMatchObject({ balance: 4_000, seq: 1 })
    const invoice = await w.time.run(a.tallies.invoice(id, 1_000, 'please'))
    await w.time.advance(2000)
    await w.time.run(b.tallies.acceptInvoice(id, invoice.id))
    const inv2 = await w.time.run(a.tallies.invoice(id, 500))
    await w.time.advance(2000)
    await w.time.run(b.tallies.declineInvoice(id, inv2.id))
    await expect(b.tallies.pay(id, 5_001)).rejects.toMatchObject({ code: 'OVER_LIMIT' })
    await w.time.advance(2000)
    expect(await a.tallies.get(id)).toMatchObject({ balance: 5_000, invoicesToPartner: 0 })
    expect(await b.tallies.get(id)).toMatchObject({ balance: -5_000, availableToMe: 5_000 })
    await w.time.run(b.tallies.requestClose(id))
    await w.time.run(a.tallies.pay(id, 5_000))
    await w.time.advance(2000)
    expect(await b.tallies.get(id)).toMatchObject({ status: 'closed', balance: 0 })
    const [a2, b2] = [await a.reload(), await b.reload()]
    await w.time.advance(2000)
    expect(await a2.tallies.get(id)).toMatchObject({ status: 'closed', balance: 0 })
    const ca = await a2.tallies.chits(id)
    const cb = await b2.tallies.chits(id)
    expect(ca.map(c => [c.id, c.units])).toEqual(cb.map(c => [c.id, 0 - c.units + 0]))
  })

  it('the partner offline: a payment waits for the partner, survives the payer\'s reload, and certifies when the partner is back', async () => {
    const w = tallyWorld(3002, 'real')
    const [a, b] = [await w.wallet('Alice'), await w.wallet('Bob')]
    const inv = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 0 })
    const { id } = await w.time.run(b.tallies.redeem(inv.link))
    await w.time.run(b.tallies.accept(id))
    await w.time.advance(2000)
    w.net.partition([[a.identity.peerId], [b.identity.peerId]])
    const pending = await w.time.run(b.tallies.pay(id, 700, 'offline'))
    expect(pending).toMatchObject({ status: 'pending', units: -700 })
    // Already shown as waiting for the partner when the call resolves 'pending' (not only after a retry).
    expect(await b.tallies.get(id)).toMatchObject({ queued: 1, waitingForPartner: true })
    // The same for the side that hands its actions to the partner's proposer (the stock here).
    expect(await w.time.run(a.tallies.invoice(id, 5, 'offline too'))).toMatchObject({ status: 'pending' })
    expect(await a.tallies.get(id)).toMatchObject({ queued: 1, waitingForPartner: true })
    await w.time.advance(10_000)
    expect(await b.tallies.get(id)).toMatchObject({ balance: 0, pendingEffect: -700, queued: 1, waitingForPartner: true })
    const b2 = await b.reload()
    await w.time.advance(5_000)
    expect(await b2.tallies.get(id)).toMatchObject({ balance: 0, queued: 1 })
    w.net.heal()
    await w.time.advance(120_000)
    expect(await b2.tallies.get(id)).toMatchObject({ balance: -700, queued: 0, waitingForPartner: false })
    expect(await a.tallies.get(id)).toMatchObject({ balance: 700 })
    expect((await a.tallies.chits(id)).find(c => c.memo === 'offline')).toMatchObject({ status: 'final', by: 'partner' })
    expect((await a.tallies.chits(id)).find(c => c.memo === 'offline too')).toMatchObject({ status: 'invoice-open', by: 'me' })
  })
})
