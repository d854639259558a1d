import { test, expect } from './fixtures/test'
import { byId, expectReserved, openWallet, restoreWallet, userIdOf, watchErrors, T } from './lib/wallet'
import { chitByMemo, chitRows, expectBalance, expectTallyState, invite, openLink, openTallies, openTally, tallyRow, trade } from './fixtures/tallies'

// Wallet recovery through the tally UI (docs/protocol.md, Recovery): Alice and Bob open a tally and pay; Alice
// loses her phone; she restores the wallet from the phrase shown at creation in a fresh browser profile (no
// site data) → the tally, its balance and history come back from Bob, and she pays again. Her lost phone,
// switched on again with its old site data, is no longer a member of the tally: what it pays is never
// certified, Bob never sees it, and the phone says it was replaced by another device. (The membership itself
// is not shown in the UI; the unit and integration tests assert the member sets.)
test('restore from the phrase in a fresh profile → tally, balance and history back from the partner; the lost device is out', async ({ browser, relay }) => {
  test.setTimeout(120_000)
  const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWallet(browser, relay.url, 'Bob')])
  const link = await invite(alice.page, { kind: 'extend', myLimit: '100', partnerLimit: '50' })
  await openLink(bob.page, link)
  await byId(bob.page, T.offerAccept).click()
  await expectTallyState(bob.page, 'open')
  await openTally(alice.page, 'Bob')
  await expectTallyState(alice.page, 'open')
  await trade(bob.page, 'pay', '12.5', 'Tomatoes')
  await trade(alice.page, 'pay', '2.5', 'Seeds')
  await expectBalance(alice.page, 10_000)
  await expectBalance(bob.page, -10_000)

  // Alice's phone is lost: its page (and with it the wallet worker) is gone.
  await alice.page.close()

  // A fresh profile: no site data at all. Restore from the phrase shown at creation.
  const fresh = await browser.newContext()
  const page = await fresh.newPage()
  const errors = watchErrors(page, 'Alice restored')
  await page.goto(relay.url)
  await restoreWallet(page, alice.phrase, 'Alice')
  expect(await userIdOf(page)).toBe(alice.userId)
  await expectReserved(page)

  // Bob's wallet sees Alice's new device at the relay's rendezvous and brings it back onto the tally.
  await openTallies(page)
  await expect(tallyRow(page, 'Bob')).toBeVisible({ timeout: 60_000 })
  await openTally(page, 'Bob')
  await expectTallyState(page, 'open')
  await expectBalance(page, 10_000)
  await expect(chitByMemo(page, 'Tomatoes')).toHaveAttribute('data-status', 'final')
  await expect(chitByMemo(page, 'Tomatoes')).toHaveAttribute('data-units', '12500')
  await expect(chitByMemo(page, 'Seeds')).toHaveAttribute('data-units', '-2500')
  await expect(chitRows(page)).toHaveCount(2)

  // The restored device pays: certified by both, Bob sees it.
  await trade(page, 'pay', '1', 'After restore')
  await expect(chitByMemo(page, 'After restore')).toHaveAttribute('data-status', 'final')
  await expectBalance(page, 9_000)
  await expectBalance(bob.page, -9_000)

  // The lost phone is switched on again (its old site data): it is no longer a member of the tally.
  const old = await alice.context.newPage()
  const oldErrors = watchErrors(old, 'Alice lost phone')
  await old.goto(relay.url)
  await expectReserved(old)
  await openTally(old, 'Bob')
  // It learns it was replaced when it tries to pay (or already knows, if the re-seat's certificate reached it).
  const pays = await by(old, T.tradeSubmit).isVisible()
  if (process.env.E2E_VERBOSE) console.log(`[recovery] the lost phone ${pays ? 'pays and is refused' : 'already knew it was replaced'}`)
  if (pays) {
    await by(old, T.tradePay).click()
    await by(old, T.tradeAmount).fill('1')
    await by(old, T.tradeMemo).fill('From the lost phone')
    await by(old, T.tradeSubmit).click()
  }
  // Bob refuses a node that is no longer a member (NOT_A_TALLY_MEMBER), or the lost phone sees from the re-seat
  // that it lost its seat: either way the payment fails for good and the phone says it was replaced, and stops
  // offering to pay (no "waiting for Bob" for ever).
  await expect(by(old, T.tallyReplaced)).toContainText('This device was replaced by another one holding your wallet', { timeout: 30_000 })
  await expectTallyState(old, 'replaced')
  await expect(by(old, T.tradeSubmit)).toHaveCount(0)
  await expect(by(old, T.tallyState)).toContainText('replaced by another device')
  await page.waitForTimeout(6_000)
  await expect(chitByMemo(old, 'From the lost phone').and(old.locator('[data-status="final"]'))).toHaveCount(0)
  await expect(chitByMemo(bob.page, 'From the lost phone')).toHaveCount(0)
  await expectBalance(bob.page, -9_000)
  await expectBalance(page, 9_000)
  expect([...alice.errors, ...bob.errors, ...errors, ...oldErrors]).toEqual([])
  await fresh.close()
})

const by = byId
