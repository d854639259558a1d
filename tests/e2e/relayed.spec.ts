import { chromium } from '@playwright/test'
import { rmSync } from 'node:fs'
import { test, expect } from './fixtures/test'
import { chromiumLaunchOptions, webrtcBlockedProfile } from './fixtures/browser'
import { connectTo, contactLinkOf, expectConnected, openWallet, openWalletIn, peerRow } from './lib/wallet'

// WebRTC is blocked in Bob's browser for real (profile pref webrtc.ip_handling_policy =
// disable_non_proxied_udp: ICE gathers no candidate at all, see fixtures/browser.ts), as a symmetric NAT
// would leave it. The app is not told (no ?webrtc=0): it must find out and fall back to the relay.
test('with WebRTC blocked in one browser, the hello still goes through, relayed, and the UI says "relayed"', async ({ browser, relay }) => {
  test.setTimeout(60_000) // a failing ICE attempt has to time out first
  const profile = webrtcBlockedProfile()
  const blocked = await chromium.launchPersistentContext(profile, chromiumLaunchOptions())
  try {
    const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWalletIn(blocked, relay.url, 'Bob')])
    const link = await contactLinkOf(bob.page)
    await connectTo(alice.page, link)
    await expectConnected(alice.page, 'Bob', 'relayed', 40_000)
    await expectConnected(bob.page, 'Alice', 'relayed', 10_000)
    await expect(peerRow(alice.page, 'Bob')).toContainText('relayed')
    await expect(peerRow(bob.page, 'Alice')).toContainText('relayed')
    expect([...alice.errors, ...bob.errors]).toEqual([])
  } finally {
    await blocked.close()
    rmSync(profile, { recursive: true, force: true })
  }
})
