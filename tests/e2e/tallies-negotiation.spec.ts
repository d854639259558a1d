import { test, expect } from './fixtures/test'
import { byId, connectTo, openWallet, T } from './lib/wallet'
import { expectTallyState, invite, openTallies, openTally, tallyRow } from './fixtures/tallies'

// A counter-offer round (pasted link), then the same one-time link refused as used, and a damaged link.
test('counter-offer round: the inviter sees the new terms and accepts; a used or damaged invitation says why', async ({ browser, relay }) => {
  test.setTimeout(90_000) // 14-25 s on a quiet machine; the headroom is for 2 cores shared with other runs
  const [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map(async name => await openWallet(browser, relay.url, name)))
  if (alice === undefined || bob === undefined || carol === undefined) throw new Error('three wallets expected')
  // Close the wallets: a context left open keeps its node running (and the CPU busy) for the next spec.
  try {
    const link = await invite(alice.page, { kind: 'extend', myLimit: '100', partnerLimit: '0' })

    // Bob pastes the link into the Tallies screen, and asks for 250 of credit and offers 10 back.
    await openTallies(bob.page)
    await byId(bob.page, T.linkInput).fill(link)
    await byId(bob.page, T.linkOpen).click()
    await expect(byId(bob.page, T.offerPartnerGrants)).toHaveAttribute('data-units', '100000')
    await byId(bob.page, T.offerCounter).click()
    await byId(bob.page, T.counterMyLimit).fill('10')
    await byId(bob.page, T.counterPartnerLimit).fill('250')
    await byId(bob.page, T.counterSubmit).click()
    await expectTallyState(bob.page, 'awaiting-partner')

    // Alice sees it awaiting her answer, with Bob's terms from her side.
    await openTallies(alice.page)
    await expect(tallyRow(alice.page, 'Bob')).toHaveAttribute('data-state', 'awaiting-me', { timeout: 15_000 })
    await expect(byId(alice.page, T.navTallies)).toContainText('1')
    await openTally(alice.page, 'Bob')
    await expect(byId(alice.page, T.offerIGrant)).toHaveAttribute('data-units', '250000')
    await expect(byId(alice.page, T.offerPartnerGrants)).toHaveAttribute('data-units', '10000')
    await byId(alice.page, T.offerAccept).click()
    await expectTallyState(alice.page, 'open')
    await expectTallyState(bob.page, 'open')
    await expect(byId(bob.page, T.tallyAvailableMe)).toHaveAttribute('data-units', '250000')
    await expect(byId(alice.page, T.tallyAvailableMe)).toHaveAttribute('data-units', '10000')

    // Bob opening the link again is pointed to his tally.
    await bob.page.goto(link)
    await expect(byId(bob.page, T.offer)).toHaveAttribute('data-state', 'known')

    // Carol got the same one-time link and pastes it into the contact box (it opens as an invitation):
    // the preview verifies, but Alice's wallet refuses the ticket.
    await connectTo(carol.page, link)
    await expect(byId(carol.page, T.offerFrom)).toContainText('Alice')
    await byId(carol.page, T.offerAccept).click()
    await expect(byId(carol.page, T.offerError)).toHaveAttribute('data-code', 'INVITATION_USED')
    await expect(byId(carol.page, T.offerError)).toContainText('already used')

    // A link changed in transit is refused before anything is sent.
    const damaged = link.slice(0, -6) + (link.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA')
    await openTallies(carol.page)
    await byId(carol.page, T.linkInput).fill(damaged)
    await byId(carol.page, T.linkOpen).click()
    await expect(byId(carol.page, T.offer)).toHaveAttribute('data-state', 'invalid')
    await expect(byId(carol.page, T.offerError)).not.toBeEmpty()

    // Alice opening her own invitation is told so.
    await alice.page.goto(link)
    await expect(byId(alice.page, T.offerError)).toHaveAttribute('data-code', 'OWN_INVITATION')
    expect([...alice.errors, ...bob.errors, ...carol.errors]).toEqual([])
  } finally {
    await Promise.all([alice.context.close(), bob.context.close(), carol.context.close()])
  }
})
