import { chromium } from '@playwright/test'
import { rmSync } from 'node:fs'
import { test, expect } from './fixtures/test'
import { chromiumLaunchOptions, webrtcBlockedProfile } from './fixtures/browser'
import { byId, openWallet, openWalletIn, T } from './lib/wallet'
import { chitByMemo, expectBalance, expectTallyState, invite, openLink, openTally, trade } from './fixtures/tallies'

// WebRTC is really blocked in Bob's browser (see relayed.spec.ts): negotiation and chits must still be
// certified over the relayed connection.
test('with WebRTC blocked in one browser, a tally opens and a chit certifies over the relayed connection', async ({ browser, relay }) => {
  test.setTimeout(60_000)
  const profile = webrtcBlockedProfile()
  const blocked = await chromium.launchPersistentContext(profile, chromiumLaunchOptions())
  try {
    const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWalletIn(blocked, relay.url, 'Bob')])
    const link = await invite(alice.page, { kind: 'extend', myLimit: '20', partnerLimit: '0' })
    await openLink(bob.page, link)
    await byId(bob.page, T.offerAccept).click()
    await expectTallyState(bob.page, 'open', 30_000)
    await openTally(alice.page, 'Bob')
    await expectTallyState(alice.page, 'open')

    await trade(bob.page, 'pay', '0.001', 'Smallest amount')
    await expect(chitByMemo(bob.page, 'Smallest amount')).toHaveAttribute('data-status', 'final', { timeout: 20_000 })
    await expectBalance(bob.page, -1)
    await expectBalance(alice.page, 1)
    await expect(chitByMemo(alice.page, 'Smallest amount')).toHaveAttribute('data-status', 'final')
    expect([...alice.errors, ...bob.errors]).toEqual([])
    await alice.context.close()
  } finally {
    await blocked.close()
    rmSync(profile, { recursive: true, force: true })
  }
})
