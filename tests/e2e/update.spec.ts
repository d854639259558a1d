import { test, expect } from './fixtures/test'
import { UPDATE_BUILD_ID, UPDATE_DIST } from './fixtures/paths'
import { byId, expectReserved, openWallet, T, userIdOf, waitForServiceWorker, watchErrors } from './lib/wallet'
import type { Page } from '@playwright/test'

async function buildIdOf (page: Page): Promise<string> {
  const el = byId(page, T.buildId)
  await expect(el).toBeAttached()
  return ((await el.getAttribute('data-build-id')) ?? (await el.textContent()) ?? '').trim()
}

const checkForUpdate = (page: Page): Promise<void> => page.evaluate(async () => {
  const reg = await navigator.serviceWorker.getRegistration()
  await reg?.update()
})

test('accepting an update with two tabs open reloads both into the new build', async ({ browser, relay }) => {
  test.setTimeout(45_000)
  const alice = await openWallet(browser, relay.url, 'Alice')
  await expectReserved(alice.page)
  await waitForServiceWorker(alice.page)
  await alice.page.reload() // now the service worker controls this tab
  expect(await userIdOf(alice.page)).toBe(alice.userId)
  const oldBuild = await buildIdOf(alice.page)
  expect(oldBuild).not.toBe('')
  expect(oldBuild).not.toContain(UPDATE_BUILD_ID)

  const second = await alice.context.newPage()
  const errors = watchErrors(second, 'second tab')
  await second.goto(relay.url)
  await expect(byId(second, T.otherTab)).toBeVisible()

  // The operator deploys a new build: same origin, same relay identity.
  await relay.redeploy(UPDATE_DIST)
  await Promise.all([checkForUpdate(alice.page), checkForUpdate(second)])
  const banner = byId(alice.page, T.updateBanner)
  await expect(banner).toBeVisible({ timeout: 15_000 })
  await expect(byId(alice.page, T.buildId)).not.toContainText(UPDATE_BUILD_ID) // nothing applied without consent

  const reloads = [alice.page, second].map(p => p.waitForEvent('load', { timeout: 20_000 }))
  await byId(alice.page, T.updateAccept).click()
  await Promise.all(reloads)
  for (const page of [alice.page, second]) {
    await expect.poll(() => buildIdOf(page), { timeout: 10_000 }).toContain(UPDATE_BUILD_ID)
  }
  // The wallet comes back in one of the tabs (no IndexedDB "blocked" stall), with the same identity.
  const holderOf = async (): Promise<Page | undefined> => {
    for (const page of [alice.page, second]) if (await byId(page, T.userId).isVisible()) return page
    return undefined
  }
  await expect.poll(async () => (await holderOf()) !== undefined, { timeout: 15_000 }).toBe(true)
  const holder = await holderOf() as Page
  expect(await userIdOf(holder)).toBe(alice.userId)
  await expectReserved(holder)
  expect([...alice.errors, ...errors]).toEqual([])
})
