// chits(id, { limit }) reads the certified history backwards from the head a page at a time and gives exactly
// the newest `limit` chits of the full history (queued ones on top), with the same statuses.
import { describe, expect, it } from 'vitest'
import { BASE, tallyWorld } from './world'

describe('chit history paging', () => {
  it('the newest N of the full history for every N, across entries with payments, invoices and a decline', async () => {
    const w = tallyWorld(9301)
    const [a, b] = [await w.wallet('Alice'), await w.wallet('Bob')]
    const inv = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 100_000, partnerLimit: 100_000 })
    const { id } = await w.time.run(b.tallies.redeem(inv.link))
    await w.time.run(b.tallies.accept(id))
    await w.time.advance(1000)
    for (let i = 0; i < 5; i++) await w.time.run(b.tallies.pay(id, 100 + i, `pay ${i}`))
    const invoice = await w.time.run(a.tallies.invoice(id, 700, 'work'))
    await w.time.run(b.tallies.acceptInvoice(id, invoice.id))
    const second = await w.time.run(a.tallies.invoice(id, 800))
    await w.time.run(b.tallies.declineInvoice(id, second.id, 'no'))
    await w.time.run(a.tallies.pay(id, 50))

    for (const wallet of [a, b]) {
      const all = await wallet.tallies.chits(id)
      expect(all).toHaveLength(10)
      expect(all.map(c => c.seq)).toEqual([...all.map(c => c.seq)].sort((x, y) => (y ?? 0) - (x ?? 0)))
      for (const limit of [1, 2, 3, 7, 10, 11, 100]) expect(await wallet.tallies.chits(id, { limit })).toEqual(all.slice(0, limit))
    }
    const fromA = await a.tallies.chits(id)
    expect(fromA.find(c => c.id === invoice.id)?.status).toBe('invoice-paid')
    expect(fromA.find(c => c.id === second.id)?.status).toBe('invoice-declined')
    expect((await a.tallies.get(id)).chits).toBe(9) // the decline is not a chit of its own in the index
  })
})
