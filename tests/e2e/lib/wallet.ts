// Page-level steps shared by the specs, written against the data-testid contract (src/ui/testids.ts).
import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test'
import { T } from '../../../src/ui/testids'

export { T }

/** Time allowed for a wallet to reach "reservation held" on loopback (the target is 2 s; CI is slow). */
export const RESERVE_TIMEOUT = 15_000

export const byId = (page: Page, id: string): Locator => page.getByTestId(id)

/** Fails the test on any uncaught page error: a user must never meet a silent failure. */
export function watchErrors (page: Page, label: string): string[] {
  const errors: string[] = []
  page.on('pageerror', (err) => { errors.push(`[${label}] ${err.message}`) })
  page.on('console', (msg) => { if (msg.type() === 'error' && process.env.E2E_VERBOSE) console.log(`[${label} console] ${msg.text()}`) })
  return errors
}

export interface OpenedWallet {
  context: BrowserContext
  page: Page
  userId: string
  phrase: string
  errors: string[]
}

/** The user id the home screen shows. */
export async function userIdOf (page: Page): Promise<string> {
  const el = byId(page, T.userId)
  await expect(el).toBeVisible({ timeout: RESERVE_TIMEOUT })
  const text = (await el.getAttribute('data-user-id')) ?? (await el.textContent()) ?? ''
  return text.trim()
}

/** First visit: name the wallet, create it, acknowledge the recovery phrase; returns the phrase. */
export async function createWallet (page: Page, name: string): Promise<string> {
  await byId(page, T.nameInput).fill(name)
  await byId(page, T.createWallet).click()
  const phraseEl = byId(page, T.recoveryPhrase)
  await expect(phraseEl).toBeVisible()
  const phrase = ((await phraseEl.getAttribute('data-phrase')) ?? (await phraseEl.textContent()) ?? '').replace(/\s+/g, ' ').trim()
  await byId(page, T.phraseSaved).click()
  return phrase
}

/** Restores a wallet from its phrase on the first-visit screen. */
export async function restoreWallet (page: Page, phrase: string, name: string): Promise<void> {
  await byId(page, T.restoreOpen).click()
  const nameInput = byId(page, T.nameInput)
  if (await nameInput.isVisible()) await nameInput.fill(name)
  await byId(page, T.restorePhrase).fill(phrase)
  await byId(page, T.restoreSubmit).click()
}

export async function expectReserved (page: Page, timeout = RESERVE_TIMEOUT): Promise<void> {
  await expect(byId(page, T.nodeStatus)).toContainText('reservation held', { timeout })
}

/** A new browser context (its own profile: storage, service worker, wallet) with a fresh wallet. */
export async function openWallet (browser: Browser, url: string, name: string): Promise<OpenedWallet> {
  const context = await browser.newContext()
  return await openWalletIn(context, url, name)
}

export async function openWalletIn (context: BrowserContext, url: string, name: string): Promise<OpenedWallet> {
  const page = context.pages()[0] ?? await context.newPage()
  const errors = watchErrors(page, name)
  await page.goto(url)
  const phrase = await createWallet(page, name)
  const userId = await userIdOf(page)
  return { context, page, userId, phrase, errors }
}

/** The contact link the home screen offers (an <input> value or a link's href). */
export async function contactLinkOf (page: Page): Promise<string> {
  const el = byId(page, T.contactLink)
  await expect(el).toBeVisible({ timeout: RESERVE_TIMEOUT })
  // The link names the node's relay addresses, so it is only useful once a reservation is held.
  await expectReserved(page)
  const link = await el.evaluate((node) => {
    if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) return node.value
    if (node instanceof HTMLAnchorElement) return node.href
    return node.textContent ?? ''
  })
  return link.trim()
}

/** Pastes a contact link into the connect box and submits it. */
export async function connectTo (page: Page, link: string): Promise<void> {
  await byId(page, T.connectInput).fill(link)
  await byId(page, T.connectSubmit).click()
}

/** The row of the peer whose wallet is named `name` (hello verified: the row says "connected to <name>"). */
export function peerRow (page: Page, name: string): Locator {
  return byId(page, T.peerRow).filter({ hasText: name })
}

export async function expectConnected (page: Page, name: string, link: 'direct' | 'relayed', timeout = 20_000): Promise<Locator> {
  const row = peerRow(page, name)
  await expect(row).toContainText(`connected to ${name}`, { timeout })
  await expect(row).toHaveAttribute('data-hello', 'verified')
  await expect(row).toHaveAttribute('data-link', link, { timeout })
  return row
}

/**
 * Waits until the page's service worker is activated (it has precached the app). It need not control
 * this page yet (the app's worker does not claim clients): the next navigation goes through it.
 */
export async function waitForServiceWorker (page: Page): Promise<void> {
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.getRegistration()
    return reg?.active?.state === 'activated'
  }, undefined, { timeout: 15_000 })
}
