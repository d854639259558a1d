// Tallies between real wallet nodes (libp2p through the project's relay on loopback, the real diary
// service): full negotiation with a counter-offer, a refusal, payments and invoices certified by both
// nodes, and the refusals: a forged invitation link, a tampered offer (invalid signature), over-limit
// payments, expired and reused invitations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../src/core/crypto/noble'
import { fromBase64url, toBase64url } from '../../src/core/codec/base64url'
import { NEGOTIATE_PROTOCOL, encodeNegotiate } from '../../src/node/protocols/negotiate'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { certifyDevice } from '../../src/core/keys/device'
import { createLibp2pNode } from '../../src/node/net/libp2p/node'
import { Libp2pNetwork } from '../../src/node/net/libp2p/network'
import { silentLogger, systemTimers } from '../../src/node/ports'
import type { TallyApi, TallyView } from '../../src/node/api'
import { startTestRelay, waitFor } from './helpers/relay'
import type { TestRelay } from './helpers/relay'
import { startTestWallet } from './helpers/wallets'
import type { TestWallet } from './helpers/wallets'

const BASE = 'https://wallet.example/'
let relay: TestRelay
let alice: TestWallet
let bob: TestWallet
let carol: TestWallet

const t = (w: TestWallet): TallyApi => w.node.tallies!

async function until (w: TestWallet, id: string, check: (v: TallyView) => boolean, what: string): Promise<TallyView> {
  const end = Date.now() + 10_000
  for (;;) {
    const view = await t(w).get(id)
    if (check(view)) return view
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what} (last: ${JSON.stringify(view)})`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

beforeAll(async () => {
  relay = await startTestRelay()
  ;[alice, bob, carol] = await Promise.all([startTestWallet('Alice', [relay.addr]), startTestWallet('Bob', [relay.addr]), startTestWallet('Carol', [relay.addr])])
  await waitFor(() => [alice, bob, carol].every(w => w.node.status().relays[0]?.state === 'reserved' && w.node.contact().addrs.length > 0), 15_000, 'all reserved')
})

afterAll(async () => {
  await Promise.all([alice?.node.stop(), bob?.node.stop(), carol?.node.stop()])
  await relay?.stop()
})

describe('tallies between wallets over libp2p', () => {
  let id = ''

  it('invite → counter-offer → accept: both hold the open tally, then pay, invoice → accept, invoice → decline, over-limit refused', async () => {
    const inv = await t(alice).invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 1_000, memo: 'garden' })
    const offer = await t(bob).redeem(inv.link)
    id = offer.id
    expect(offer).toMatchObject({ status: 'offer', awaiting: 'me', partner: { name: 'Alice' }, memo: 'garden' })
    await t(bob).counter(id, { partnerLimit: 20_000 })
    await until(alice, id, v => v.awaiting === 'me' && v.revision === 2, 'Alice sees the counter-offer')
    await t(alice).accept(id)
    await until(bob, id, v => v.status === 'open', 'Bob sees the tally open')
    expect(await t(alice).get(id)).toMatchObject({ status: 'open', terms: { stockLimit: 20_000, foilLimit: 1_000 } })

    expect(await t(bob).pay(id, 4_000, 'seeds')).toMatchObject({ status: 'final', units: -4_000 })
    await until(alice, id, v => v.balance === 4_000, 'Alice sees the payment')
    const invoice = await t(alice).invoice(id, 1_500, 'labour')
    await until(bob, id, v => v.invoicesToMe === 1, 'Bob sees the invoice')
    expect(await t(bob).acceptInvoice(id, invoice.id)).toMatchObject({ status: 'final', units: -1_500 })
    const second = await t(alice).invoice(id, 700)
    await until(bob, id, v => v.invoicesToMe === 1, 'Bob sees the second invoice')
    await t(bob).declineInvoice(id, second.id, 'no')
    await expect(t(bob).pay(id, 14_501)).rejects.toMatchObject({ code: 'OVER_LIMIT' })
    await until(alice, id, v => v.balance === 5_500 && v.invoicesToPartner === 0, 'Alice sees the final balance')
    expect(await t(bob).get(id)).toMatchObject({ balance: -5_500, availableToMe: 14_500, availableToPartner: 6_500 })
    const chits = await t(alice).chits(id)
    expect(chits.map(c => [c.kind, c.status])).toEqual([['decline', 'final'], ['invoice', 'invoice-declined'], ['payment', 'final'], ['invoice', 'invoice-paid'], ['payment', 'final']])
    // two payments that each fit, but not together: the tally rules refuse one when certified (both nodes agree)
    const both = await Promise.allSettled([t(bob).pay(id, 8_000), t(bob).pay(id, 8_000)])
    expect(both.map(r => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(both.find(r => r.status === 'rejected')).toMatchObject({ reason: { code: 'OVER_LIMIT' } })
    await until(alice, id, v => v.balance === 13_500, 'Alice sees one of the two payments')
    const refusedSeq = (await t(bob).chits(id)).find(c => c.status === 'refused')?.seq ?? 0
    await until(alice, id, v => v.seq >= refusedSeq, 'Alice holds the entry with the refusal')
    expect((await t(alice).chits(id)).filter(c => c.status === 'refused')).toEqual([expect.objectContaining({ units: 8_000, by: 'partner', refusal: expect.objectContaining({ code: 'OVER_LIMIT' }) })])
  })

  it('refusal: the partner refuses → void on both sides', async () => {
    const inv = await t(alice).invite(BASE, { kind: 'ask', myLimit: 0, partnerLimit: 3_000 })
    const offer = await t(carol).redeem(inv.link)
    expect(offer).toMatchObject({ mySide: 'stock', terms: { stockLimit: 3_000 } })
    await t(carol).refuse(offer.id, 'no thanks')
    await until(alice, offer.id, v => v.status === 'void', 'Alice sees the refusal')
  })

  it('expired and reused invitations are refused with named errors the partner sees', async () => {
    const once = await t(alice).invite(BASE, { kind: 'extend', myLimit: 1_000, partnerLimit: 0 })
    await t(carol).redeem(once.link)
    await expect(t(bob).redeem(once.link)).rejects.toMatchObject({ code: 'INVITATION_USED', message: 'this invitation was already used' })
    const short = await t(alice).invite(BASE, { kind: 'extend', myLimit: 1_000, partnerLimit: 0, lifetimeMs: 60_000 })
    // a forged expiry breaks the inviter's signature
    const env = JSON.parse(new TextDecoder().decode(fromBase64url(short.link.split('#invite=')[1]!))) as { body: { expires: number } }
    env.body.expires += 3600_000
    const forged = `${BASE}#invite=${toBase64url(new TextEncoder().encode(JSON.stringify(env)))}`
    await expect(t(bob).redeem(forged)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    // the token expires at the inviter (its record says so, as if a minute had passed); the partner's clock says it is still valid
    await alice.store.write(async tx => {
      const key = `inv/${short.token}`
      const e = await tx.get<{ record: { expires: number } }>('tallies', key)
      await tx.put('tallies', key, { ...e!, record: { ...e!.record, expires: Date.now() - 1 } })
    })
    await expect(t(bob).redeem(short.link)).rejects.toMatchObject({ code: 'INVITATION_EXPIRED', message: 'this invitation has expired' })
    expect((await t(bob).list()).some(v => v.id === short.tally)).toBe(false)
  })

  it('a tampered offer (invalid signature) from a node of the partner is refused and changes nothing', async () => {
    const inv = await t(alice).invite(BASE, { kind: 'extend', myLimit: 2_000, partnerLimit: 0 })
    const offer = await t(bob).redeem(inv.link)
    const rec = await bob.store.read(tx => tx.get<{ negotiation: { doc: { stock: { terms: { limit: number } }, revision: number }, sigs: unknown } }>('tallies', `t/${offer.id}`))
    // a second node certified by Alice's user key (as another device of hers would be) sends Bob a changed offer
    const key = await generateKeyPair('Ed25519')
    const mallory = new Libp2pNetwork(await createLibp2pNode({ host: 'node', privateKey: key, reservations: 0, allowInsecureLoopback: true }), { timers: systemTimers, logger: silentLogger })
    await mallory.start()
    try {
      const cert = await certifyDevice(nobleProvider, alice.identity.userSecret, { userId: alice.identity.userId, peerId: peerIdFromPrivateKey(key).toString(), name: 'Alice 2', issuedAt: Date.now() })
      const tampered = structuredClone({ doc: rec!.negotiation.doc, sigs: rec!.negotiation.sigs })
      tampered.doc.stock.terms.limit = 999_999
      tampered.doc.revision = 2
      const send = async (msg: unknown): Promise<unknown> => await mallory.request(bob.identity.peerId, NEGOTIATE_PROTOCOL, encodeNegotiate(msg as never), { addrs: bob.node.contact().addrs }).catch((e: unknown) => e)
      expect(await send({ t: 'offer', offer: tampered, cert })).toMatchObject({ code: 'INVALID_SIGNATURE' })
      expect(await send({ t: 'offer', offer: tampered, cert: bob.identity.deviceCert })).toMatchObject({ code: 'WRONG_PEER' })
      expect(await send({ t: 'garbage' })).toMatchObject({ code: 'MALFORMED' })
      expect(await t(bob).get(offer.id)).toMatchObject({ status: 'offer', awaiting: 'me', revision: 1, terms: { stockLimit: 2_000 } })
    } finally {
      await mallory.stop()
    }
    await t(bob).accept(offer.id)
    await until(alice, offer.id, v => v.status === 'open', 'open')
    expect((await t(alice).get(offer.id)).terms.stockLimit).toBe(2_000)
  })
})
