import { test, expect } from './fixtures/test'
import { byId, connectTo, contactLinkOf, expectConnected, openWallet, T } from './lib/wallet'

test('two wallets connect through the relay to a direct WebRTC link, exchange hellos, and keep talking after the relay stops', async ({ browser, relay }) => {
  const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWallet(browser, relay.url, 'Bob')])
  const link = await contactLinkOf(bob.page)
  await connectTo(alice.page, link)
  // data-link="direct": the hello ran over a /webrtc connection, not the relayed circuit.
  const row = await expectConnected(alice.page, 'Bob', 'direct')
  await expectConnected(bob.page, 'Alice', 'direct')

  await relay.stop()
  // Both wallets notice that the relay is gone ...
  await expect(byId(alice.page, T.relayState)).not.toHaveAttribute('data-state', 'reserved', { timeout: 15_000 })
  // ... and a fresh hello still goes through, over the direct link.
  const button = row.getByTestId(T.peerHello)
  await button.click()
  await expect(button).toBeEnabled({ timeout: 10_000 }) // the hello round trip finished ...
  await expect(row).toHaveAttribute('data-hello', 'verified') // ... and was verified, with no error shown
  await expect(row.locator('.error')).toHaveCount(0)
  await expect(row).toHaveAttribute('data-link', 'direct')
  expect([...alice.errors, ...bob.errors]).toEqual([])
})
