import { test, expect } from './fixtures/test'
import { openWallet, restoreWallet, userIdOf, watchErrors, expectReserved } from './lib/wallet'

test('restoring from the recovery phrase in another browser profile gives the same user id', async ({ browser, relay }) => {
  const alice = await openWallet(browser, relay.url, 'Alice')
  const other = await browser.newContext()
  const page = await other.newPage()
  const errors = watchErrors(page, 'restored')
  await page.goto(relay.url)
  await restoreWallet(page, alice.phrase, 'Alice (laptop)')
  expect(await userIdOf(page)).toBe(alice.userId)
  await expectReserved(page)
  expect([...alice.errors, ...errors]).toEqual([])
})
