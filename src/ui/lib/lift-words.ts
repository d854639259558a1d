// How lifts read to a person. Pure (views in, words out), so every sentence the lift screens show, and
// the data-state values the e2e tests read, are unit-tested. Amounts are units; shown as CHIPs (units.ts).
import type { AutoClearView, ChitView, LiftEffectView, LiftView, LiftViewStatus } from '../../worker/api'
import { describeError } from './errors'
import { formatChips } from './units'

/** A lift's status in plain words. */
export function liftStatusText (status: LiftViewStatus): string {
  switch (status) {
    case 'seeking': return 'looking for a route'
    case 'pending': return 'pending: waiting for the referees\' decision'
    case 'good': return 'done'
    case 'void': return 'cancelled: nothing moved'
    case 'failed': return 'not made'
  }
}

/** Short status word for a badge. */
export function liftStatusWord (status: LiftViewStatus): string {
  switch (status) {
    case 'seeking': return 'Seeking'
    case 'pending': return 'Pending'
    case 'good': return 'Good'
    case 'void': return 'Void'
    case 'failed': return 'Failed'
  }
}

/** What the lift was, from my part in it. */
export function liftTitle (lift: Pick<LiftView, 'kind' | 'role'>, payeeName?: string): string {
  if (lift.kind === 'circular') {
    return lift.role === 'originator' ? 'Clearing you started (circular lift)' : 'Clearing through you (circular lift)'
  }
  switch (lift.role) {
    case 'originator': return payeeName !== undefined ? `You paid ${payeeName} through a route` : 'You paid someone through a route'
    case 'payee': return 'You were paid through a route'
    case 'intermediary': return 'A payment passed through you'
  }
}

/** "Your balance with Bob rises by 7.000 CHIPs" (or falls); a void lift moved nothing. */
export function effectText (effect: Pick<LiftEffectView, 'partner' | 'units' | 'status'>): string {
  const who = effect.partner ?? 'a partner'
  const amount = `${formatChips(Math.abs(effect.units))} CHIPs`
  if (effect.units === 0) return `Your balance with ${who} does not change`
  const verb = effect.status === 'void' ? (effect.units > 0 ? 'would have risen' : 'would have fallen') : effect.status === 'pending' ? (effect.units > 0 ? 'rises' : 'falls') : (effect.units > 0 ? 'rose' : 'fell')
  return `Your balance with ${who} ${verb} by ${amount}${effect.status === 'pending' ? ' once the lift is decided' : ''}`
}

/** Net change of my balances across a lift's tallies (for a good or pending lift; 0 for a circular one). */
export function netEffect (lift: Pick<LiftView, 'effects'>): number {
  return lift.effects.reduce((n, e) => n + e.units, 0)
}

export const FRAUD_TEXT = 'A referee of this lift signed two different decisions for it. The proof is kept in your wallet; the referee cannot be trusted.'

/** "every 1 minute", "every 30 seconds", "every 2 hours". */
export function periodText (ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `every ${s} second${s === 1 ? '' : 's'}`
  const m = Math.round(s / 60)
  if (m < 60) return `every ${m} minute${m === 1 ? '' : 's'}`
  const h = Math.round(m / 60)
  return `every ${h} hour${h === 1 ? '' : 's'}`
}

/** "just now", "3 minutes ago", "2 hours ago", "5 days ago". */
export function agoText (at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000))
  if (s < 45) return 'just now'
  const m = Math.round(s / 60)
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`
  const h = Math.round(m / 60)
  if (h < 48) return `${h} hour${h === 1 ? '' : 's'} ago`
  return `${Math.round(h / 24)} days ago`
}

/** The auto-clearing switch's caption. */
export function autoClearText (auto: AutoClearView, now: number): string {
  const last = auto.lastRun !== undefined ? `last looked ${agoText(auto.lastRun, now)}` : 'has not looked yet'
  if (!auto.on) return auto.lastRun !== undefined ? `Off · ${last}` : 'Off'
  return `On: looks for debts to clear ${periodText(auto.intervalMs)} · ${last}`
}

const WORDS: Record<string, string> = {
  NO_ROUTE: 'No route to this person with enough credit.',
  FEE_TOO_HIGH: 'The route now costs more in fees than you accepted. Get a new quote.',
  OWN_PAYEE: 'This is your own wallet. Paste the contact link or user id of the person you want to pay.',
  LIFTS_UNAVAILABLE: 'This wallet cannot make lifts yet; try again once it has started.',
  LIFTS_STOPPED: 'The wallet is stopping; try again in a moment.',
  LIFTS_BUSY: 'Your wallet is carrying many lifts right now. Try again in a moment.',
  LIFT_NOT_FOUND: 'This wallet has no such lift.',
  LIFT_EXPIRED: 'The lift ran out of time before everyone on the route promised; nothing moved.',
  REFEREES_REFUSED: 'A wallet on the route does not accept this lift\'s referees.',
  CHIT_NOT_CERTIFIED: 'A wallet on the route did not confirm its part in time; nothing moved.',
  LIFT_CHIT_REFUSED: 'One of your tallies refused the lift (its credit or trading variables do not allow it).',
  FEE_TOO_LOW: 'A wallet on the route asks a higher fee than the route offered.',
  OVER_LIMIT: 'This is more than the credit available.',
  NODE_NOT_STARTED: 'The wallet is still starting; try again in a moment.',
  TOO_LARGE: 'This link is too long to be a contact link.',
  TIMEOUT: 'The route did not answer in time. Try again in a moment.'
}

/** Any error thrown by a lift call (or a lift's own error), in words. */
export function liftErrorText (err: unknown): string {
  const shown = describeError(err)
  if (shown.code === 'MALFORMED') return `This is not valid: ${shown.message}`
  const words = shown.code !== undefined ? WORDS[shown.code] : undefined
  return words ?? shown.message
}

/** The steps of a payment to anyone, as the progress shows them. */
export type PayStep = 'seeking' | 'pending' | 'good' | 'void' | 'failed'

export function payStepText (step: PayStep, payee: string): string {
  switch (step) {
    case 'seeking': return `Looking for a route to ${payee}…`
    case 'pending': return 'Promised along the route; waiting for the referees\' decision…'
    case 'good': return `Paid: ${payee} received it.`
    case 'void': return 'The payment was cancelled by the referees: nothing moved.'
    case 'failed': return 'The payment could not be made: nothing moved.'
  }
}

/** data-status of a lift chit in a tally's history: its lift's outcome on this tally. */
export type LiftChitStatus = 'pending' | 'good' | 'void' | 'unknown'

/** A lift chit's state in the tally history: the lift's effect on this tally (or its chit's own state when the lift is unknown here). */
export function liftChitState (chit: Pick<ChitView, 'tally' | 'status'>, lift: Pick<LiftView, 'status' | 'effects' | 'kind'> | undefined): { status: LiftChitStatus, text: string } {
  const kind = lift?.kind === 'circular' ? 'clearing' : lift?.kind === 'linear' ? 'payment through a route' : 'credit lift'
  if (chit.status === 'refused') return { status: 'void', text: `lift (${kind}) · refused: nothing moved` }
  if (lift === undefined) return { status: 'unknown', text: chit.status === 'pending' ? 'lift · being recorded' : 'lift · recorded' }
  const status = lift.effects.find(e => e.tally === chit.tally)?.status ?? (lift.status === 'good' || lift.status === 'void' ? lift.status : 'pending')
  const words = status === 'good' ? 'good: done' : status === 'void' ? 'void: nothing moved' : 'pending: waiting for the referees'
  return { status, text: `lift (${kind}) · ${words}` }
}
