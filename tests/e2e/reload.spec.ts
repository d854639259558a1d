import { test, expect } from './fixtures/test'
import { byId, expectReserved, openWallet, T, userIdOf } from './lib/wallet'

test('a reload keeps the same user id and reserves again', async ({ browser, relay }) => {
  const alice = await openWallet(browser, relay.url, 'Alice')
  await expectReserved(alice.page)
  await alice.page.reload()
  await expect(byId(alice.page, T.createWallet)).toHaveCount(0)
  expect(await userIdOf(alice.page)).toBe(alice.userId)
  await expectReserved(alice.page)
  expect(alice.errors).toEqual([])
})
