import { test, expect } from './fixtures/test'
import { byId, expectReserved, openWallet, T, userIdOf, waitForServiceWorker } from './lib/wallet'

test('a reload while offline shows the app shell, the wallet and the offline status', async ({ browser, relay }) => {
  const alice = await openWallet(browser, relay.url, 'Alice')
  await expectReserved(alice.page)
  await waitForServiceWorker(alice.page)
  // Offline for real: the browser context has no network and the relay (the app's origin) is gone too,
  // so only the service worker's precache can serve the page.
  await relay.stop()
  await alice.context.setOffline(true)
  await alice.page.reload()
  expect(await userIdOf(alice.page)).toBe(alice.userId)
  await expect(byId(alice.page, T.offlineBanner)).toBeVisible()
  await expect(byId(alice.page, T.nodeStatus)).toContainText('offline')
  await expect(byId(alice.page, T.nodeStatus)).toHaveAttribute('data-phase', 'offline')
  expect(alice.errors).toEqual([])
})
