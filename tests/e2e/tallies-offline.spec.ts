import { test, expect } from './fixtures/test'
import { byId, openWallet, T, watchErrors } from './lib/wallet'
import { chitByMemo, expectBalance, expectTallyState, invite, openLink, openTally, trade } from './fixtures/tallies'

// The partner's page is closed (its wallet node gone): a payment is queued and shown as waiting for the
// partner; when the partner opens the app again, it completes (final) on both sides.
test('a payment to a partner whose page is closed waits for the partner and completes when it comes back', async ({ browser, relay }) => {
  // Bob's return is noticed by Alice's retry (backoff 1 s … 60 s, docs/tallies.md), so allow for a late retry.
  test.setTimeout(120_000)
  const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWallet(browser, relay.url, 'Bob')])
  // Close the wallets: a context left open keeps its node running (and the CPU busy) for the next spec.
  try {
    const link = await invite(alice.page, { kind: 'ask', myLimit: '0', partnerLimit: '40' })
    await openLink(bob.page, link)
    await byId(bob.page, T.offerAccept).click()
    await expectTallyState(bob.page, 'open')
    await openTally(alice.page, 'Bob')
    await expectTallyState(alice.page, 'open')

    // Bob closes the app.
    await bob.page.close()
    await trade(alice.page, 'pay', '7.125', 'Rent share')
    await expect(byId(alice.page, T.tradeResult)).toContainText('queued, waiting for Bob')
    const row = chitByMemo(alice.page, 'Rent share')
    await expect(row).toHaveAttribute('data-status', 'pending')
    await expect(row).toContainText('queued, waiting for the partner')
    await expect(byId(alice.page, T.tallyState)).toHaveAttribute('data-waiting', 'true')
    await expectBalance(alice.page, 0) // nothing certified yet

    // Bob opens the app again: the queued payment is certified by both.
    const page = await bob.context.newPage()
    const errors = watchErrors(page, 'Bob again')
    await page.goto(relay.url)
    await openTally(page, 'Alice')
    const back = Date.now()
    await expectBalance(page, 7_125, 70_000)
    if (process.env.E2E_VERBOSE) console.log(`[tallies-offline] completed ${Date.now() - back} ms after Bob's wallet reopened`)
    await expect(chitByMemo(page, 'Rent share')).toHaveAttribute('data-status', 'final')
    await expect(row).toHaveAttribute('data-status', 'final', { timeout: 15_000 })
    await expectBalance(alice.page, -7_125)
    await expect(byId(alice.page, T.tradeResult)).toContainText('certified by both wallets')
    await expect(byId(alice.page, T.tallyState)).toHaveAttribute('data-waiting', 'false')
    expect([...alice.errors, ...bob.errors, ...errors]).toEqual([])
  } finally {
    await Promise.all([alice.context.close(), bob.context.close()])
  }
})
