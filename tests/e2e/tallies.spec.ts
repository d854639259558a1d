import { test, expect } from './fixtures/test'
import { byId, openWallet, T } from './lib/wallet'
import { CERTIFY_TIMEOUT, chitByMemo, chitRows, expectBalance, expectTallyState, invite, openLink, openTally, trade } from './fixtures/tallies'

// Two wallets (two browser contexts) over the relay: invite by link, accept, then pay, invoice, accept one
// invoice and decline another; exact balances from each side; everything survives reloading both.
test('invite → accept → pay, invoice, accept and decline → exact balances on both sides, also after reloading both', async ({ browser, relay }) => {
  test.setTimeout(90_000) // 14-25 s on a quiet machine; the headroom is for 2 cores shared with other runs
  const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWallet(browser, relay.url, 'Bob')])
  // Close the wallets: a context left open keeps its node running (and the CPU busy) for the next spec.
  try {

    // Alice extends credit: Bob may owe her 100, she may owe him 50.
    const link = await invite(alice.page, { kind: 'extend', myLimit: '100', partnerLimit: '50', memo: 'Garden produce' })
    expect(link).toContain('#invite=')
    await expect(byId(alice.page, T.inviteExpiry)).toContainText('expires in')

    // Bob opens the link in his wallet: who invites and the terms from his side, before anything is sent.
    await openLink(bob.page, link)
    await expect(byId(bob.page, T.offerFrom)).toContainText('Alice')
    await expect(byId(bob.page, T.offerIGrant)).toHaveAttribute('data-units', '50000')
    await expect(byId(bob.page, T.offerPartnerGrants)).toHaveAttribute('data-units', '100000')
    await expect(byId(bob.page, T.offerMemo)).toContainText('Garden produce')
    await byId(bob.page, T.contractText).locator('summary').click()
    await expect(byId(bob.page, T.contractText)).toContainText('MyCHIPs Tally Agreement')
    await byId(bob.page, T.offerAccept).click()
    await expectTallyState(bob.page, 'open')

    // Alice sees the tally open too (live, no reload).
    await openTally(alice.page, 'Bob')
    await expectTallyState(alice.page, 'open')

    // Bob pays 12.5 → Bob owes Alice 12.5.
    await trade(bob.page, 'pay', '12.5', 'Tomatoes')
    await expect(byId(bob.page, T.tradeResult)).toContainText('certified')
    await expect(chitByMemo(bob.page, 'Tomatoes')).toHaveAttribute('data-status', 'final')
    await expectBalance(bob.page, -12_500)
    await expectBalance(alice.page, 12_500)
    await expect(chitByMemo(alice.page, 'Tomatoes')).toHaveAttribute('data-units', '12500')

    // Alice invoices 5 (Eggs) and 3.25 (Honey); Bob pays one and declines the other.
    await trade(alice.page, 'invoice', '5', 'Eggs')
    await trade(alice.page, 'invoice', '3.250', 'Honey')
    const eggs = chitByMemo(bob.page, 'Eggs').filter({ has: bob.page.getByTestId(T.chitAccept) })
    await expect(eggs).toHaveAttribute('data-status', 'invoice-open', { timeout: CERTIFY_TIMEOUT })
    await expect(eggs).toHaveAttribute('data-units', '-5000')
    await eggs.getByTestId(T.chitAccept).click()
    const honey = chitByMemo(bob.page, 'Honey').filter({ has: bob.page.getByTestId(T.chitDecline) })
    await expect(honey).toHaveAttribute('data-status', 'invoice-open', { timeout: CERTIFY_TIMEOUT })
    await honey.getByTestId(T.chitDecline).click()

    const check = async (): Promise<void> => {
      await expectBalance(alice.page, 17_500)
      await expectBalance(bob.page, -17_500)
      // Available credit each way: Bob may owe 100 (17.5 used); Alice may owe 50 and is owed 17.5.
      await expect(byId(bob.page, T.tallyAvailableMe)).toHaveAttribute('data-units', '82500', { timeout: CERTIFY_TIMEOUT })
      await expect(byId(bob.page, T.tallyAvailablePartner)).toHaveAttribute('data-units', '67500')
      await expect(byId(alice.page, T.tallyAvailableMe)).toHaveAttribute('data-units', '67500')
      await expect(byId(alice.page, T.tallyAvailablePartner)).toHaveAttribute('data-units', '82500')
      for (const page of [alice.page, bob.page]) {
        await expect(chitByMemo(page, 'Eggs').first()).toHaveAttribute('data-status', 'invoice-paid', { timeout: CERTIFY_TIMEOUT })
        await expect(chitByMemo(page, 'Honey').first()).toHaveAttribute('data-status', 'invoice-declined', { timeout: CERTIFY_TIMEOUT })
        await expect(chitRows(page).and(page.locator('[data-status="pending"]'))).toHaveCount(0, { timeout: CERTIFY_TIMEOUT })
        await expect(chitRows(page).and(page.locator('[data-status="refused"]'))).toHaveCount(0)
      }
    }
    await check()

    // Reload both: the same state comes back from IndexedDB.
    await Promise.all([alice.page.reload(), bob.page.reload()])
    await Promise.all([openTally(alice.page, 'Bob'), openTally(bob.page, 'Alice')])
    await expectTallyState(alice.page, 'open')
    await check()
    expect([...alice.errors, ...bob.errors]).toEqual([])
  } finally {
    await Promise.all([alice.context.close(), bob.context.close()])
  }
})
