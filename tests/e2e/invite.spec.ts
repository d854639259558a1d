import type { Page } from '@playwright/test'
import { test, expect } from './fixtures/test'
import { byId, expectReserved, openWallet, T } from './lib/wallet'
import { expectTallyState, openTallies } from './fixtures/tallies'

// The invitation itself: the contract is shown on the form before anything is signed; a link opened through
// the registered web+mychips: protocol handler opens the offer like an https link; an expired link says so by
// name and cannot be answered.

/** Makes an invitation on the form and returns its link (the form must be showing). */
async function submitInvite (page: Page, myLimit: string): Promise<string> {
  await byId(page, T.inviteExtend).check()
  await byId(page, T.inviteMyLimit).fill(myLimit)
  await byId(page, T.invitePartnerLimit).fill('0')
  await byId(page, T.inviteSubmit).click()
  await expect(byId(page, T.inviteLink)).toBeVisible()
  return await byId(page, T.inviteLink).inputValue()
}

test('the invite form shows the contract before signing; a web+mychips: link opens the offer; an expired link is refused by name', async ({ browser, relay }) => {
  test.setTimeout(90_000)
  const [alice, bob] = await Promise.all([openWallet(browser, relay.url, 'Alice'), openWallet(browser, relay.url, 'Bob')])
  try {
    // The contract both will sign, readable on the form before the invitation exists.
    await expectReserved(alice.page)
    await openTallies(alice.page)
    await byId(alice.page, T.tallyNew).click()
    const shown = byId(alice.page, T.inviteContract)
    await expect(shown).toHaveAttribute('data-hash', /^[A-Za-z0-9_-]{43}$/)
    const hash = await shown.getAttribute('data-hash')
    await shown.getByTestId(T.contractText).locator('summary').click()
    await expect(shown).toContainText('MyCHIPs Tally Agreement')
    await expect(shown).toContainText('Credit terms')
    await expect(byId(alice.page, T.inviteLink)).toHaveCount(0) // nothing signed yet
    const link = await submitInvite(alice.page, '30')
    // the invitation carries exactly that contract
    await expect(byId(alice.page, T.contractText)).toHaveAttribute('data-hash', hash ?? '')

    // The protocol handler opens <app>/#web%2Bmychips%3Ainvite%3D… (the whole web+mychips: URL, encoded).
    const fragment = link.slice(link.indexOf('#') + 1)
    await bob.page.goto(`${relay.url}#${encodeURIComponent(`web+mychips:${fragment}`)}`)
    await expect(byId(bob.page, T.offer)).toBeVisible()
    await expect(byId(bob.page, T.offerFrom)).toContainText('Alice')
    await expect(byId(bob.page, T.offerPartnerGrants)).toHaveAttribute('data-units', '30000')
    await byId(bob.page, T.offerAccept).click()
    await expectTallyState(bob.page, 'open')

    // An expired invitation: Alice's wallet signs one while its clock reads three days ago (valid one hour).
    const worker = alice.page.workers().find(w => w.url().includes('entry')) ?? alice.page.workers()[0]
    if (worker === undefined) throw new Error('the wallet worker of Alice\'s page was not found')
    await openTallies(alice.page)
    await byId(alice.page, T.tallyNew).click()
    await worker.evaluate(() => {
      const real = Date.now.bind(Date)
      ;(globalThis as { __realNow?: () => number }).__realNow = real
      Date.now = () => real() - 3 * 86_400_000
    })
    let expired: string
    try {
      await byId(alice.page, T.inviteLifetime).selectOption({ label: '1 hour' })
      expired = await submitInvite(alice.page, '5')
    } finally {
      await worker.evaluate(() => { Date.now = (globalThis as { __realNow?: () => number }).__realNow ?? Date.now })
    }
    await bob.page.goto(expired)
    await expect(byId(bob.page, T.offer)).toBeVisible()
    await expect(byId(bob.page, T.offerExpiry)).toContainText('expired')
    await expect(byId(bob.page, T.offerError)).toHaveAttribute('data-code', 'INVITATION_EXPIRED')
    await expect(byId(bob.page, T.offerError)).toContainText('This invitation has expired')
    await expect(byId(bob.page, T.offerAccept)).toBeDisabled()
    await expect(byId(bob.page, T.offerCounter)).toBeDisabled()
    expect([...alice.errors, ...bob.errors]).toEqual([])
  } finally {
    await Promise.all([alice.context.close(), bob.context.close()])
  }
})
