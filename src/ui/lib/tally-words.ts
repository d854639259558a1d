// How tallies, chits and their refusals read to a person. Pure (views in, words out), so every sentence
// the tally screens show, and the data-state values the e2e tests read, are unit-tested.
import type { ChitView, TallyTermsView, TallyView } from '../../worker/api'
import { describeError } from './errors'
import { formatChips } from './units'

/** data-state of a tally row / the tally screen. */
export type TallyState = 'invited' | 'revising' | 'awaiting-me' | 'awaiting-partner' | 'open' | 'closing' | 'closed' | 'refused' | 'replaced'

type StateOf = Pick<TallyView, 'status' | 'awaiting'> & Partial<Pick<TallyView, 'revisedBy' | 'replaced'>>

export function tallyState (t: StateOf): TallyState {
  // This device lost its seat on the tally (the wallet was restored elsewhere): nothing more happens here.
  if (t.replaced === true) return 'replaced'
  switch (t.status) {
    case 'draft': return t.revisedBy !== undefined ? 'revising' : 'invited'
    case 'offer': return t.awaiting === 'me' ? 'awaiting-me' : 'awaiting-partner'
    case 'open': return 'open'
    case 'closing': return 'closing'
    case 'closed': return 'closed'
    case 'void': return 'refused'
  }
}

const STATE_TEXT: Record<TallyState, string> = {
  invited: 'invitation sent, not opened yet',
  revising: 'offer withdrawn, being revised',
  'awaiting-me': 'awaiting your answer',
  'awaiting-partner': 'waiting for partner',
  open: 'open',
  closing: 'closing',
  closed: 'closed',
  refused: 'refused',
  replaced: 'replaced by another device'
}

/** "open", "awaiting your answer", "open · waiting for partner" … */
export function tallyStatusText (t: StateOf & Pick<TallyView, 'waitingForPartner' | 'queued'>): string {
  const state = tallyState(t)
  const base = STATE_TEXT[state]
  if (state === 'replaced') return base
  if (t.waitingForPartner && (t.status === 'open' || t.status === 'closing')) return `${base} · waiting for partner`
  if (t.queued > 0 && (t.status === 'open' || t.status === 'closing')) return `${base} · sending…`
  return base
}

export function partnerName (t: Pick<TallyView, 'partner'>): string {
  return t.partner?.name ?? 'Not yet known'
}

/** The limits from my side: what I let the partner owe me, and what the partner lets me owe it. */
export function myTerms (mySide: 'stock' | 'foil', terms: TallyTermsView): { iGrant: number, partnerGrants: number } {
  return mySide === 'stock'
    ? { iGrant: terms.stockLimit, partnerGrants: terms.foilLimit }
    : { iGrant: terms.foilLimit, partnerGrants: terms.stockLimit }
}

/** "Bob owes you 12.500", "You owe Bob 3.000", "Even". */
export function balanceText (balance: number, partner: string): string {
  if (balance > 0) return `${partner} owes you ${formatChips(balance)} CHIPs`
  if (balance < 0) return `You owe ${partner} ${formatChips(-balance)} CHIPs`
  return 'Even: nobody owes anything'
}

/** What a chit is, in a sentence from my side. */
export function chitTitle (c: Pick<ChitView, 'kind' | 'by'>, partner: string): string {
  const mine = c.by === 'me'
  switch (c.kind) {
    case 'payment': return mine ? `You paid ${partner}` : `${partner} paid you`
    case 'invoice': return mine ? `You invoiced ${partner}` : `${partner} invoiced you`
    case 'decline': return mine ? 'You declined an invoice' : `${partner} declined your invoice`
    case 'settings': return mine ? 'You set your trading variables' : `${partner} set their trading variables`
    case 'close': return mine ? 'You asked to close the tally' : `${partner} asked to close the tally`
    case 'lift': return 'Credit lift'
  }
}

/** A chit's state in words; a pending chit of a tally whose partner is away says it is queued. */
export function chitStatusText (c: Pick<ChitView, 'status' | 'refusal'>, waitingForPartner: boolean): string {
  switch (c.status) {
    case 'pending': return waitingForPartner ? 'queued, waiting for the partner' : 'pending'
    case 'final': return 'final'
    case 'refused': return `refused: ${c.refusal !== undefined ? refusalText(c.refusal.code, c.refusal.message) : 'no reason given'}`
    case 'invoice-open': return 'open invoice'
    case 'invoice-paid': return 'paid'
    case 'invoice-declined': return 'declined'
  }
}

/** What a replaced device says about the tally (and why it no longer pays). */
export const REPLACED_TEXT = 'This device was replaced by another one holding your wallet (restored from your recovery phrase). Use that device for this tally: nothing can be paid or invoiced from here.'

const WORDS: Record<string, string> = {
  OVER_LIMIT: 'This is more than the credit available on this tally.',
  INVITATION_EXPIRED: 'This invitation has expired. Ask for a new one.',
  INVITATION_USED: 'This invitation was already used: a one-time invitation opens one tally only. Ask for a new one.',
  UNKNOWN_INVITATION: 'The inviter\'s wallet does not know this invitation (it may have been withdrawn). Ask for a new one.',
  OWN_INVITATION: 'This is your own invitation. Send it to the person you want to trade with.',
  INVALID_SIGNATURE: 'This invitation was changed after it was signed, so it cannot be trusted. Ask for the link again.',
  WRONG_SIGNER: 'This invitation was not signed by the person it names, so it cannot be trusted.',
  OFFER_MISMATCH: 'The inviter\'s wallet offered other terms than its invitation promised, so nothing was signed.',
  PEER_UNREACHABLE: 'Could not reach the other wallet. It has to be online for this step; try again when it is.',
  TIMEOUT: 'The other wallet did not answer in time. Try again in a moment.',
  LINK_LOST: 'The connection to the other wallet dropped. Try again.',
  FORBIDDEN_TRANSITION: 'This tally is not waiting for that answer any more.',
  UNKNOWN_TALLY: 'This wallet has no such tally.',
  TALLY_NOT_OPEN: 'The tally is not open, so nothing can be paid or invoiced on it.',
  TALLY_CLOSING: 'The tally is closing: only payments that bring the balance toward zero are accepted.',
  UNKNOWN_INVOICE: 'This invoice is no longer open (already paid or declined).',
  INVALID_TRADING_VARIABLES: 'These trading variables are not valid.',
  TOO_LARGE: 'This link is too long to be an invitation.',
  NODE_NOT_STARTED: 'The wallet is still starting; try again in a moment.',
  TALLIES_UNAVAILABLE: 'The wallet is still starting; try again in a moment.',
  OFFER_WITHDRAWN: 'Your partner withdrew this offer to revise it. Wait for the new offer, or make one yourself.',
  DEVICE_REPLACED: REPLACED_TEXT
}

/** A refusal's cause in words: our sentence for the code, plus the wallet's own detail when it adds something. */
export function refusalText (code: string | undefined, message: string): string {
  const words = code !== undefined ? WORDS[code] : undefined
  if (words === undefined) return message
  if (code === 'MALFORMED' || code === 'INVALID_TRADING_VARIABLES' || code === 'OVER_LIMIT') return `${words} ${message}`.trim()
  return words
}

/** Any error thrown by a tally call, in words. */
export function tallyErrorText (err: unknown): string {
  const shown = describeError(err)
  if (shown.code === 'MALFORMED') return `This is not valid: ${shown.message}`
  return refusalText(shown.code, shown.message)
}

/** "in 2 days", "in 5 hours", "in 12 minutes", "expired". */
export function expiryText (expires: number, now: number): string {
  const ms = expires - now
  if (ms <= 0) return 'expired'
  const min = Math.round(ms / 60_000)
  if (min < 60) return `expires in ${Math.max(1, min)} minute${min === 1 ? '' : 's'}`
  const h = Math.round(ms / 3_600_000)
  if (h < 48) return `expires in ${h} hour${h === 1 ? '' : 's'}`
  const d = Math.round(ms / 86_400_000)
  return `expires in ${d} days`
}

/** Date and time of a chit or an expiry, in the reader's locale. */
export function whenText (ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}
