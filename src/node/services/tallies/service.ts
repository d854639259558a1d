// The tally service of a wallet node: invitations and negotiation (negotiation.ts), then the user's tally
// actions, certified through the DiaryService, and plain-data views for the UI (api.ts TallyApi).
//
// Actions are signed with the user's forward key chain for the tally: the next index is the certified
// chain position of our side plus our actions still queued (or being queued) in the diary's outbox. When
// another device of the user won the race for a key (KEY_USED), the action is re-signed with the next one.
import { toBase64url } from '../../../core/codec/base64url'
import { ChipsError } from '../../../core/errors'
import { NONCE_BYTES, sealJson } from '../../../core/crypto/seal'
import { partyAction, signPartyAction } from '../../../core/chit/sign'
import type { Op, TallyAction } from '../../../core/chit/types'
import { OverLimitError, UnknownInvoiceError } from '../../../core/chit/errors'
import { phaseOf } from '../../../core/tally/negotiation'
import { availableCredit, balanceOf, type TallyState } from '../../../core/tally/state'
import { checkTradingVars } from '../../../core/tally/rules'
import { KeyUsedError } from '../../../core/keys/chain'
import { otherSide, type Side } from '../../../core/tally/types'
import type {
  ChitView, ContactCard, CounterRequest, InvitationView, InviteRequest, OfferView, TallyApi, TallyView, TradeVarsRequest
} from '../../api'
import { Emitter } from '../../net/emitter'
import type { TimerHandle } from '../../ports'
import type { CertifiedEntry } from '../diary/service'
import { certifiedStatus, chitOf, MEMO_FIELD, queuedChits } from './chits'
import type { TallyServiceDeps } from './deps'
import { ChitRefusedError, DeviceReplacedError, DiaryUnavailableError, TallyNotOpenError } from './errors'
import { Negotiations, termsView } from './negotiation'
import { sharedKeyOf } from './party'
import type { TallyRecord } from './records'
import { ChitCounts } from './summary'

const DEFAULT_CERTIFY_WAIT_MS = 4000
/** The diary's refusal of a node that is not a member of the tally (diary/errors.ts NotATallyMemberError). */
const NOT_A_TALLY_MEMBER = 'NOT_A_TALLY_MEMBER'
const MAX_KEY_RETRIES = 3
/** Certificates read per store round trip when paging a tally's history backwards (chits(id, { limit })). */
const HISTORY_PAGE = 64

export class TallyService implements TallyApi {
  readonly negotiations: Negotiations
  readonly #events = new Emitter<{ change: TallyView }>()
  /** Next chain index reserved per tally for actions being signed or queued (in memory; the outbox is the durable part). */
  readonly #reserved = new Map<string, number>()
  readonly #off: Array<() => void> = []
  /** Certified chit counts per tally, kept incrementally (summary.ts). */
  readonly #counts = new ChitCounts()

  constructor (private readonly deps: TallyServiceDeps, card: () => ContactCard) {
    this.negotiations = new Negotiations(deps, { changed: id => { this.#changed(id) } }, card)
    const diary = deps.diary
    if (diary !== undefined) {
      this.#off.push(diary.on('certified', e => { this.#changed(e.tally) }))
      this.#off.push(diary.on('queued', e => { this.#changed(e.tally) }))
      this.#off.push(diary.on('failed', e => {
        // The partner's nodes refuse this device as a member: it was replaced (the wallet was restored elsewhere).
        if (e.error.code === NOT_A_TALLY_MEMBER) void this.negotiations.markReplaced(e.tally).catch(() => undefined)
        this.#changed(e.tally)
      }))
    }
  }

  /** Where to dial a partner's member node (the diary service's addrsOf). */
  addrsOf (memberKey: string): readonly string[] {
    return this.negotiations.memberAddrs(memberKey)
  }

  async start (): Promise<void> {
    await this.negotiations.start()
  }

  stop (): void {
    this.negotiations.stop()
    for (const off of this.#off) off()
  }

  onChange (listener: (tally: TallyView) => void): () => void {
    return this.#events.on('change', listener)
  }

  // ---- negotiation ----

  async invite (baseUrl: string, request: InviteRequest): Promise<InvitationView> {
    return await this.negotiations.invite(baseUrl, request)
  }

  async invitations (): Promise<InvitationView[]> { return await this.negotiations.invitations() }

  async previewInvitation (link: string): Promise<OfferView> {
    return (await this.negotiations.preview(link)).view
  }

  async redeem (link: string): Promise<TallyView> {
    return await this.get(await this.negotiations.redeem(link))
  }

  async accept (tally: string): Promise<TallyView> { await this.negotiations.accept(tally); return await this.get(tally) }
  async counter (tally: string, request: CounterRequest): Promise<TallyView> { await this.negotiations.counter(tally, request); return await this.get(tally) }
  async refuse (tally: string, reason?: string): Promise<TallyView> { await this.negotiations.refuse(tally, reason); return await this.get(tally) }
  async revise (tally: string): Promise<TallyView> { await this.negotiations.revise(tally); return await this.get(tally) }
  async offerAgain (tally: string, request?: CounterRequest): Promise<TallyView> { await this.negotiations.offerAgain(tally, request); return await this.get(tally) }

  // ---- views ----

  async list (): Promise<TallyView[]> {
    const records = (await this.negotiations.list()).filter(r => r.template !== true)
    const views = await Promise.all(records.map(async r => await this.#view(r)))
    return views.sort((a, b) => b.updatedAt - a.updatedAt)
  }

  async get (tally: string): Promise<TallyView> {
    return await this.#view(await this.negotiations.get(tally))
  }

  async chits (tally: string, options: { limit?: number } = {}): Promise<ChitView[]> {
    const rec = await this.negotiations.get(tally)
    const diary = this.deps.diary
    const head = diary?.head(tally)
    if (diary === undefined || head === undefined) return []
    const side = rec.negotiation.holder
    const key = sharedKeyOf(this.deps.identity, rec.negotiation.doc, side)
    const state = diary.state(tally)
    const limit = options.limit ?? Number.POSITIVE_INFINITY
    // Newest first: queued ones on top, then the certified history read backwards from the head, a page of
    // certificates at a time, until the limit is reached (a wallet never reads a long history to show 20).
    const out = queuedChits(await diary.queued(tally), side, key).reverse()
    const page = Number.isFinite(limit) ? Math.max(1, Math.min(HISTORY_PAGE, limit)) : head.seq
    for (let top = head.seq; top >= 1 && out.length < limit;) {
      const from = Math.max(1, top - page + 1)
      const certs = await diary.entries(tally, from, top - from + 1)
      for (let c = certs.length - 1; c >= 0; c--) {
        const body = certs[c]!.entry.body
        for (let index = body.actions.length - 1; index >= 0; index--) {
          const chit = chitOf(body.actions[index]!, side, key)
          if (chit === undefined) continue
          const refused = body.refused.find(r => r.index === index)?.code
          out.push({ ...chit, seq: body.seq, status: certifiedStatus(chit, state, refused), ...(refused !== undefined ? { refusal: { code: refused, message: refusalText(refused) } } : {}) })
        }
      }
      top = from - 1
    }
    return Number.isFinite(limit) ? out.slice(0, limit) : out
  }

  // ---- actions ----

  async pay (tally: string, units: number, memo?: string): Promise<ChitView> {
    return await this.#submit(tally, (chit, sealed, ctx) => {
      const available = availableCredit(ctx.state, ctx.side) - ctx.queuedPayments
      if (units > available) throw new OverLimitError(units, Math.max(0, available))
      return { op: 'pay', chit, units, memo: sealed(memo) }
    })
  }

  async invoice (tally: string, units: number, memo?: string): Promise<ChitView> {
    return await this.#submit(tally, (chit, sealed) => ({ op: 'invoice', chit, units, memo: sealed(memo) }))
  }

  async acceptInvoice (tally: string, invoice: string): Promise<ChitView> {
    return await this.#submit(tally, (chit, sealed, ctx) => {
      const inv = ctx.state.pending[invoice]
      if (inv === undefined || inv.kind !== 'invoice' || inv.by !== otherSide(ctx.side)) throw new UnknownInvoiceError(invoice)
      const available = availableCredit(ctx.state, ctx.side) - ctx.queuedPayments
      if (inv.units > available) throw new OverLimitError(inv.units, Math.max(0, available))
      return { op: 'pay', chit, units: inv.units, invoice, memo: sealed(undefined) }
    })
  }

  async declineInvoice (tally: string, invoice: string, reason?: string): Promise<ChitView> {
    return await this.#submit(tally, (_chit, sealed, ctx) => {
      const inv = ctx.state.pending[invoice]
      if (inv === undefined || inv.kind !== 'invoice' || inv.by !== otherSide(ctx.side)) throw new UnknownInvoiceError(invoice)
      return { op: 'decline', invoice, reason: sealed(reason) }
    })
  }

  async setTradingVars (tally: string, vars: TradeVarsRequest): Promise<ChitView> {
    const clean = { target: vars.target, bound: vars.bound, reward: vars.reward, clutch: vars.clutch }
    checkTradingVars(clean)
    return await this.#submit(tally, chit => ({ op: 'set', chit, vars: clean }))
  }

  async requestClose (tally: string): Promise<ChitView> {
    return await this.#submit(tally, chit => ({ op: 'set', chit, close: true }))
  }

  /**
   * For the lift service: signs `op` (e.g. a conditional lift chit) for my side with my chain key and
   * resolves with its certified entry (check outcomes[0].refused), without the UI's bounded wait.
   */
  async certifyOp (tally: string, op: Op): Promise<CertifiedEntry> {
    return (await this.#prepare(tally, () => op)).certified
  }

  async #submit (
    tally: string,
    build: (chit: string, seal: (memo: string | undefined) => ReturnType<typeof sealJson>, ctx: { state: TallyState, side: Side, queuedPayments: number }) => Op
  ): Promise<ChitView> {
    const { first, side, key, now, certified: submitted } = await this.#prepare(tally, build)
    const diary = this.deps.diary!
    const view = chitOf(first, side, key)!
    const certified = await this.#waitCertified(submitted).catch((err: unknown) => {
      if (err instanceof ChipsError && err.code === NOT_A_TALLY_MEMBER) throw new DeviceReplacedError(tally)
      throw err
    })
    if (certified === undefined) return { ...view, status: 'pending', time: now }
    const outcome = certified.outcomes[0]
    if (outcome?.refused !== undefined) throw new ChitRefusedError(outcome.refused, refusalText(outcome.refused), view.id)
    return { ...view, ...(outcome !== undefined ? { seq: outcome.seq } : {}), status: certifiedStatus(view, diary.state(tally)), time: now }
  }

  async #prepare (
    tally: string,
    build: (chit: string, seal: (memo: string | undefined) => ReturnType<typeof sealJson>, ctx: { state: TallyState, side: Side, queuedPayments: number }) => Op
  ): Promise<{ first: TallyAction, side: Side, key: ReturnType<typeof sharedKeyOf>, now: number, certified: Promise<CertifiedEntry> }> {
    const diary = this.deps.diary
    if (diary === undefined) throw new DiaryUnavailableError()
    const rec = await this.negotiations.get(tally)
    const state = diary.state(tally)
    if (this.#replaced(rec, state)) throw new DeviceReplacedError(tally)
    if (rec.negotiation.status !== 'open' || state === undefined) throw new TallyNotOpenError(rec.negotiation.status)
    if (state.status === 'closed') throw new TallyNotOpenError('closed')
    const side = rec.negotiation.holder
    const key = sharedKeyOf(this.deps.identity, rec.negotiation.doc, side)
    const chit = toBase64url(this.deps.random.bytes(16))
    const now = this.deps.clock.now()
    const seal = (memo: string | undefined): ReturnType<typeof sealJson> => {
      if (key === undefined) throw new TallyNotOpenError('missing the partner seal key')
      return sealJson(key, this.deps.random.bytes(NONCE_BYTES), tally, MEMO_FIELD, { at: now, ...(memo !== undefined && memo !== '' ? { m: memo } : {}) })
    }
    const queued = await diary.queued(tally)
    const mine = queued.map(q => q.action).filter((a): a is Extract<TallyAction, { kind: 'party' }> => a.kind === 'party' && a.action.body.side === side)
    const queuedPayments = mine.reduce((n, a) => n + (a.action.body.op.op === 'pay' ? a.action.body.op.units : 0), 0)
    const op = build(chit, seal, { state, side, queuedPayments })
    const sign = async (): Promise<TallyAction> => {
      const fresh = diary.state(tally) ?? state
      const queuedIndex = Math.max(-1, ...mine.map(a => a.action.body.index)) + 1
      const index = Math.max(fresh[side].chain.index, queuedIndex, this.#reserved.get(tally) ?? 0)
      this.#reserved.set(tally, index + 1)
      return partyAction(await signPartyAction(this.deps.crypto, this.deps.identity.userSecret, { tally, side, index, op }))
    }
    const first = await sign()
    // Certify, re-signing with the next chain key when another device of this user used ours (KEY_USED).
    const certify = async (): Promise<CertifiedEntry> => {
      let action = first
      for (let attempt = 1; ; attempt++) {
        try {
          return await diary.submit(tally, [action])
        } catch (err) {
          const expected = keyUsed(err)
          if (expected === undefined || attempt >= MAX_KEY_RETRIES) throw err
          this.#reserved.set(tally, Math.max(expected, diary.state(tally)?.[side].chain.index ?? 0))
          action = await sign()
        }
      }
    }
    return { first, side, key, now, certified: certify() }
  }

  /** The certified entry, or undefined if it is not certified within the wait (it stays queued and completes later). */
  async #waitCertified (submitted: Promise<CertifiedEntry>): Promise<CertifiedEntry | undefined> {
    let timer: TimerHandle | undefined
    const wait = new Promise<undefined>(resolve => { timer = this.deps.timers.setTimeout(() => { resolve(undefined) }, this.deps.certifyWaitMs ?? DEFAULT_CERTIFY_WAIT_MS) })
    submitted.catch(() => undefined) // a late failure is reported through the diary's 'failed' event
    try {
      return await Promise.race([submitted, wait])
    } finally {
      if (timer !== undefined) this.deps.timers.clearTimeout(timer)
    }
  }

  async #view (rec: TallyRecord): Promise<TallyView> {
    const n = rec.negotiation
    const side = n.holder
    const other = otherSide(side)
    const diary = this.deps.diary
    const state = n.status === 'open' ? diary?.state(rec.id) : undefined
    const queued = state !== undefined && diary !== undefined ? await diary.queued(rec.id) : []
    const phase = phaseOf(n)
    const awaiting = phase === 'P.offer' || phase === 'P.draft' ? 'me' : phase === 'H.offer' || phase === 'draft' ? 'partner' : undefined
    let pendingEffect = 0
    for (const q of queued) {
      const c = chitOf(q.action, side, undefined)
      if (c !== undefined && c.kind === 'payment') pendingEffect += c.units
    }
    let invoicesToMe = 0
    let invoicesToPartner = 0
    for (const p of Object.values(state?.pending ?? {})) {
      if (p.kind !== 'invoice') continue
      if (p.by === other) invoicesToMe++
      else invoicesToPartner++
    }
    const chits = state !== undefined ? this.#counts.of(rec.id, state.chits) : 0
    const partyName = n.doc[other].party?.cert.name
    const partner = rec.partner !== undefined ? { userId: rec.partner.userId, name: partyName ?? rec.partner.name } : undefined
    const terms = state !== undefined ? { stock: state.stock.terms, foil: state.foil.terms } : { stock: n.doc.stock.terms, foil: n.doc.foil.terms }
    return {
      id: rec.id,
      status: state !== undefined ? state.status : n.status,
      ...(awaiting !== undefined && (n.status === 'draft' || n.status === 'offer') ? { awaiting } : {}),
      mySide: side,
      role: rec.role,
      ...(partner !== undefined ? { partner } : {}),
      terms: termsView(terms),
      revision: n.doc.revision,
      contractHash: n.doc.contract,
      ...(rec.invitation?.memo !== undefined ? { memo: rec.invitation.memo } : {}),
      balance: state !== undefined ? balanceOf(state, side) + 0 : 0, // + 0: no −0 for the UI
      pendingEffect,
      availableToMe: state !== undefined ? availableCredit(state, side) : 0,
      availableToPartner: state !== undefined ? availableCredit(state, other) : 0,
      ...(state !== undefined ? { myVars: { ...state[side].vars }, partnerVars: { ...state[other].vars } } : {}),
      invoicesToMe,
      invoicesToPartner,
      chits,
      seq: diary?.head(rec.id)?.seq ?? 0,
      queued: queued.length,
      waitingForPartner: queued.some(q => q.reason === 'partner'),
      ...(n.status === 'draft' && rec.revisedBy !== undefined ? { revisedBy: rec.revisedBy } : {}),
      ...(this.#replaced(rec, state) ? { replaced: true, error: { code: 'DEVICE_REPLACED', message: new DeviceReplacedError(rec.id).message } } : rec.error !== undefined ? { error: rec.error } : {}),
      createdAt: rec.createdAt,
      updatedAt: rec.updatedAt
    }
  }

  /**
   * This device was replaced on the tally: the partner refused it as a member (kept in the record), or the
   * certified member set it knows no longer holds it (it saw its own side re-seated on another device).
   */
  #replaced (rec: TallyRecord, state: TallyState | undefined): boolean {
    if (rec.replaced !== undefined) return true
    return state !== undefined && !state[rec.negotiation.holder].members.some(m => m.key === this.deps.memberKey)
  }

  #changed (id: string): void {
    // A view reads the store and the diary: built only when someone listens (the UI, through the wallet node).
    if (!this.#events.listening('change')) return
    this.get(id).then(view => { this.#events.emit('change', view) }, () => undefined)
  }
}

const REFUSALS: Record<string, string> = {
  OVER_LIMIT: 'the payment exceeds the credit available',
  TALLY_CLOSING: 'the tally is closing: only chits that bring the balance toward zero are allowed',
  UNKNOWN_INVOICE: 'the invoice is no longer open',
  INVOICE_MISMATCH: 'the payment does not match the invoice',
  DUPLICATE_CHIT: 'this chit is already on the tally',
  FORBIDDEN_TRANSITION: 'the tally does not allow this now',
  INVALID_TRADING_VARIABLES: 'the trading variables are not valid'
}

/** The chain index to use next when `err` says our key was used (the diary wraps the core's KeyUsedError). */
function keyUsed (err: unknown): number | undefined {
  if (!(err instanceof ChipsError)) return undefined
  if (err instanceof KeyUsedError) return err.expected
  if (err.code !== 'KEY_USED' && !err.message.includes('KEY_USED')) return undefined
  const m = /must use key (\d+)/.exec(err.message)
  return m === null ? 0 : Number(m[1])
}

export function refusalText (code: string): string {
  return REFUSALS[code] ?? `the tally refused this chit (${code})`
}
