// Scenario 11 (research/mychips.md §9: "Revise: offer.draft → draft with both signatures cleared; the peer is
// notified") between real wallet nodes on libp2p through the project's relay on loopback: the inviter
// withdraws its offer, the partner's node is told over /mychips/negotiate/1.0.0 and can no longer accept it
// (OFFER_WITHDRAWN); the revised offer is received and accepted, and the tally opens with the new terms on both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TallyApi, TallyView } from '../../src/node/api'
import { startTestRelay, waitFor } from './helpers/relay'
import type { TestRelay } from './helpers/relay'
import { startTestWallet } from './helpers/wallets'
import type { TestWallet } from './helpers/wallets'

const BASE = 'https://wallet.example/'
let relay: TestRelay
let alice: TestWallet
let bob: TestWallet

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
  ;[alice, bob] = await Promise.all([startTestWallet('Alice', [relay.addr]), startTestWallet('Bob', [relay.addr])])
  await waitFor(() => [alice, bob].every(w => w.node.status().relays[0]?.state === 'reserved' && w.node.contact().addrs.length > 0), 15_000, 'both reserved')
})

afterAll(async () => {
  await Promise.all([alice?.node.stop(), bob?.node.stop()])
  await relay?.stop()
})

describe('scenario 11 over libp2p: revise', () => {
  it('the inviter withdraws its offer → the partner is notified and cannot accept it; the revised offer opens the tally', async () => {
    const inv = await t(alice).invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 1_000 })
    const { id } = await t(bob).redeem(inv.link)
    await until(alice, id, v => v.status === 'offer' && v.awaiting === 'partner', 'Alice holds her signed offer')

    expect(await t(alice).revise(id)).toMatchObject({ status: 'draft', revisedBy: 'me', revision: 2, awaiting: 'me' })
    const told = await until(bob, id, v => v.status === 'draft', 'Bob is notified of the revise')
    expect(told).toMatchObject({ revisedBy: 'partner', revision: 2 })
    await expect(t(bob).accept(id)).rejects.toMatchObject({ code: 'OFFER_WITHDRAWN' })
    await expect(t(bob).counter(id, { myLimit: 5 })).rejects.toMatchObject({ code: 'OFFER_WITHDRAWN' })
    expect(await t(bob).get(id)).toMatchObject({ status: 'draft' })
    await expect(t(bob).pay(id, 1)).rejects.toMatchObject({ code: 'TALLY_NOT_OPEN' })

    // Alice offers again with a lower limit: Bob sees the new offer and accepts it.
    expect(await t(alice).offerAgain(id, { myLimit: 6_000 })).toMatchObject({ status: 'offer', awaiting: 'partner', revision: 2 })
    const offer = await until(bob, id, v => v.status === 'offer' && v.awaiting === 'me', 'Bob receives the revised offer')
    expect(offer.terms).toMatchObject({ stockLimit: 6_000, foilLimit: 1_000 })
    expect(offer.revisedBy).toBeUndefined()
    await t(bob).accept(id)
    await until(alice, id, v => v.status === 'open', 'Alice sees the tally open')
    expect(await t(alice).get(id)).toMatchObject({ status: 'open', terms: { stockLimit: 6_000 }, availableToPartner: 6_000 })

    // and it trades: certified by both nodes
    expect(await t(bob).pay(id, 2_500, 'after the revision')).toMatchObject({ status: 'final', units: -2_500 })
    await until(alice, id, v => v.balance === 2_500, 'Alice sees the payment')
    await expect(t(alice).revise(id)).rejects.toMatchObject({ code: 'FORBIDDEN_TRANSITION' })
  })
})
