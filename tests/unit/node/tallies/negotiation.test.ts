// The tally negotiation between two wallets on the simulated network (research/mychips.md scenarios
// 8–13): invitation links, redeeming, offers, counter-offers, acceptance, refusal, token rules, and
// every tampered, replayed, oversized or garbage message refused with a named error and no change.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { fromBase64url, toBase64url } from '../../../../src/core/codec/base64url'
import { canonicalJson } from '../../../../src/core/codec/canonical'
import { makeTicket } from '../../../../src/core/tally/negotiation'
import { NEGOTIATE_PROTOCOL, encodeNegotiate, MAX_NEGOTIATE_BYTES } from '../../../../src/node/protocols/negotiate'
import { parseInvitationLink } from '../../../../src/node/tally-link/invitation'
import { DEFAULT_CONTRACT_HASH } from '../../../../src/node/services/tallies/contract'
import { tallyKey, type TallyRecord } from '../../../../src/node/services/tallies/records'
import { partyInfo } from '../../../../src/node/services/tallies/party'
import { BASE, dump, tallyWorld, type TallyWallet } from './world'

async function negotiated (seed: number): Promise<{ w: Awaited<ReturnType<typeof tallyWorld>>, a: TallyWallet, b: TallyWallet, link: string, id: string }> {
  const w = tallyWorld(seed)
  const [a, b] = [await w.wallet('Alice'), await w.wallet('Bob')]
  const inv = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 2_000, memo: 'for the garden work' })
  const offer = await w.time.run(b.tallies.redeem(inv.link))
  return { w, a, b, link: inv.link, id: offer.id }
}

async function record (x: TallyWallet, id: string): Promise<TallyRecord> {
  return (await x.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(id))))!
}

describe('tally negotiation (simulated network)', () => {
  it('scenario 8: invite → redeem → accept → both hold the same fully signed tally, both signatures verified, diary opened', async () => {
    const { w, a, b, id } = await negotiated(801)
    const seen = await b.tallies.get(id)
    expect(seen).toMatchObject({ status: 'offer', awaiting: 'me', mySide: 'foil', role: 'invitee', partner: { userId: a.identity.userId, name: 'Alice' }, terms: { stockLimit: 10_000, foilLimit: 2_000 }, contractHash: DEFAULT_CONTRACT_HASH, memo: 'for the garden work', revision: 1 })
    expect(await a.tallies.get(id)).toMatchObject({ status: 'offer', awaiting: 'partner', mySide: 'stock', role: 'inviter', partner: { userId: b.identity.userId, name: 'Bob' } })
    const opened = await w.time.run(b.tallies.accept(id))
    expect(opened).toMatchObject({ status: 'open', balance: 0, availableToMe: 10_000, availableToPartner: 2_000, seq: 0 })
    await w.time.advance(1000)
    const [ra, rb] = [await record(a, id), await record(b, id)]
    expect(ra.negotiation.status).toBe('open')
    expect(canonicalJson({ doc: ra.negotiation.doc, sigs: ra.negotiation.sigs })).toBe(canonicalJson({ doc: rb.negotiation.doc, sigs: rb.negotiation.sigs }))
    expect(ra.negotiation.sigs.stock).toBeDefined()
    expect(ra.negotiation.sigs.foil).toBeDefined()
    expect(ra.diary && rb.diary).toBe(true)
    expect(w.ledger.opened.get(a.memberKey)?.has(id) && w.ledger.opened.get(b.memberKey)?.has(id)).toBe(true)
    // the members are each party's node
    const state = w.ledger.books.get(id)!.state
    expect(state.stock.members).toEqual([{ key: a.memberKey, weight: 1 }])
    expect(state.foil.members).toEqual([{ key: b.memberKey, weight: 1 }])
    expect(await a.tallies.get(id)).toMatchObject({ status: 'open', balance: 0, availableToMe: 2_000, availableToPartner: 10_000 })
  })

  it('the invitation link is signed by the inviter and carries its card, token, terms and contract; a changed link is refused', async () => {
    const w = tallyWorld(802)
    const a = await w.wallet('Alice')
    const inv = await a.tallies.invite(BASE, { kind: 'ask', myLimit: 0, partnerLimit: 5_000 })
    expect(inv.link.startsWith(`${BASE}#invite=`)).toBe(true)
    expect(inv).toMatchObject({ mySide: 'foil', terms: { stockLimit: 5_000, foilLimit: 0 }, reuse: false, expires: w.time.now + 48 * 3600_000 })
    const parsed = await parseInvitationLink(nobleProvider, inv.link)
    expect(parsed.body.card).toEqual(a.node.contact())
    expect(parsed.signer).toBe(a.identity.userId)
    const json = JSON.parse(new TextDecoder().decode(fromBase64url(inv.link.split('#invite=')[1]!))) as { body: { terms: { stock: { limit: number } } } }
    json.body.terms.stock.limit = 50_000
    const forged = `${BASE}#invite=${toBase64url(new TextEncoder().encode(JSON.stringify(json)))}`
    await expect(parseInvitationLink(nobleProvider, forged)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    await expect(parseInvitationLink(nobleProvider, `${BASE}#invite=@@@`)).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/damaged/) })
    await expect(parseInvitationLink(nobleProvider, `${BASE}#contact=abc`)).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/not an invitation link/) })
    await expect(parseInvitationLink(nobleProvider, `${BASE}#invite=${'A'.repeat(7000)}`)).rejects.toMatchObject({ code: 'TOO_LARGE' })
    await expect(a.tallies.previewInvitation(inv.link)).rejects.toMatchObject({ code: 'OWN_INVITATION' })
    const b = await w.wallet('Bob')
    expect(await b.tallies.previewInvitation(inv.link)).toMatchObject({ from: { userId: a.identity.userId, name: 'Alice' }, mySide: 'stock', contractKnown: true, terms: { stockLimit: 5_000, foilLimit: 0 } })
  })

  it('scenario 9: counter-offer (revision + 1) → the inviter sees it, accepts → open with the countered terms', async () => {
    const { w, a, b, id } = await negotiated(901)
    const countered = await w.time.run(b.tallies.counter(id, { myLimit: 1_000, partnerLimit: 12_000 }))
    expect(countered).toMatchObject({ status: 'offer', awaiting: 'partner', revision: 2, terms: { stockLimit: 12_000, foilLimit: 1_000 } })
    await w.time.advance(500)
    expect(await a.tallies.get(id)).toMatchObject({ status: 'offer', awaiting: 'me', revision: 2, terms: { stockLimit: 12_000, foilLimit: 1_000 } })
    // the inviter counters back, then the partner accepts
    await w.time.run(a.tallies.counter(id, { myLimit: 11_000 }))
    await w.time.advance(500)
    expect(await b.tallies.get(id)).toMatchObject({ awaiting: 'me', revision: 3, terms: { stockLimit: 11_000, foilLimit: 1_000 } })
    await w.time.run(b.tallies.accept(id))
    await w.time.advance(500)
    expect(await a.tallies.get(id)).toMatchObject({ status: 'open', revision: 3, terms: { stockLimit: 11_000 }, availableToPartner: 11_000 })
    expect(await b.tallies.get(id)).toMatchObject({ status: 'open', availableToMe: 11_000, availableToPartner: 1_000 })
  })

  it('scenario 10: refusal → void on both sides; the inviter may then answer a counter with a refusal too', async () => {
    const { w, a, b, id } = await negotiated(1001)
    expect(await w.time.run(b.tallies.refuse(id, 'not now'))).toMatchObject({ status: 'void' })
    await w.time.advance(500)
    expect(await a.tallies.get(id)).toMatchObject({ status: 'void' })
    await expect(b.tallies.accept(id)).rejects.toMatchObject({ code: 'FORBIDDEN_TRANSITION' })
    await expect(b.tallies.pay(id, 1)).rejects.toMatchObject({ code: 'TALLY_NOT_OPEN' })

    const x = await negotiated(1002)
    await x.w.time.run(x.b.tallies.counter(x.id, { partnerLimit: 99_000 }))
    await x.w.time.advance(500)
    await x.w.time.run(x.a.tallies.refuse(x.id))
    await x.w.time.advance(500)
    expect(await x.b.tallies.get(x.id)).toMatchObject({ status: 'void' })
  })

  it('scenario 11: the inviter withdraws its offer → both drafts at revision 2, the partner is told and cannot accept it (OFFER_WITHDRAWN); a new offer opens the tally', async () => {
    const { w, a, b, id } = await negotiated(1101)
    const mine = await w.time.run(a.tallies.revise(id))
    expect(mine).toMatchObject({ status: 'draft', awaiting: 'me', revision: 2, revisedBy: 'me' })
    await w.time.advance(500)
    expect(await b.tallies.get(id)).toMatchObject({ status: 'draft', revision: 2, revisedBy: 'partner' })
    await expect(b.tallies.accept(id)).rejects.toMatchObject({ code: 'OFFER_WITHDRAWN' })
    await expect(b.tallies.counter(id, { myLimit: 5 })).rejects.toMatchObject({ code: 'OFFER_WITHDRAWN' })
    await expect(b.tallies.refuse(id)).rejects.toMatchObject({ code: 'OFFER_WITHDRAWN' })
    const [ra, rb] = [await record(a, id), await record(b, id)]
    expect(ra.negotiation.sigs).toEqual({})
    expect(rb.negotiation.sigs).toEqual({})
    // the revised offer: other limits, the same revision the notice announced
    expect(await w.time.run(a.tallies.offerAgain(id, { myLimit: 7_000 }))).toMatchObject({ status: 'offer', awaiting: 'partner', revision: 2, terms: { stockLimit: 7_000, foilLimit: 2_000 } })
    await w.time.advance(500)
    const seen = await b.tallies.get(id)
    expect(seen).toMatchObject({ status: 'offer', awaiting: 'me', revision: 2, terms: { stockLimit: 7_000 } })
    expect(seen.revisedBy).toBeUndefined()
    expect(await w.time.run(b.tallies.accept(id))).toMatchObject({ status: 'open' })
    await w.time.advance(1000)
    expect(await a.tallies.get(id)).toMatchObject({ status: 'open', terms: { stockLimit: 7_000 } })
    // nothing left to revise on an open tally
    await expect(a.tallies.revise(id)).rejects.toMatchObject({ code: 'FORBIDDEN_TRANSITION' })
  })

  it('scenario 11 offline: the revise notice is queued while the partner is away and survives a reload; the partner\'s acceptance that crossed it opens the tally on both sides', async () => {
    const { w, a, b, id } = await negotiated(1102)
    w.net.partition([[a.identity.peerId], [b.identity.peerId]])
    await w.time.run(a.tallies.revise(id))
    expect(await b.tallies.get(id)).toMatchObject({ status: 'offer', awaiting: 'me' })
    const a2 = await a.reload()
    w.net.heal()
    await w.time.advance(10_000)
    expect(await b.tallies.get(id)).toMatchObject({ status: 'draft', revisedBy: 'partner' })
    expect(await a2.tallies.get(id)).toMatchObject({ status: 'draft', revisedBy: 'me', revision: 2 })
    expect(await a2.tallies.get(id)).not.toHaveProperty('error')

    const x = await negotiated(1103)
    x.w.net.partition([[x.a.identity.peerId], [x.b.identity.peerId]])
    await x.w.time.run(x.a.tallies.revise(x.id))
    expect(await x.w.time.run(x.b.tallies.accept(x.id))).toMatchObject({ status: 'open' })
    x.w.net.heal()
    await x.w.time.advance(15_000)
    // Bob signed revision 1, which Alice had signed too: a binding tally on both sides
    expect(await x.a.tallies.get(x.id)).toMatchObject({ status: 'open', revision: 1 })
    expect(await x.b.tallies.get(x.id)).toMatchObject({ status: 'open', revision: 1 })
  })

  it('scenario 12: a one-time token is used once (INVITATION_USED reaches the second partner), expired tokens are refused (INVITATION_EXPIRED), a reusable token clones per redeemer', async () => {
    const w = tallyWorld(1201)
    const [a, b, c] = [await w.wallet('Alice'), await w.wallet('Bob'), await w.wallet('Carol')]
    const once = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 1_000, partnerLimit: 0 })
    const first = await w.time.run(b.tallies.redeem(once.link))
    // a retry by the same partner (its answer was lost) is the same tally, not a refusal
    expect((await w.time.run(b.tallies.redeem(once.link))).id).toBe(first.id)
    await expect(w.time.run(c.tallies.redeem(once.link))).rejects.toMatchObject({ code: 'INVITATION_USED', message: 'this invitation was already used' })
    expect(await c.tallies.list()).toEqual([])
    expect((await a.tallies.invitations()).find(i => i.token === once.token)?.usedAt).toBeDefined()

    const short = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 1_000, partnerLimit: 0, lifetimeMs: 60_000 })
    await w.time.advance(61_000)
    // the partner's wallet sees the expiry in the link itself …
    await expect(c.tallies.redeem(short.link)).rejects.toMatchObject({ code: 'INVITATION_EXPIRED' })
    // … and the inviter's node refuses it too (a partner whose clock is behind)
    const before = dump(a.db)
    const ticket = await makeTicket(nobleProvider, c.identity.userSecret, { token: short.token, tally: short.tally, party: await partyInfo(nobleProvider, c.identity, short.tally, c.memberKey) })
    await expect(w.time.run(c.net.request(a.identity.peerId, NEGOTIATE_PROTOCOL, encodeNegotiate({ t: 'ticket', ticket, cert: c.identity.deviceCert })))).rejects.toMatchObject({ code: 'INVITATION_EXPIRED' })
    expect(dump(a.db)).toBe(before)

    const reusable = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 3_000, partnerLimit: 0, reuse: true })
    const tb = await w.time.run(b.tallies.redeem(reusable.link))
    const tc = await w.time.run(c.tallies.redeem(reusable.link))
    expect(tb.id).not.toBe(tc.id)
    expect(tb.id).not.toBe(reusable.tally)
    await w.time.run(b.tallies.accept(tb.id))
    await w.time.run(c.tallies.accept(tc.id))
    await w.time.advance(500)
    const open = (await a.tallies.list()).filter(t => t.status === 'open').map(t => t.partner?.name).sort()
    expect(open).toEqual(['Bob', 'Carol'])
  })

  it('scenario 13: a tampered offer, a replayed open, garbage and oversized messages are refused with named errors and change nothing', async () => {
    const { w, a, b, id } = await negotiated(1301)
    const rec = await record(b, id)
    const offer = { doc: rec.negotiation.doc, sigs: rec.negotiation.sigs }
    const send = async (from: TallyWallet, to: TallyWallet, body: Uint8Array): Promise<unknown> => await w.time.run(from.net.request(to.identity.peerId, NEGOTIATE_PROTOCOL, body))
    const beforeA = dump(a.db)
    const beforeB = dump(b.db)
    // a tampered offer (the limit changed after the signature)
    const tampered = structuredClone(offer)
    tampered.doc.stock.terms.limit = 1
    tampered.doc.revision = 5
    await expect(send(a, b, encodeNegotiate({ t: 'offer', offer: tampered, cert: a.identity.deviceCert }))).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    // the inviter's own old offer replayed to it
    await expect(send(b, a, encodeNegotiate({ t: 'offer', offer, cert: b.identity.deviceCert }))).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/foil signature is missing/) })
    // the partner's signature moved onto a changed document
    const moved = { doc: { ...offer.doc, revision: 2 }, sigs: { foil: offer.sigs.stock } }
    await expect(send(b, a, encodeNegotiate({ t: 'offer', offer: moved, cert: b.identity.deviceCert }))).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    // an "open" without the partner's signature
    await expect(send(b, a, encodeNegotiate({ t: 'open', tally: offer, cert: b.identity.deviceCert }))).rejects.toMatchObject({ code: 'MALFORMED' })
    // a message from another user's node for this tally
    const c = await w.wallet('Carol')
    await expect(send(c, a, encodeNegotiate({ t: 'open', tally: offer, cert: c.identity.deviceCert }))).rejects.toMatchObject({ code: 'WRONG_PEER' })
    // a device certificate of the partner, sent from another node
    await expect(send(c, a, encodeNegotiate({ t: 'refuse', notice: { body: { tally: id } }, cert: b.identity.deviceCert }))).rejects.toMatchObject({ code: 'WRONG_PEER' })
    // garbage, wrong shapes, unknown tallies, oversize
    await expect(send(b, a, new TextEncoder().encode('not json'))).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(send(b, a, new Uint8Array([0xff, 0xfe]))).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(send(b, a, encodeNegotiate({ t: 'nonsense' } as never))).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(send(b, a, encodeNegotiate({ t: 'open', tally: { doc: { id: 'unknown-tally-id' } }, cert: b.identity.deviceCert }))).rejects.toMatchObject({ code: 'UNKNOWN_TALLY' })
    await expect(send(b, a, new Uint8Array(MAX_NEGOTIATE_BYTES + 1))).rejects.toMatchObject({ code: 'TOO_LARGE' })
    await expect(send(b, a, encodeNegotiate({ t: 'ticket', ticket: { v: 1 }, cert: null }))).rejects.toMatchObject({ code: 'MALFORMED' })
    expect(dump(a.db)).toBe(beforeA)
    expect(dump(b.db)).toBe(beforeB)
    // the real acceptance still works, and replaying it changes nothing
    await w.time.run(b.tallies.accept(id))
    await w.time.advance(500)
    const open = await record(b, id)
    const afterA = dump(a.db)
    await expect(send(b, a, encodeNegotiate({ t: 'open', tally: { doc: open.negotiation.doc, sigs: open.negotiation.sigs }, cert: b.identity.deviceCert }))).resolves.toBeDefined()
    expect(dump(a.db)).toBe(afterA)
    expect(await a.tallies.get(id)).toMatchObject({ status: 'open' })
  })

  it('scenario 40: an answer to an offline partner is queued, survives a reload, and is delivered when the partner is back', async () => {
    const { w, a, b, id } = await negotiated(4001)
    w.net.partition([[a.identity.peerId], [b.identity.peerId]])
    const view = await w.time.run(b.tallies.accept(id))
    expect(view.status).toBe('open')
    expect(await a.tallies.get(id)).toMatchObject({ status: 'offer', awaiting: 'partner' })
    const b2 = await b.reload()
    await w.time.advance(3000)
    expect(await a.tallies.get(id)).toMatchObject({ status: 'offer' })
    w.net.heal()
    await w.time.advance(10_000)
    expect(await a.tallies.get(id)).toMatchObject({ status: 'open' })
    expect(await b2.tallies.get(id)).toMatchObject({ status: 'open' })
    const a2 = await a.reload()
    expect(await a2.tallies.get(id)).toMatchObject({ status: 'open', partner: { name: 'Bob' } })
  })
})
