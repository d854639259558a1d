// "Pay anyone": who (a contact link, a scanned QR code or a user id) and how much → a quote (the route's
// fee and legs) → confirm → progress (seeking → pending → good | void) → result. The payment itself is a
// linear lift made by the node (docs/lifts.md §7); this is the page's state machine around it.
import type { LiftQuote, LiftView, PayeeView } from '../../worker/api'
import type { LiftStore } from './lifts.svelte'
import type { PayStep } from './lift-words'
import { classifyLink } from './links'
import { parseChips } from './units'

export type PayPhase = 'edit' | 'quoting' | 'quoted' | 'paying' | 'done'
/**
 * Whether the payee's wallet answered a signed hello (only when a contact link names it): 'checking', 'online',
 * 'offline'. The payee's node must be online to take the payment, and the link lets it reach this wallet's referee.
 */
export type PayeeReach = 'checking' | 'online' | 'offline'

export interface PayError { text: string, code?: string | undefined }

/** How close to the click a lift must start to be this payment's (the node's clock is the page's). */
const MATCH_SLACK_MS = 2_000

export class PayFlow {
  phase = $state<PayPhase>('edit')
  payeeText = $state('')
  amountText = $state('')
  payeeError = $state<string | undefined>(undefined)
  amountError = $state<string | undefined>(undefined)
  error = $state<PayError | undefined>(undefined)
  payee = $state<PayeeView | undefined>(undefined)
  quote = $state<LiftQuote | undefined>(undefined)
  reach = $state<PayeeReach | undefined>(undefined)
  /** The lift this payment made, once known (the call's result, or earlier through the live list). */
  liftId = $state<string | undefined>(undefined)
  private startedAt = 0

  constructor (private readonly store: LiftStore, private readonly clock: () => number = Date.now) {}

  /** The payee's name, or a shortened user id. */
  get payeeName (): string {
    const p = this.payee
    if (p === undefined) return ''
    return p.name ?? `${p.userId.slice(0, 8)}…`
  }

  /** This payment's lift as the live list has it. */
  get lift (): LiftView | undefined {
    if (this.liftId !== undefined) return this.store.lifts[this.liftId]
    if (this.phase !== 'paying' || this.payee === undefined) return undefined
    // Before the call returns: the newest payment of mine to this payee that started with this click.
    const to = this.payee.userId
    return this.store.list.find(l => l.kind === 'linear' && l.role === 'originator' && l.to === to && l.createdAt >= this.startedAt - MATCH_SLACK_MS)
  }

  /** Where the payment stands, for the progress line. */
  get step (): PayStep | undefined {
    if (this.phase !== 'paying' && this.phase !== 'done') return undefined
    const lift = this.lift
    if (lift === undefined) return this.phase === 'done' ? 'failed' : 'seeking'
    return lift.status
  }

  /** A scanned QR code or a pasted link fills the payee box. */
  setPayee (text: string): void {
    this.payeeText = text.trim()
    this.payee = undefined
    this.payeeError = undefined
  }

  /** Checks the amount, reads the payee, asks the node for a route and its price. */
  async review (): Promise<void> {
    if (this.phase === 'quoting' || this.phase === 'paying') return
    this.error = undefined
    const amount = parseChips(this.amountText)
    this.amountError = amount.ok ? undefined : amount.error
    const text = this.payeeText.trim()
    this.payeeError = text === '' ? 'Paste the contact link or user id of the person you want to pay, or scan their QR code.' : undefined
    if (!amount.ok || this.payeeError !== undefined) return
    this.phase = 'quoting'
    const payee = await this.store.call(api => api.liftPayee(text))
    if (!payee.ok) { this.payeeError = payee.error; this.phase = 'edit'; return }
    this.payee = payee.value
    this.store.rememberName(payee.value.userId, payee.value.name)
    if (classifyLink(text).kind === 'contact') this.#greet(text, payee.value.userId)
    else this.reach = undefined
    const quote = await this.store.call(api => api.liftQuote({ to: payee.value.userId, units: amount.units }))
    if (!quote.ok) { this.error = { text: quote.error, code: quote.code }; this.phase = 'edit'; return }
    this.quote = quote.value
    this.phase = 'quoted'
  }

  /** Pays along a route at most as costly as the quote; follows the lift live until it is decided. */
  async confirm (): Promise<void> {
    const quote = this.quote
    if (this.phase !== 'quoted' || quote === undefined) return
    this.phase = 'paying'
    this.error = undefined
    this.liftId = undefined
    this.startedAt = this.clock()
    const r = await this.store.call(api => api.liftPay({ to: quote.to, units: quote.units, maxFee: quote.fee }))
    if (!r.ok) {
      this.error = { text: r.error, code: r.code }
      this.phase = 'done'
      return
    }
    this.store.onLift(r.value)
    this.liftId = r.value.id
    this.phase = 'done'
  }

  /** Says hello to the payee's wallet (in the background, while the route is found and priced). */
  #greet (link: string, userId: string): void {
    this.reach = 'checking'
    void this.store.call(api => api.connect(link)).then(r => {
      if (this.payee?.userId !== userId) return // another payee since
      this.reach = r.ok && r.value.hello === 'verified' && r.value.userId === userId ? 'online' : 'offline'
    })
  }

  /** Back to the form with the same payee and amount (a quote is only good for a moment). */
  edit (): void {
    if (this.phase === 'paying') return
    this.phase = 'edit'
    this.quote = undefined
    this.error = undefined
  }

  /** A new payment. */
  reset (): void {
    if (this.phase === 'paying') return
    this.phase = 'edit'
    this.payeeText = ''
    this.amountText = ''
    this.payee = undefined
    this.reach = undefined
    this.quote = undefined
    this.error = undefined
    this.payeeError = undefined
    this.amountError = undefined
    this.liftId = undefined
  }
}
