import { test, expect } from './fixtures/test'
import { byId, expectReserved, openWallet, T } from './lib/wallet'

test('the first visit creates a wallet: a recovery phrase, a user id, and the status reaches "reservation held"', async ({ browser, relay }) => {
  const alice = await openWallet(browser, relay.url, 'Alice')
  expect(await alice.page.evaluate(() => window.isSecureContext)).toBe(true) // http://127.0.0.1 counts as secure
  expect([12, 24]).toContain(alice.phrase.split(' ').length)
  expect(alice.userId).toMatch(/^[A-Za-z0-9_-]{43}$/) // base64url of a 32-byte Ed25519 key
  await expectReserved(alice.page)
  await expect(byId(alice.page, T.relayState)).toHaveAttribute('data-state', 'reserved')
  // Once the reservation is held the wallet offers its contact link, also as a QR code.
  await expect(byId(alice.page, T.contactLink)).toHaveValue(/\S/)
  await expect(byId(alice.page, T.contactQr)).toBeVisible()
  // The page asked for persistent storage and says what it got.
  await expect(byId(alice.page, T.storagePersist)).toHaveAttribute('data-state', /^(granted|denied|unsupported)$/)
  expect(alice.errors).toEqual([])
})
