import { test, expect } from './fixtures/test'
import { byId, openWallet, T } from './lib/wallet'
import { expectTallyState, invite, openLink, openTally } from './fixtures/tallies'

// Scenario 11 (research/mychips.md §9): the holder of an offer withdraws it to revise it. Bob counters Alice's
// invitation, then withdraws his counter-offer: Alice is told at once (her Accept is gone, the screen says Bob
// withdrew it); Bob offers again with other limits, Alice accepts, and the tally opens with the revised terms.
test('withdraw an offer to revise it: the partner sees it withdrawn and cannot accept it; the revised offer opens the tally', async ({ browser, relay }) => {
  test.setTimeout(90_000)
  const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWallet(browser, relay.url, 'Bob')])
  try {
    const link = await invite(alice.page, { kind: 'extend', myLimit: '100', partnerLimit: '0' })
    await openLink(bob.page, link)
    await byId(bob.page, T.offerCounter).click()
    await byId(bob.page, T.counterMyLimit).fill('10')
    await byId(bob.page, T.counterPartnerLimit).fill('250')
    await byId(bob.page, T.counterSubmit).click()
    await expectTallyState(bob.page, 'awaiting-partner')

    await openTally(alice.page, 'Bob')
    await expectTallyState(alice.page, 'awaiting-me')
    await expect(byId(alice.page, T.offerAccept)).toBeVisible()

    // Bob withdraws his counter-offer.
    await byId(bob.page, T.offerRevise).click()
    await expectTallyState(bob.page, 'revising')
    await expect(byId(bob.page, T.offerRevising)).toHaveAttribute('data-revised-by', 'me')

    // Alice is notified: the offer is gone from her screen.
    await expectTallyState(alice.page, 'revising')
    await expect(byId(alice.page, T.offerRevising)).toHaveAttribute('data-revised-by', 'partner')
    await expect(byId(alice.page, T.offerRevising)).toContainText('Bob withdrew the offer')
    await expect(byId(alice.page, T.offerAccept)).toHaveCount(0)

    // Bob offers again, asking for less credit; Alice accepts the revised offer.
    await expect(byId(bob.page, T.offerAgainMyLimit)).toHaveValue('10')
    await byId(bob.page, T.offerAgainPartnerLimit).fill('200')
    await byId(bob.page, T.offerAgain).click()
    await expectTallyState(bob.page, 'awaiting-partner')
    await expectTallyState(alice.page, 'awaiting-me')
    await expect(byId(alice.page, T.offerIGrant)).toHaveAttribute('data-units', '200000')
    await expect(byId(alice.page, T.offerPartnerGrants)).toHaveAttribute('data-units', '10000')
    await byId(alice.page, T.offerAccept).click()
    await expectTallyState(alice.page, 'open')
    await expectTallyState(bob.page, 'open')
    await expect(byId(bob.page, T.tallyAvailableMe)).toHaveAttribute('data-units', '200000')
    await expect(byId(alice.page, T.tallyAvailableMe)).toHaveAttribute('data-units', '10000')
    expect([...alice.errors, ...bob.errors]).toEqual([])
  } finally {
    await Promise.all([alice.context.close(), bob.context.close()])
  }
})
