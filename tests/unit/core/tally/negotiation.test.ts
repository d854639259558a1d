// research/mychips.md scenarios 8–13 (tally negotiation) at the core level.
import { describe, expect, it } from 'vitest'
import {
  acceptOffer, acceptTicket, cloneTallyId, counterOffer, draftTally, editDraft, makeTicket, phaseOf, receiveOffer, receiveOpen,
  receiveRefusal, receiveRevise, refuseOffer, reviseOffer, signOffer
} from '../../../../src/core/tally/negotiation'
import { createInvitation, redeemInvitation } from '../../../../src/core/tally/invitation'
import { openTally } from '../../../../src/core/tally/state'
import { ForbiddenTransitionError, InvalidTermsError, InvalidTradingVariablesError, InvitationExpiredError, InvitationUsedError, PartyChangedError, StaleRevisionError, UnknownInvitationError, WrongTallyError } from '../../../../src/core/tally/errors'
import { InvalidSignatureError, MalformedError } from '../../../../src/core/errors'
import { WrongSignerError } from '../../../../src/core/codec/envelope'
import { hashOf } from '../../../../src/core/codec/hash'
import { CONTRACT, NOW, TALLY_ID, openWorld, p, partyInfo, user } from './fixtures'

const TOKEN = 'tok_' + 'x'.repeat(22)

async function offered () {
  const alice = await user('Alice', 1, [1])
  const bob = await user('Bob', 2, [4])
  let a = draftTally({ id: TALLY_ID, date: NOW, contract: CONTRACT, holder: 'foil', party: await partyInfo(alice, TALLY_ID), terms: { stock: { limit: 10_000, call: 30 }, foil: { limit: 0, call: 30 } } })
  a = await acceptTicket(p, a, await makeTicket(p, bob.secret, { token: TOKEN, tally: TALLY_ID, party: await partyInfo(bob, TALLY_ID) }), { clone: false })
  const o = await signOffer(p, a, alice.secret)
  const bobParty = await partyInfo(bob, TALLY_ID)
  const b = await receiveOffer(p, { id: TALLY_ID, holder: 'stock', party: bobParty }, o.message)
  return { alice, bob, a: o.negotiation, b, offer: o.message, bobParty }
}

describe('scenario 8: happy path (draft → invitation → offer → open)', () => {
  it('ends with both parties holding the identical document with both signatures, the diary genesis', async () => {
    const w = await openWorld()
    expect(w.aliceNeg.status).toBe('open')
    expect(w.bobNeg.status).toBe('open')
    expect(hashOf(w.aliceNeg.doc)).toBe(hashOf(w.bobNeg.doc))
    expect(w.aliceNeg.sigs).toEqual(w.bobNeg.sigs)
    // "chain ack at index 0 with the tally hash" becomes the diary genesis: the state names the document hash
    expect(w.state.doc).toBe(hashOf(w.signed.doc))
    expect(w.state).toMatchObject({ status: 'open', balance: 0, stock: { chain: { index: 0 } }, foil: { chain: { index: 0 } } })
  })
  it('walks the legacy phases draft → P.draft → H.offer / P.offer → open', async () => {
    const alice = await user('Alice', 1, [1])
    const bob = await user('Bob', 2, [4])
    let a = draftTally({ id: TALLY_ID, date: NOW, contract: CONTRACT, holder: 'foil', party: await partyInfo(alice, TALLY_ID), terms: { stock: { limit: 1, call: 0 }, foil: { limit: 0, call: 0 } } })
    expect(phaseOf(a)).toBe('draft')
    a = await acceptTicket(p, a, await makeTicket(p, bob.secret, { token: TOKEN, tally: TALLY_ID, party: await partyInfo(bob, TALLY_ID) }), { clone: false })
    expect(phaseOf(a)).toBe('P.draft')
    const o = await signOffer(p, a, alice.secret)
    expect(phaseOf(o.negotiation)).toBe('H.offer')
    const b = await receiveOffer(p, { id: TALLY_ID, holder: 'stock', party: await partyInfo(bob, TALLY_ID) }, o.message)
    expect(phaseOf(b)).toBe('P.offer')
  })
  it('the redeemer refuses a first offer from someone other than the inviter (PartyChangedError)', async () => {
    const { offer, bobParty } = await offered()
    const carol = await user('Carol', 3, [7])
    await expect(receiveOffer(p, { id: TALLY_ID, holder: 'stock', party: bobParty, partner: carol.userId }, offer)).rejects.toThrow(PartyChangedError)
    const alice = await user('Alice', 1, [1])
    expect((await receiveOffer(p, { id: TALLY_ID, holder: 'stock', party: bobParty, partner: alice.userId }, offer)).status).toBe('offer')
  })
  it('receiving the same offer or the same open twice is idempotent', async () => {
    const { a, b, offer, bob } = await offered()
    expect(await receiveOffer(p, b, offer)).toBe(b)
    const acc = await acceptOffer(p, b, bob.secret)
    const opened = await receiveOpen(p, a, acc.message)
    expect(await receiveOpen(p, opened, acc.message)).toBe(opened)
  })
  it('refuses to offer an incomplete draft and to sign with the wrong key', async () => {
    const alice = await user('Alice', 1, [1])
    const d = draftTally({ id: TALLY_ID, date: NOW, contract: CONTRACT, holder: 'foil', party: await partyInfo(alice, TALLY_ID), terms: { stock: { limit: 1, call: 0 }, foil: { limit: 0, call: 0 } } })
    await expect(signOffer(p, d, alice.secret)).rejects.toThrow(ForbiddenTransitionError)
    const { bob } = await offered()
    const full = await acceptTicket(p, d, await makeTicket(p, bob.secret, { token: TOKEN, tally: TALLY_ID, party: await partyInfo(bob, TALLY_ID) }), { clone: false })
    await expect(signOffer(p, full, bob.secret)).rejects.toThrow(WrongSignerError)
  })
  it('refuses a draft with invalid terms or trading variables', async () => {
    const alice = await user('Alice', 1, [1])
    const base = { id: TALLY_ID, date: NOW, contract: CONTRACT, holder: 'foil' as const, party: await partyInfo(alice, TALLY_ID) }
    expect(() => draftTally({ ...base, terms: { stock: { limit: -1, call: 0 }, foil: { limit: 0, call: 0 } } })).toThrow(InvalidTermsError)
    expect(() => draftTally({ ...base, terms: { stock: { limit: 1, call: 0 }, foil: { limit: 0, call: 0 } }, vars: { foil: { target: 5, bound: 4, reward: 0, clutch: 0 } } })).toThrow(InvalidTradingVariablesError)
    expect(() => draftTally({ ...base, terms: { stock: { limit: 1.5, call: 0 }, foil: { limit: 0, call: 0 } } })).toThrow(MalformedError)
  })
})

describe('scenario 9: counter-offer', () => {
  it('B changes the terms: revision + 1, only B\'s signature, A gets P.offer, accepts → open on both sides', async () => {
    const { alice, bob, a, b } = await offered()
    const c = await counterOffer(p, b, { stock: { terms: { limit: 8_000, call: 30 } } }, bob.secret)
    expect(c.negotiation.doc.revision).toBe(2)
    expect(Object.keys(c.message.sigs)).toEqual(['stock'])
    const a2 = await receiveOffer(p, a, c.message)
    expect(phaseOf(a2)).toBe('P.offer')
    expect(a2.doc.stock.terms.limit).toBe(8_000)
    const acc = await acceptOffer(p, a2, alice.secret)
    const b2 = await receiveOpen(p, c.negotiation, acc.message)
    expect(b2.status).toBe('open')
    const state = await openTally(p, acc.message)
    expect(state.stock.terms.limit).toBe(8_000)
  })
  it('refuses a counter-offer that alters the receiver\'s own party info (PartyChangedError)', async () => {
    const { a, b, bob } = await offered()
    const evil = await counterOffer(p, b, {}, bob.secret)
    // B rewrites A's member list and re-signs: A must notice.
    const doc = { ...evil.message.doc, foil: { ...evil.message.doc.foil, party: { ...evil.message.doc.foil.party!, members: [{ key: evil.message.doc.stock.party!.members[0]!.key.replace(/^./, 'Z'), weight: 1 }] } } }
    const { signTallyDoc } = await import('../../../../src/core/tally/document')
    const forged = { doc, sigs: { stock: await signTallyDoc(p, bob.secret, doc, 'stock') } }
    await expect(receiveOffer(p, a, forged)).rejects.toThrow(PartyChangedError)
  })
  it('refuses an offer that is not newer than the one in hand (StaleRevisionError)', async () => {
    const { a, b, bob } = await offered()
    const c = await counterOffer(p, b, {}, bob.secret)
    const a2 = await receiveOffer(p, a, c.message)
    // a different document at the same revision 2 (a late or reordered message) does not replace it
    const { signTallyDoc } = await import('../../../../src/core/tally/document')
    const doc = { ...c.message.doc, stock: { ...c.message.doc.stock, terms: { limit: 1, call: 30 } } }
    await expect(receiveOffer(p, a2, { doc, sigs: { stock: await signTallyDoc(p, bob.secret, doc, 'stock') } })).rejects.toThrow(StaleRevisionError)
  })
  it('forbids countering or accepting one\'s own offer', async () => {
    const { a, alice } = await offered()
    await expect(counterOffer(p, a, {}, alice.secret)).rejects.toThrow(ForbiddenTransitionError)
    await expect(acceptOffer(p, a, alice.secret)).rejects.toThrow(ForbiddenTransitionError)
  })
})

describe('scenario 10: refusal', () => {
  it('P.offer → void; the offerer goes H.offer → void; a later duly signed offer revives it', async () => {
    const { alice, bob, a, b } = await offered()
    const r = await refuseOffer(p, b, bob.secret, 'too much')
    expect(r.negotiation.status).toBe('void')
    const a2 = await receiveRefusal(p, a, r.message)
    expect(a2.status).toBe('void')
    expect(await receiveRefusal(p, a2, r.message)).toBe(a2) // duplicate: idempotent
    // Alice revises and offers again (revision 2): Bob's void tally is revived to P.offer
    const { negotiation: draft } = await reviseOffer(p, { ...a, status: 'offer' }, alice.secret)
    const again = await signOffer(p, draft, alice.secret)
    const b2 = await receiveOffer(p, r.negotiation, again.message)
    expect(phaseOf(b2)).toBe('P.offer')
    expect(b2.doc.revision).toBe(2)
  })
  it('refuses a refusal signed by someone other than the partner, or for another revision', async () => {
    const { alice, a, b, bob } = await offered()
    const { signEnvelope } = await import('../../../../src/core/codec/envelope')
    const byAlice = await signEnvelope(p, alice.secret, 'tally-refuse', { tally: TALLY_ID, revision: 1 })
    await expect(receiveRefusal(p, a, byAlice)).rejects.toThrow(WrongSignerError)
    const old = await signEnvelope(p, bob.secret, 'tally-refuse', { tally: TALLY_ID, revision: 7 })
    await expect(receiveRefusal(p, a, old)).rejects.toThrow(StaleRevisionError)
    await expect(refuseOffer(p, a, alice.secret)).rejects.toThrow(ForbiddenTransitionError)
    expect(b.status).toBe('offer')
  })
})

describe('scenario 11: revise', () => {
  it('offer → draft with both signatures cleared and revision + 1; the peer is notified and goes to draft too', async () => {
    const { a, b, bob } = await offered()
    const r = await reviseOffer(p, b, bob.secret)
    expect(r.negotiation).toMatchObject({ status: 'draft', sigs: {}, doc: { revision: 2 } })
    const a2 = await receiveRevise(p, a, r.message)
    expect(a2).toMatchObject({ status: 'draft', sigs: {}, doc: { revision: 2 } })
    const edited = editDraft(r.negotiation, { foil: { terms: { limit: 500, call: 10 } } })
    expect(edited.doc.foil.terms.limit).toBe(500)
    expect(await receiveRevise(p, a2, r.message)).toBe(a2) // a duplicate notice: idempotent
  })
  it('the holder withdraws its own offer: the partner can no longer accept it, and a new offer at the announced revision is received', async () => {
    const { alice, a, b } = await offered()
    const r = await reviseOffer(p, a, alice.secret)
    expect(phaseOf(r.negotiation)).toBe('P.draft')
    const b2 = await receiveRevise(p, b, r.message)
    expect(phaseOf(b2)).toBe('P.draft')
    await expect(acceptOffer(p, b2, (await user('Bob', 2, [4])).secret)).rejects.toThrow(ForbiddenTransitionError)
    const again = await signOffer(p, editDraft(r.negotiation, { stock: { terms: { limit: 8_000, call: 30 } } }), alice.secret)
    expect(again.message.doc.revision).toBe(2)
    const b3 = await receiveOffer(p, b2, again.message)
    expect(phaseOf(b3)).toBe('P.offer')
    expect(b3.doc.stock.terms.limit).toBe(8_000)
    // the withdrawn revision 1 offer is stale now
    await expect(receiveOffer(p, b3, { doc: a.doc, sigs: a.sigs })).rejects.toThrow(StaleRevisionError)
  })
  it('a revise notice for an older revision is stale; one not signed by the partner is refused', async () => {
    const { alice, bob, a, b } = await offered()
    const { signEnvelope } = await import('../../../../src/core/codec/envelope')
    await expect(receiveRevise(p, b, await signEnvelope(p, alice.secret, 'tally-revise', { tally: TALLY_ID, revision: 1 }))).rejects.toThrow(StaleRevisionError)
    await expect(receiveRevise(p, b, await signEnvelope(p, bob.secret, 'tally-revise', { tally: TALLY_ID, revision: 2 }))).rejects.toThrow(WrongSignerError)
    await expect(receiveRevise(p, a, await signEnvelope(p, bob.secret, 'tally-revise', { tally: 'another-tally-id-xx', revision: 2 }))).rejects.toThrow()
  })
  it('an acceptance of the withdrawn offer that crossed the revise notice opens the tally (it carries the withdrawer\'s own signature)', async () => {
    const { alice, bob, a, b } = await offered()
    const r = await reviseOffer(p, a, alice.secret)
    const accepted = await acceptOffer(p, b, bob.secret) // Bob accepted revision 1 before the notice reached him
    const opened = await receiveOpen(p, r.negotiation, accepted.message)
    expect(opened.status).toBe('open')
    expect(opened.doc.revision).toBe(1)
    expect(hashOf(opened.doc)).toBe(hashOf(accepted.negotiation.doc))
    // also once Alice already offered again (H.offer at revision 2)
    const again = await signOffer(p, r.negotiation, alice.secret)
    expect((await receiveOpen(p, again.negotiation, accepted.message)).status).toBe('open')
    // and Bob, open already, refuses the notice
    await expect(receiveRevise(p, accepted.negotiation, r.message)).rejects.toThrow(ForbiddenTransitionError)
  })
  it('an open for two revisions back, or one whose withdrawer signature does not verify, is refused', async () => {
    const { alice, bob, a, b } = await offered()
    const accepted = await acceptOffer(p, b, bob.secret)
    const r2 = await reviseOffer(p, a, alice.secret)
    const o2 = await signOffer(p, r2.negotiation, alice.secret)
    const r3 = await reviseOffer(p, o2.negotiation, alice.secret)
    expect(r3.negotiation.doc.revision).toBe(3)
    await expect(receiveOpen(p, r3.negotiation, accepted.message)).rejects.toThrow(ForbiddenTransitionError)
    await expect(receiveOpen(p, o2.negotiation, accepted.message)).resolves.toMatchObject({ status: 'open' })
    const forged = { doc: accepted.message.doc, sigs: { ...accepted.message.sigs, foil: o2.message.sigs.foil } }
    await expect(receiveOpen(p, r2.negotiation, forged)).rejects.toThrow(InvalidSignatureError)
  })
})

describe('scenario 12: invitation token rules', () => {
  it('a one-time token is used once; the second use fails with InvitationUsedError', () => {
    const rec = createInvitation({ token: TOKEN, tally: TALLY_ID, now: NOW })
    const first = redeemInvitation(rec, TOKEN, NOW + 1)
    expect(first.clone).toBe(false)
    expect(first.record.usedAt).toBe(NOW + 1)
    expect(() => redeemInvitation(first.record, TOKEN, NOW + 2)).toThrow(InvitationUsedError)
  })
  it('an expired token fails with InvitationExpiredError, not silently', () => {
    const rec = createInvitation({ token: TOKEN, tally: TALLY_ID, now: NOW, lifetimeMs: 1000 })
    expect(() => redeemInvitation(rec, TOKEN, NOW + 999)).not.toThrow()
    expect(() => redeemInvitation(rec, TOKEN, NOW + 1000)).toThrow(InvitationExpiredError)
    try { redeemInvitation(rec, TOKEN, NOW + 5000) } catch (e) { expect((e as InvitationExpiredError).code).toBe('INVITATION_EXPIRED') }
  })
  it('an unknown or wrong token fails with UnknownInvitationError', () => {
    const rec = createInvitation({ token: TOKEN, tally: TALLY_ID, now: NOW })
    expect(() => redeemInvitation(rec, 'tok_' + 'y'.repeat(22), NOW)).toThrow(UnknownInvitationError)
    expect(() => redeemInvitation(undefined, TOKEN, NOW)).toThrow(UnknownInvitationError)
  })
  it('a reusable token clones the template per redeemer, each with its own tally id', async () => {
    const rec = createInvitation({ token: TOKEN, tally: TALLY_ID, now: NOW, reuse: true })
    expect(redeemInvitation(rec, TOKEN, NOW).clone).toBe(true)
    expect(redeemInvitation(redeemInvitation(rec, TOKEN, NOW).record, TOKEN, NOW + 1).clone).toBe(true)
    const alice = await user('Alice', 1, [1])
    const template = draftTally({ id: TALLY_ID, date: NOW, contract: CONTRACT, holder: 'stock', party: await partyInfo(alice, TALLY_ID), terms: { stock: { limit: 100, call: 0 }, foil: { limit: 0, call: 0 } } })
    const ids = new Set<string>()
    for (const [name, seed] of [['Bob', 2], ['Carol', 3]] as const) {
      const u = await user(name, seed, [seed + 10])
      const id = cloneTallyId(TALLY_ID, u.userId)
      const clone = await acceptTicket(p, template, await makeTicket(p, u.secret, { token: TOKEN, tally: id, party: await partyInfo(u, id) }), { clone: true })
      expect(clone.doc.id).toBe(id)
      expect(clone.doc.foil.party?.cert.userId).toBe(u.userId)
      ids.add(id)
    }
    expect(ids.size).toBe(2)
    expect(template.doc.foil.party).toBeUndefined() // the template itself is untouched
  })
  it('refuses a ticket for another tally id or signed by someone else than the party it names', async () => {
    const alice = await user('Alice', 1, [1])
    const bob = await user('Bob', 2, [4])
    const d = draftTally({ id: TALLY_ID, date: NOW, contract: CONTRACT, holder: 'foil', party: await partyInfo(alice, TALLY_ID), terms: { stock: { limit: 1, call: 0 }, foil: { limit: 0, call: 0 } } })
    const wrongId = await makeTicket(p, bob.secret, { token: TOKEN, tally: 'other-tally-id', party: await partyInfo(bob, 'other-tally-id') })
    await expect(acceptTicket(p, d, wrongId, { clone: false })).rejects.toThrow(WrongTallyError)
    await expect(makeTicket(p, alice.secret, { token: TOKEN, tally: TALLY_ID, party: await partyInfo(bob, TALLY_ID) })).rejects.toThrow(WrongSignerError)
  })
})

describe('scenario 13: invalid signatures are not applied', () => {
  it('an offer with a bad signature leaves the state unchanged (InvalidSignatureError)', async () => {
    const { offer, bobParty } = await offered()
    const tampered = { ...offer, doc: { ...offer.doc, stock: { ...offer.doc.stock, terms: { limit: 999_999, call: 30 } } } }
    const mine = { id: TALLY_ID, holder: 'stock' as const, party: bobParty }
    await expect(receiveOffer(p, mine, tampered)).rejects.toThrow(InvalidSignatureError)
  })
  it('an open message with a bad or missing signature is refused and the offer stays H.offer', async () => {
    const { a, b, bob } = await offered()
    const acc = await acceptOffer(p, b, bob.secret)
    const badSig = Buffer.from(acc.message.sigs.stock!, 'base64url'); badSig[3]! ^= 1
    await expect(receiveOpen(p, a, { ...acc.message, sigs: { ...acc.message.sigs, stock: badSig.toString('base64url') } })).rejects.toThrow(InvalidSignatureError)
    await expect(receiveOpen(p, a, { ...acc.message, sigs: { foil: acc.message.sigs.foil } })).rejects.toThrow(MalformedError)
    expect(phaseOf(a)).toBe('H.offer')
    await expect(openTally(p, { ...acc.message, sigs: { stock: acc.message.sigs.stock } })).rejects.toThrow(MalformedError)
  })
})

describe('sealed personal details in the certificates', () => {
  it('each party seals its own details with the tally key once it knows the partner\'s seal key; the partner opens them', async () => {
    const { tallySharedKey, sealJson, openJson } = await import('../../../../src/core/crypto/seal')
    const { deriveSealSecret } = await import('../../../../src/core/keys/chain')
    const { fromBase64url } = await import('../../../../src/core/codec/base64url')
    const alice = await user('Alice', 1, [1])
    const bob = await user('Bob', 2, [4])
    let a = draftTally({ id: TALLY_ID, date: NOW, contract: CONTRACT, holder: 'foil', party: await partyInfo(alice, TALLY_ID), terms: { stock: { limit: 10, call: 0 }, foil: { limit: 0, call: 0 } } })
    a = await acceptTicket(p, a, await makeTicket(p, bob.secret, { token: TOKEN, tally: TALLY_ID, party: await partyInfo(bob, TALLY_ID) }), { clone: false })
    const keyA = tallySharedKey(deriveSealSecret(alice.secret, TALLY_ID), fromBase64url(a.doc.stock.party!.seal), TALLY_ID)
    a = editDraft(a, { details: sealJson(keyA, new Uint8Array(24).fill(5), TALLY_ID, 'cert.foil', { surname: 'Ångström', country: 'SE' }) })
    const o = await signOffer(p, a, alice.secret)
    const b = await receiveOffer(p, { id: TALLY_ID, holder: 'stock', party: await partyInfo(bob, TALLY_ID) }, o.message)
    const keyB = tallySharedKey(deriveSealSecret(bob.secret, TALLY_ID), fromBase64url(b.doc.foil.party!.seal), TALLY_ID)
    expect(openJson(keyB, b.doc.foil.party!.cert.details!, TALLY_ID, 'cert.foil')).toEqual({ surname: 'Ångström', country: 'SE' })
    // Bob adds his own details in a counter-offer; Alice's stay as she signed them
    const c = await counterOffer(p, b, { details: sealJson(keyB, new Uint8Array(24).fill(6), TALLY_ID, 'cert.stock', { surname: 'Builder' }) }, bob.secret)
    const a2 = await receiveOffer(p, o.negotiation, c.message)
    expect(openJson(keyA, a2.doc.stock.party!.cert.details!, TALLY_ID, 'cert.stock')).toEqual({ surname: 'Builder' })
    expect(a2.doc.foil.party).toEqual(a.doc.foil.party)
  })
})
