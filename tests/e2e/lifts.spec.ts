import { expect, type Locator, type Page } from '@playwright/test'
import { test } from './fixtures/test'
import { byId, contactLinkOf, openWallet, T, type OpenedWallet } from './lib/wallet'
import { CERTIFY_TIMEOUT, expectBalance, expectTallyState, invite, openTallies, openTally, trade } from './fixtures/tallies'

// Lifts through the UI (issue 5): four wallets over the relay. Ann, Ben and Cat hold a circle of debts (Ann owes
// Ben 10, Ben owes Cat 7, Cat owes Ann 12); Ann turns auto-clearing on and the circle clears 7 on every tally,
// which all three see the same way. Dan, who has a tally with Ben only (Ben owes him 5), pays Ann 2 CHIPs with
// "Pay anyone" (her user id), then 1 more (her contact link) along Dan → Ben → Ann: good on both ends, balances
// moved on every tally.
// The pages run with ?autoClearMs=1500 so a switched-on wallet looks for a circle every ~1.5 s (default 1 min);
// the setting survives a reload.

/** Time a lift may take to be found, promised and decided (discovery budget + three certifications + referee). */
const LIFT_TIMEOUT = 30_000

/** Opens an invitation by pasting its link into the Tallies screen's link box (no navigation: the page keeps its options). */
async function acceptInvitation (page: Page, link: string): Promise<void> {
  await openTallies(page)
  await byId(page, T.linkInput).fill(link)
  await byId(page, T.linkOpen).click()
  await expect(byId(page, T.offer)).toBeVisible()
  await byId(page, T.offerAccept).click()
  await expectTallyState(page, 'open')
}

/** Credit of 100 CHIPs each way, so payments in either direction fit. */
const TERMS = { kind: 'extend' as const, myLimit: '100', partnerLimit: '100' }

async function pay (from: Page, partner: string, chips: string, memo: string): Promise<void> {
  await openTally(from, partner)
  await expectTallyState(from, 'open')
  await trade(from, 'pay', chips, memo)
  await expect(byId(from, T.tradeResult)).toContainText('certified', { timeout: CERTIFY_TIMEOUT })
}

/** The certified balance of my tally with `partner`, from my side (units). */
async function expectTallyBalance (page: Page, partner: string, units: number): Promise<void> {
  await openTally(page, partner)
  await expectBalance(page, units)
}

async function openLifts (page: Page): Promise<void> {
  await byId(page, T.navHome).click()
  await byId(page, T.liftsOpen).click()
  await expect(byId(page, T.liftsScreen)).toHaveAttribute('data-ready', 'true', { timeout: CERTIFY_TIMEOUT })
}

function liftRows (page: Page, kind: 'circular' | 'linear', status: string): Locator {
  return byId(page, T.liftRow).and(page.locator(`[data-kind="${kind}"][data-status="${status}"]`))
}

test('auto-clearing clears a circle of three wallets alike; a fourth pays one of them through a route with "Pay anyone"', async ({ browser, relay }) => {
  test.setTimeout(150_000) // four wallets, four tallies, three lifts: 39-57 s measured on 2 shared cores (load average 10+)
  const t0 = Date.now()
  const lap = (what: string): void => { if (process.env.E2E_VERBOSE !== undefined) console.log(`[lifts] ${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`) }
  const url = `${relay.url}?autoClearMs=1500`
  const wallets: OpenedWallet[] = await Promise.all(['Ann', 'Ben', 'Cat', 'Dan'].map(async name => await openWallet(browser, url, name)))
  const [ann, ben, cat, dan] = wallets as [OpenedWallet, OpenedWallet, OpenedWallet, OpenedWallet]
  try {
    const annLink = await contactLinkOf(ann.page)
    lap('wallets open')

    // Tallies: Ann–Ben, Ann–Cat (Ann invites), Ben–Cat, Ben–Dan (Ben invites).
    // invite() checks the node status on Home first
    const inviteFromHome = async (page: Page): Promise<string> => { await byId(page, T.navHome).click(); return await invite(page, TERMS) }
    const twoInvitations = async (page: Page): Promise<[string, string]> => [await inviteFromHome(page), await inviteFromHome(page)]
    const [[annToBen, annToCat], [benToCat, benToDan]] = await Promise.all([twoInvitations(ann.page), twoInvitations(ben.page)])
    await Promise.all([
      acceptInvitation(ben.page, annToBen),
      (async () => { await acceptInvitation(cat.page, annToCat); await acceptInvitation(cat.page, benToCat) })(),
      acceptInvitation(dan.page, benToDan)
    ])
    lap('tallies open')

    // Debts by payments: Ann owes Ben 10, Ben owes Cat 7 and Dan 5, Cat owes Ann 12.
    await Promise.all([
      pay(ann.page, 'Ben', '10', 'Ann to Ben'),
      (async () => { await pay(ben.page, 'Cat', '7', 'Ben to Cat'); await pay(ben.page, 'Dan', '5', 'Ben to Dan') })(),
      pay(cat.page, 'Ann', '12', 'Cat to Ann')
    ])
    await Promise.all([expectTallyBalance(ann.page, 'Ben', -10_000), expectTallyBalance(cat.page, 'Ben', 7_000)])
    lap('debts made')

    // Ann turns auto-clearing on; her node finds the circle Ann → Cat → Ben → Ann and lifts 7 (the smallest debt).
    await openLifts(ann.page)
    await expect(byId(ann.page, T.autoClearState)).toHaveAttribute('data-on', 'false')
    await byId(ann.page, T.autoClearSwitch).check()
    await expect(byId(ann.page, T.autoClearState)).toHaveAttribute('data-on', 'true')
    const annClear = liftRows(ann.page, 'circular', 'good')
    await expect(annClear).toHaveCount(1, { timeout: LIFT_TIMEOUT })
    lap('circle cleared (Ann)')
    await expect(annClear).toHaveAttribute('data-units', '7000')
    await expect(annClear).toHaveAttribute('data-role', 'originator')
    await expect(byId(ann.page, T.autoClearState)).toHaveAttribute('data-last-run', /\d+/)

    // All three see the same lift, good, with its effect on each of their tallies (partner named).
    for (const [w, role] of [[ben, 'intermediary'], [cat, 'intermediary']] as const) {
      await openLifts(w.page)
      const row = liftRows(w.page, 'circular', 'good')
      await expect(row).toHaveCount(1, { timeout: LIFT_TIMEOUT })
      await expect(row).toHaveAttribute('data-role', role)
      await expect(row).toHaveAttribute('data-lift-id', (await annClear.getAttribute('data-lift-id')) ?? '')
      await expect(row.getByTestId(T.liftEffect)).toHaveCount(2)
    }
    await expect(annClear.getByTestId(T.liftEffect).filter({ hasText: 'Ben' })).toHaveAttribute('data-units', '7000')
    await expect(annClear.getByTestId(T.liftEffect).filter({ hasText: 'Cat' })).toHaveAttribute('data-units', '-7000')
    // The same balances from both sides of every tally: Ann owes Ben 3, Ben and Cat are even, Cat owes Ann 5.
    await Promise.all([
      (async () => { await expectTallyBalance(ann.page, 'Ben', -3_000); await expectTallyBalance(ann.page, 'Cat', 5_000) })(),
      (async () => { await expectTallyBalance(ben.page, 'Ann', 3_000); await expectTallyBalance(ben.page, 'Cat', 0) })(),
      (async () => { await expectTallyBalance(cat.page, 'Ben', 0); await expectTallyBalance(cat.page, 'Ann', -5_000) })()
    ])
    // The lift chit shows in a tally's history as a lift, good.
    const liftChit = byId(cat.page, T.chitRow).and(cat.page.locator('[data-kind="lift"]'))
    await expect(liftChit).toHaveCount(1)
    await expect(liftChit.getByTestId(T.chitLiftStatus)).toHaveAttribute('data-status', 'good')
    lap('all three checked')

    // Dan pays Ann 2 CHIPs with "Pay anyone" by her user id: a quote (route Dan → Ben → Ann, no fee), confirm.
    // Nothing links Dan's and Ann's wallets: her node, the route's end, reaches Dan's referee by the addresses
    // the lift record gives it.
    await byId(dan.page, T.navHome).click()
    await byId(dan.page, T.liftsPayOpen).click()
    await byId(dan.page, T.payPayee).fill(ann.userId)
    await byId(dan.page, T.payAmount).fill('2')
    await byId(dan.page, T.payReview).click()
    const quote = byId(dan.page, T.payQuote)
    await expect(quote).toBeVisible({ timeout: LIFT_TIMEOUT })
    lap('quote')
    await expect(quote).toHaveAttribute('data-units', '2000')
    await expect(quote).toHaveAttribute('data-fee', '0')
    await expect(quote).toHaveAttribute('data-legs', '2')
    await expect(quote).toHaveAttribute('data-to', ann.userId)
    await expect(quote).not.toHaveAttribute('data-reach') // a bare user id: no hello
    await byId(dan.page, T.payConfirm).click()
    await expect(byId(dan.page, T.payResult)).toHaveAttribute('data-status', 'good', { timeout: LIFT_TIMEOUT })
    lap('paid by user id')
    await expect(byId(dan.page, T.payProgress)).toHaveAttribute('data-step', 'good')
    await expect(liftRows(dan.page, 'linear', 'good')).toHaveAttribute('data-units', '2000')

    // A payment no route can carry is refused in words: Ben and Cat are even, so nothing reaches Cat from Dan.
    await byId(dan.page, T.payAgain).click()
    await byId(dan.page, T.payPayee).fill(cat.userId)
    await byId(dan.page, T.payAmount).fill('50')
    await byId(dan.page, T.payReview).click()
    await expect(byId(dan.page, T.payError)).toHaveAttribute('data-code', 'NO_ROUTE', { timeout: LIFT_TIMEOUT })
    await expect(byId(dan.page, T.payError)).toHaveText('No route to this person with enough credit.')
    lap('no route')

    // Then 1 CHIP more with her contact link (as her QR code gives it): her name, and her wallet greeted.
    await byId(dan.page, T.payPayee).fill(annLink)
    await byId(dan.page, T.payAmount).fill('1')
    await byId(dan.page, T.payReview).click()
    await expect(quote).toHaveAttribute('data-units', '1000', { timeout: LIFT_TIMEOUT })
    await expect(quote).toContainText('Ann')
    await expect(quote).toHaveAttribute('data-reach', 'online', { timeout: LIFT_TIMEOUT })
    await byId(dan.page, T.payConfirm).click()
    await expect(byId(dan.page, T.payResult)).toHaveAttribute('data-status', 'good', { timeout: LIFT_TIMEOUT })
    await expect(liftRows(dan.page, 'linear', 'good')).toHaveCount(2)
    lap('paid by contact link')

    // Ann was paid twice: her lift list shows both, and her tally with Ben moved by 3 (they are even now).
    await openLifts(ann.page)
    const paid = liftRows(ann.page, 'linear', 'good')
    await expect(paid).toHaveCount(2, { timeout: LIFT_TIMEOUT })
    for (const row of await paid.all()) await expect(row).toHaveAttribute('data-role', 'payee')
    await expect(paid.and(ann.page.locator('[data-units="2000"]'))).toHaveCount(1)
    await expect(paid.and(ann.page.locator('[data-units="1000"]'))).toHaveCount(1)
    await Promise.all([
      expectTallyBalance(ann.page, 'Ben', 0),
      expectTallyBalance(dan.page, 'Ben', 2_000),
      (async () => { await expectTallyBalance(ben.page, 'Dan', -2_000); await expectTallyBalance(ben.page, 'Ann', 0) })()
    ])
    lap('payments checked')

    // Ann reloads: auto-clearing is still on (the node keeps the setting) and her three lifts are still listed.
    await ann.page.reload()
    await openLifts(ann.page)
    await expect(byId(ann.page, T.autoClearState)).toHaveAttribute('data-on', 'true')
    await expect(liftRows(ann.page, 'circular', 'good')).toHaveCount(1)
    await expect(liftRows(ann.page, 'linear', 'good')).toHaveCount(2)

    expect(wallets.flatMap(w => w.errors)).toEqual([])
  } finally {
    await Promise.all(wallets.map(async w => { await w.context.close() }))
  }
})
