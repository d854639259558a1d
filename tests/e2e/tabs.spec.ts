import { test, expect } from './fixtures/test'
import { byId, expectReserved, openWallet, T, userIdOf, watchErrors } from './lib/wallet'

test('a second tab says the wallet is open in another tab, and can take it over', async ({ browser, relay }) => {
  const alice = await openWallet(browser, relay.url, 'Alice')
  await expectReserved(alice.page)
  const second = await alice.context.newPage()
  const errors = watchErrors(second, 'second tab')
  await second.goto(relay.url)
  await expect(byId(second, T.otherTab)).toBeVisible()
  await expect(byId(second, T.otherTab)).toContainText(/another tab/i)
  await expect(byId(second, T.nodeStatus)).toHaveCount(0) // no second node in this tab

  await byId(second, T.takeOver).click()
  expect(await userIdOf(second)).toBe(alice.userId)
  await expectReserved(second)
  // The first tab let go and says where the wallet went.
  await expect(byId(alice.page, T.movedAway)).toBeVisible()
  await expect(byId(alice.page, T.movedAway)).toContainText(/moved to another tab/i)
  await expect(byId(alice.page, T.nodeStatus)).toHaveCount(0)
  expect([...alice.errors, ...errors]).toEqual([])
})
