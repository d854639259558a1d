import { test, expect } from './fixtures/test'
import { RelayControl } from './fixtures/relay'
import { byId, connectTo, contactLinkOf, expectConnected, expectReserved, openWallet, T, userIdOf, waitForServiceWorker, watchErrors } from './lib/wallet'
import type { Page } from '@playwright/test'

/** The connect box shows an error a person can read: words, not a stack trace or an empty box. */
async function expectClearConnectError (page: Page): Promise<string> {
  const error = byId(page, T.connectError)
  await expect(error).toBeVisible({ timeout: 20_000 })
  const text = ((await error.textContent()) ?? '').trim()
  expect(text.length).toBeGreaterThan(10)
  expect(text.length).toBeLessThan(400)
  expect(text).not.toMatch(/\bat \S+:\d+|undefined|\[object /) // no stack frames, no leaked placeholders
  return text
}

test('a malformed contact link shows a clear error, and the wallet keeps working', async ({ browser, relay }) => {
  const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWallet(browser, relay.url, 'Bob')])
  const good = await contactLinkOf(bob.page)
  for (const bad of ['hello, this is not a link', good.slice(0, Math.floor(good.length * 0.6)), `${good}!!%%`]) {
    await connectTo(alice.page, bad)
    await expectClearConnectError(alice.page)
    await expectReserved(alice.page)
  }
  // Still working: the good link connects, and the stale error goes away.
  await connectTo(alice.page, good)
  await expectConnected(alice.page, 'Bob', 'direct')
  await expect(byId(alice.page, T.connectError)).toHaveCount(0)
  expect([...alice.errors, ...bob.errors]).toEqual([])
})

test('a contact link naming an unreachable relay shows an error, and the wallet keeps working', async ({ browser, relay }) => {
  // Bob's wallet lives behind a relay of its own; once that relay is gone his link names a dead relay.
  const bobsRelay = new RelayControl()
  await bobsRelay.start()
  try {
    const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWallet(browser, bobsRelay.url, 'Bob')])
    const link = await contactLinkOf(bob.page)
    await bob.context.close()
    await bobsRelay.stop()
    await connectTo(alice.page, link)
    await expectClearConnectError(alice.page)
    await expect(byId(alice.page, T.peerRow).filter({ hasText: 'connected to Bob' })).toHaveCount(0)
    await expectReserved(alice.page)
    expect(alice.errors).toEqual([])
  } finally {
    await bobsRelay.dispose()
  }
})

test('a relay that is down when the wallet starts is shown as down, and the wallet reserves once it comes back', async ({ browser, relay }) => {
  test.setTimeout(45_000)
  // An installed wallet: its first visit cached the app (service worker) and the relay document.
  const alice = await openWallet(browser, relay.url, 'Alice')
  await expectReserved(alice.page)
  await waitForServiceWorker(alice.page)
  await alice.page.close()

  await relay.stop()
  const page = await alice.context.newPage()
  const errors = watchErrors(page, 'Alice, relay down')
  await page.goto(relay.url) // served by the service worker: the relay is down
  expect(await userIdOf(page)).toBe(alice.userId) // the wallet works without its relay
  const relayLine = byId(page, T.relayState)
  await expect(relayLine).toHaveAttribute('data-state', 'down', { timeout: 15_000 })
  await expect(relayLine).toContainText(/unreachable/)
  await expect(relayLine).toContainText(/retrying in \d+ s/)
  await expect(byId(page, T.nodeStatus)).not.toContainText('reservation held')

  await relay.start() // same port, same identity
  await expectReserved(page, 30_000) // picked up by the retry with backoff, no reload
  await expect(relayLine).toHaveAttribute('data-state', 'reserved')
  expect([...alice.errors, ...errors]).toEqual([])
})
