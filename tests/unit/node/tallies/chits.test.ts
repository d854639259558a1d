// Tally actions after open (research/mychips.md scenarios 14–21) on the simulated network: payments,
// invoices accepted and declined, over-limit refusals, trading variables, closing at zero, simultaneous
// chits, the partner offline, reloads. The diary is the FakeLedger (real tally machine, no replication).
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { partyAction, signPartyAction } from '../../../../src/core/chit/sign'
import { BASE, tallyWorld, type TallyWallet } from './world'

async function openTally (seed: number, limits = { stock: 10_000, foil: 2_000 }): Promise<{ w: ReturnType<typeof tallyWorld>, a: TallyWallet, b: TallyWallet, id: string }> {
  const w = tallyWorld(seed)
  const [a, b] = [await w.wallet('Alice'), await w.wallet('Bob')]
  // Alice (stock) extends 10 CHIPs of credit to Bob (foil), who extends 2 CHIPs to Alice.
  const inv = await a.tallies.invite(BASE, { kind: 'extend', myLimit: limits.stock, partnerLimit: limits.foil })
  const { id } = await w.time.run(b.tallies.redeem(inv.link))
  await w.time.run(b.tallies.accept(id))
  await w.time.advance(1000)
  return { w, a, b, id }
}

describe('tally actions (simulated network, fake diary)', () => {
  it('scenario 14: a direct payment foil → stock is certified; each side sees it from its own perspective', async () => {
    const { w, a, b, id } = await openTally(1401)
    const paid = await w.time.run(b.tallies.pay(id, 4_000, 'Pay: 4'))
    expect(paid).toMatchObject({ kind: 'payment', units: -4_000, by: 'me', status: 'final', memo: 'Pay: 4', seq: 1 })
    expect(await b.tallies.get(id)).toMatchObject({ balance: -4_000, availableToMe: 6_000, availableToPartner: 2_000 + 4_000, seq: 1, chits: 1 })
    expect(await a.tallies.get(id)).toMatchObject({ balance: 4_000, availableToMe: 6_000, availableToPartner: 6_000 })
    const [ca] = await a.tallies.chits(id)
    expect(ca).toMatchObject({ id: paid.id, kind: 'payment', units: 4_000, by: 'partner', status: 'final', memo: 'Pay: 4', time: expect.any(Number) })
  })

  it('scenario 15: invoice → accept (paid), invoice → decline (declined); the payer sees invoices waiting for it', async () => {
    const { w, a, b, id } = await openTally(1501)
    const inv = await w.time.run(a.tallies.invoice(id, 2_500, 'hours in May'))
    expect(inv).toMatchObject({ kind: 'invoice', units: 2_500, status: 'invoice-open' })
    expect(await b.tallies.get(id)).toMatchObject({ invoicesToMe: 1, balance: 0 })
    expect((await b.tallies.chits(id))[0]).toMatchObject({ id: inv.id, kind: 'invoice', units: -2_500, by: 'partner', status: 'invoice-open', memo: 'hours in May' })
    const paid = await w.time.run(b.tallies.acceptInvoice(id, inv.id))
    expect(paid).toMatchObject({ kind: 'payment', units: -2_500, invoice: inv.id, status: 'final' })
    expect(await a.tallies.get(id)).toMatchObject({ balance: 2_500, invoicesToPartner: 0 })
    expect((await a.tallies.chits(id)).find(c => c.id === inv.id)).toMatchObject({ status: 'invoice-paid' })

    const inv2 = await w.time.run(a.tallies.invoice(id, 1_000))
    const declined = await w.time.run(b.tallies.declineInvoice(id, inv2.id, 'not agreed'))
    expect(declined).toMatchObject({ kind: 'decline', invoice: inv2.id, status: 'final', memo: 'not agreed' })
    expect((await a.tallies.chits(id)).find(c => c.id === inv2.id)).toMatchObject({ status: 'invoice-declined' })
    expect(await a.tallies.get(id)).toMatchObject({ balance: 2_500, invoicesToPartner: 0 })
    // an invoice that is no longer open cannot be paid or declined again
    await expect(b.tallies.acceptInvoice(id, inv2.id)).rejects.toMatchObject({ code: 'UNKNOWN_INVOICE' })
    await expect(b.tallies.declineInvoice(id, inv.id)).rejects.toMatchObject({ code: 'UNKNOWN_INVOICE' })
    // one cannot pay one's own invoice
    const inv3 = await w.time.run(a.tallies.invoice(id, 100))
    await expect(a.tallies.acceptInvoice(id, inv3.id)).rejects.toMatchObject({ code: 'UNKNOWN_INVOICE' })
  })

  it('over the limit: refused with OVER_LIMIT before signing (no key used), and by the tally rules if the state moved', async () => {
    const { w, a, b, id } = await openTally(1502)
    await expect(b.tallies.pay(id, 10_001)).rejects.toMatchObject({ code: 'OVER_LIMIT', message: '10001 units exceed the 10000 units of credit available' })
    await expect(a.tallies.pay(id, 2_001)).rejects.toMatchObject({ code: 'OVER_LIMIT' })
    expect(w.ledger.books.get(id)!.certs).toHaveLength(0)
    await w.time.run(b.tallies.pay(id, 10_000))
    await expect(b.tallies.pay(id, 1)).rejects.toMatchObject({ code: 'OVER_LIMIT' })
    // an invoice larger than the credit left is accepted as a request, but paying it is refused
    const inv = await w.time.run(a.tallies.invoice(id, 500))
    await expect(b.tallies.acceptInvoice(id, inv.id)).rejects.toMatchObject({ code: 'OVER_LIMIT' })
    // two payments that each fit but not together: the tally rules refuse the second when it is certified
    await w.time.run(a.tallies.pay(id, 10_000))
    const both = await w.time.run(Promise.allSettled([b.tallies.pay(id, 6_000), b.tallies.pay(id, 6_000)]))
    expect(both.map(r => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(both.find(r => r.status === 'rejected')).toMatchObject({ reason: { code: 'OVER_LIMIT', message: 'the payment exceeds the credit available' } })
    expect((await b.tallies.chits(id)).filter(c => c.status === 'refused')).toEqual([expect.objectContaining({ units: -6_000, refusal: { code: 'OVER_LIMIT', message: 'the payment exceeds the credit available' } })])
    expect(await b.tallies.get(id)).toMatchObject({ balance: -6_000 })
    await w.time.run(b.tallies.pay(id, 4_000))
    // the chain goes on after refusals: Alice can still pay back
    await expect(w.time.run(a.tallies.pay(id, 12_000))).resolves.toMatchObject({ status: 'final' })
    expect(await b.tallies.get(id)).toMatchObject({ balance: 2_000 })
  })

  it('scenario 16: both parties issue chits at the same time → one diary, exact balances on both sides', async () => {
    const { w, a, b, id } = await openTally(1601)
    const jobs: Array<Promise<unknown>> = []
    for (let i = 0; i < 10; i++) {
      jobs.push(a.tallies.pay(id, 100 + i))
      jobs.push(b.tallies.pay(id, 200 + i))
    }
    await w.time.run(Promise.all(jobs))
    const expected = (200 * 10 + 45) - (100 * 10 + 45)
    expect(await a.tallies.get(id)).toMatchObject({ balance: expected, chits: 20 })
    expect((await b.tallies.get(id)).balance).toBe(-expected)
    const ca = await a.tallies.chits(id)
    expect(ca.filter(c => c.status === 'final')).toHaveLength(20)
    expect(ca.reduce((n, c) => n + c.units, 0)).toBe(expected)
  })

  it('scenario 18 and 19: a replayed chit (same id) is refused as DUPLICATE_CHIT or KEY_USED; nothing moves twice', async () => {
    const { w, a, id } = await openTally(1801)
    await w.time.run(a.tallies.invoice(id, 700))
    const book = w.ledger.books.get(id)!
    const action = book.certs[0]!.entry.body.actions[0]!
    const diary = [...w.ledger.diaries].find(d => d.memberKey === a.memberKey && !d.stopped)!
    await expect(w.time.run(diary.submit(id, [action]))).rejects.toMatchObject({ code: 'KEY_USED' })
    expect(book.certs).toHaveLength(1)
    expect(await a.tallies.get(id)).toMatchObject({ invoicesToPartner: 1, balance: 0 })
  })

  it('scenario 20: a setting chit sets my trading variables; both sides see them; invalid ones are refused', async () => {
    const { w, a, b, id } = await openTally(2001)
    await expect(w.time.run(b.tallies.setTradingVars(id, { target: 5_000, bound: 10_000, reward: 10_000, clutch: 0 }))).resolves.toMatchObject({ kind: 'settings', units: 0, status: 'final' })
    expect(await b.tallies.get(id)).toMatchObject({ myVars: { target: 5_000, bound: 10_000, reward: 10_000, clutch: 0 } })
    expect(await a.tallies.get(id)).toMatchObject({ partnerVars: { target: 5_000, bound: 10_000, reward: 10_000, clutch: 0 }, myVars: { target: 0, bound: 0 } })
    await expect(b.tallies.setTradingVars(id, { target: 6, bound: 5, reward: 0, clutch: 0 })).rejects.toMatchObject({ code: 'INVALID_TRADING_VARIABLES' })
    await expect(b.tallies.setTradingVars(id, { target: 0, bound: 5, reward: -2, clutch: 0 })).rejects.toMatchObject({ code: 'INVALID_TRADING_VARIABLES' })
  })

  it('scenario 21: a close request → closing; only payments toward zero; closed at zero balance', async () => {
    const { w, a, b, id } = await openTally(2101)
    await w.time.run(b.tallies.pay(id, 3_000))
    await expect(w.time.run(a.tallies.requestClose(id))).resolves.toMatchObject({ kind: 'close', status: 'final' })
    expect(await b.tallies.get(id)).toMatchObject({ status: 'closing', balance: -3_000 })
    // Bob may not go deeper into debt, Alice may not pay past zero
    await expect(b.tallies.pay(id, 1)).rejects.toMatchObject({ code: 'TALLY_CLOSING' })
    await expect(a.tallies.pay(id, 3_001)).rejects.toMatchObject({ code: 'TALLY_CLOSING' })
    await w.time.run(a.tallies.pay(id, 3_000))
    expect(await b.tallies.get(id)).toMatchObject({ status: 'closed', balance: 0 })
    await expect(a.tallies.pay(id, 1)).rejects.toMatchObject({ code: 'TALLY_NOT_OPEN' })
    // closing at zero right away
    const x = await openTally(2102)
    await x.w.time.run(x.b.tallies.requestClose(x.id))
    expect(await x.a.tallies.get(x.id)).toMatchObject({ status: 'closed' })
  })

  it('the partner offline: a payment is queued (pending, waiting for the partner) and completes when it is back; reloads keep everything', async () => {
    const { w, a, b, id } = await openTally(2201)
    await w.ledger.setOnline(a.memberKey, false)
    const pending = await w.time.run(b.tallies.pay(id, 1_500, 'while you sleep'))
    expect(pending).toMatchObject({ status: 'pending', units: -1_500 })
    expect(await b.tallies.get(id)).toMatchObject({ balance: 0, pendingEffect: -1_500, queued: 1, waitingForPartner: true })
    expect((await b.tallies.chits(id))[0]).toMatchObject({ id: pending.id, status: 'pending', memo: 'while you sleep' })
    // a second payment while offline uses the next chain key, not the same one
    await w.time.run(b.tallies.pay(id, 500))
    const b2 = await b.reload()
    const changes: string[] = []
    b2.node.onTallies?.(v => changes.push(`${v.id}:${v.balance}`))
    await w.ledger.setOnline(a.memberKey, true)
    await w.time.advance(100)
    expect(await b2.tallies.get(id)).toMatchObject({ balance: -2_000, pendingEffect: 0, queued: 0, waitingForPartner: false, seq: 1 })
    expect(changes).toContain(`${id}:-2000`)
    const a2 = await a.reload()
    expect(await a2.tallies.get(id)).toMatchObject({ status: 'open', balance: 2_000, chits: 2 })
    expect((await a2.tallies.chits(id)).map(c => c.units)).toEqual([500, 1_500])
    // and trading continues after the reloads, on the next chain keys
    await expect(w.time.run(a2.tallies.pay(id, 100))).resolves.toMatchObject({ status: 'final' })
    await expect(w.time.run(b2.tallies.pay(id, 100))).resolves.toMatchObject({ status: 'final' })
  })

  it('KEY_USED: another device of the same user used the chain key first → the action is re-signed with the next key and certified', async () => {
    const { w, a, b, id } = await openTally(2301)
    await w.ledger.setOnline(a.memberKey, false)
    const other = w.ledger.diary('other-device-of-bob', w.time.clock.now)
    await other.open(w.ledger.books.get(id)!.genesis)
    const index = w.ledger.books.get(id)!.state.foil.chain.index
    const theirs = partyAction(await signPartyAction(nobleProvider, b.identity.userSecret, { tally: id, side: 'foil', index, op: { op: 'pay', chit: 'other-device-chit-1', units: 100 } }))
    const done = other.submit(id, [theirs])
    const mine = await w.time.run(b.tallies.pay(id, 200))
    expect(mine.status).toBe('pending')
    await w.ledger.setOnline(a.memberKey, true)
    await w.time.run(done)
    await w.time.advance(100)
    expect(await b.tallies.get(id)).toMatchObject({ balance: -300, queued: 0 })
    expect((await b.tallies.chits(id)).map(c => [c.units, c.status])).toEqual([[-200, 'final'], [-100, 'final']])
    expect(w.ledger.books.get(id)!.state.foil.chain.index).toBe(index + 2)
  })

  it('scenario 18: a new chit reusing an existing chit id is recorded as refused (DUPLICATE_CHIT) and replaces nothing', async () => {
    const { w, a, b, id } = await openTally(1802)
    const paid = await w.time.run(b.tallies.pay(id, 300))
    const index = w.ledger.books.get(id)!.state.foil.chain.index
    const clash = partyAction(await signPartyAction(nobleProvider, b.identity.userSecret, { tally: id, side: 'foil', index, op: { op: 'pay', chit: paid.id, units: 9_000 } }))
    const diary = [...w.ledger.diaries].find(d => d.memberKey === b.memberKey && !d.stopped)!
    const certified = await w.time.run(diary.submit(id, [clash]))
    expect(certified.outcomes[0]?.refused).toBe('DUPLICATE_CHIT')
    expect(await a.tallies.get(id)).toMatchObject({ balance: 300, chits: 1 })
    const history = await a.tallies.chits(id)
    expect(history.map(c => [c.id, c.units, c.status])).toEqual([[paid.id, 9_000, 'refused'], [paid.id, 300, 'final']])
    // the chain goes on
    await expect(w.time.run(b.tallies.pay(id, 1))).resolves.toMatchObject({ status: 'final' })
  })

  it('scenario 15 (continued): after a declined invoice the payee sends a changed one, which is paid', async () => {
    const { w, a, b, id } = await openTally(1503)
    const first = await w.time.run(a.tallies.invoice(id, 2_500))
    await w.time.run(b.tallies.declineInvoice(id, first.id))
    const second = await w.time.run(a.tallies.invoice(id, 2_000, 'corrected'))
    await w.time.run(b.tallies.acceptInvoice(id, second.id))
    expect(await a.tallies.get(id)).toMatchObject({ balance: 2_000 })
  })
})
