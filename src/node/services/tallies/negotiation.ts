// The tally negotiation between two wallets (research §1.5, scenarios 8–13) over /mychips/negotiate/1.0.0:
// invitations, redeeming them, offers, counter-offers, acceptance and refusal. The core's pure negotiation
// machine decides every transition; this service validates what arrives, persists each state change in one
// store transaction (with the message still to deliver), delivers it with retries, and opens the diary
// once a tally is fully signed.
import * as v from 'valibot'
import { toBase64url } from '../../../core/codec/base64url'
import { canonicalJson } from '../../../core/codec/canonical'
import { ChipsError, MalformedError } from '../../../core/errors'
import { sealJson, NONCE_BYTES } from '../../../core/crypto/seal'
import { verifyDeviceCertificate } from '../../../core/keys/device'
import { createInvitation, DEFAULT_INVITATION_LIFETIME_MS, redeemInvitation } from '../../../core/tally/invitation'
import {
  acceptOffer, acceptTicket, cloneTallyId, counterOffer, draftTally, editDraft, makeTicket, phaseOf, receiveOffer, receiveOpen,
  receiveRefusal, receiveRevise, refuseOffer, reviseOffer, signOffer, verifyTicket, type DocEdits, type Negotiation
} from '../../../core/tally/negotiation'
import { InvitationExpiredError, UnknownInvitationError } from '../../../core/tally/errors'
import { tallyGenesis } from '../../../core/tally/state'
import { otherSide, type SignedTally, type Side, type Terms } from '../../../core/tally/types'
import type { ContactCard, CounterRequest, InvitationView, InviteRequest, OfferView, TallyTermsView } from '../../api'
import { backoffDelay, DEFAULT_BACKOFF } from '../../net/backoff'
import { RemoteError } from '../../net/errors'
import type { PeerLink } from '../../net/network'
import type { TimerHandle } from '../../ports'
import { NEGOTIATE_PROTOCOL, sendNegotiate, serveNegotiate, type NegotiateRequest, type NegotiateResponse } from '../../protocols/negotiate'
import { invitationLink, parseInvitationLink, signInvitation, type SignedInvitation } from '../../tally-link/invitation'
import { validateCard } from '../../contact/card'
import { DEFAULT_CONTRACT_HASH, knownContract } from './contract'
import type { TallyServiceDeps } from './deps'
import { OfferMismatchError, OfferWithdrawnError, OwnInvitationError, UnknownTallyError, WrongPeerError } from './errors'
import { KeyedLock } from './lock'
import { partyInfo, sharedKeyOf } from './party'
import {
  INVITATION_PREFIX, invitationKey, OUTBOX_PREFIX, outboxKey, TALLY_PREFIX, tallyKey,
  type InvitationEntry, type OutboxEntry, type TallyRecord
} from './records'

/** Network failures worth retrying; any other refusal by the partner is final and shown to the user. */
const TRANSIENT = new Set(['PEER_UNREACHABLE', 'TIMEOUT', 'LINK_LOST', 'STREAM_LIMIT', 'NETWORK_STOPPED', 'UNSUPPORTED_PROTOCOL', 'INTERNAL', 'PROTOCOL_VIOLATION', 'STALE_WRITER', 'STORE_CLOSED'])

const TallyIdOf = v.object({ doc: v.object({ id: v.string() }) })
const NoticeTallyOf = v.object({ body: v.object({ tally: v.string() }) })

export interface NegotiationEvents {
  /** A tally record changed (any state). */
  changed (id: string): void
}

export class Negotiations {
  readonly #lock = new KeyedLock()
  readonly #retry = new Map<string, TimerHandle>()
  #stopped = false
  readonly #off: Array<() => void> = []

  constructor (private readonly deps: TallyServiceDeps, private readonly events: NegotiationEvents, private readonly card: () => ContactCard) {}

  #card (): ContactCard { return this.card() }

  /** Partner member key → the addresses its node was last seen at (for the diary to dial, also after a reload). */
  readonly #memberAddrs = new Map<string, string[]>()

  memberAddrs (memberKey: string): readonly string[] {
    return this.#memberAddrs.get(memberKey) ?? []
  }

  #remember (rec: TallyRecord): void {
    const partner = rec.negotiation.doc[otherSide(rec.negotiation.holder)].party
    if (partner === undefined || rec.partner === undefined || rec.partner.addrs.length === 0) return
    for (const m of partner.members) this.#memberAddrs.set(m.key, rec.partner.addrs)
  }

  #changed (id: string): void {
    this.deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(id))).then(rec => { if (rec !== undefined) this.#remember(rec) }, () => undefined)
    this.events.changed(id)
  }

  /** Serves the protocol, delivers what is still in the outbox and opens diaries of tallies that opened before a crash. */
  async start (): Promise<void> {
    serveNegotiate(this.deps.network, async (req, from) => await this.#handle(req, from))
    this.#off.push(this.deps.network.on('peer:link', link => { void this.#retryPeer(link.peerId) }))
    const { outbox, tallies } = await this.deps.store.read(async tx => ({
      outbox: await tx.list<OutboxEntry>('tallies', OUTBOX_PREFIX),
      tallies: await tx.list<TallyRecord>('tallies', TALLY_PREFIX)
    }))
    for (const { value } of tallies) {
      this.#remember(value)
      if (value.negotiation.status === 'open' && value.diary !== true) await this.#openDiary(value.id).catch(err => { this.#log('warn', 'diary.open-failed', value.id, err) })
    }
    for (const { value } of outbox) void this.#deliver(value.tally)
  }

  stop (): void {
    this.#stopped = true
    this.deps.network.unhandle(NEGOTIATE_PROTOCOL)
    for (const off of this.#off) off()
    for (const t of this.#retry.values()) this.deps.timers.clearTimeout(t)
    this.#retry.clear()
  }

  // ---- the inviter ----

  async invite (baseUrl: string, req: InviteRequest): Promise<InvitationView> {
    const { deps } = this
    const card = this.#card()
    const now = deps.clock.now()
    const side: Side = req.kind === 'extend' ? 'stock' : 'foil'
    const terms = { [side]: { limit: req.myLimit, call: 30 }, [otherSide(side)]: { limit: req.partnerLimit, call: 30 } } as { stock: Terms, foil: Terms }
    const id = toBase64url(deps.random.bytes(16))
    const token = toBase64url(deps.random.bytes(18))
    const party = await partyInfo(deps.crypto, deps.identity, id, deps.memberKey)
    const negotiation = draftTally({ id, date: now, contract: DEFAULT_CONTRACT_HASH, holder: side, party, terms })
    const record = createInvitation({ token, tally: id, now, reuse: req.reuse, lifetimeMs: req.lifetimeMs ?? DEFAULT_INVITATION_LIFETIME_MS })
    const signed = await signInvitation(deps.crypto, deps.identity.userSecret, {
      v: 1, card, token, tally: id, side, terms: { stock: negotiation.doc.stock.terms, foil: negotiation.doc.foil.terms },
      contract: negotiation.doc.contract, ...(req.memo !== undefined && req.memo !== '' ? { memo: req.memo } : {}), expires: record.expires, reuse: record.reuse
    })
    const link = invitationLink(baseUrl, signed)
    const entry: InvitationEntry = { record, link, createdAt: now, ...(signed.body.memo !== undefined ? { memo: signed.body.memo } : {}) }
    const tally: TallyRecord = {
      id, role: 'inviter', negotiation, createdAt: now, updatedAt: now,
      invitation: { token, expires: record.expires, reuse: record.reuse, ...(entry.memo !== undefined ? { memo: entry.memo } : {}) },
      ...(record.reuse ? { template: true } : {})
    }
    await deps.store.write(async tx => {
      await tx.put('tallies', invitationKey(token), entry)
      await tx.put('tallies', tallyKey(id), tally)
    })
    this.#changed(id)
    return invitationView(entry, tally)
  }

  async invitations (): Promise<InvitationView[]> {
    return await this.deps.store.read(async tx => {
      const out: InvitationView[] = []
      for (const { value } of await tx.list<InvitationEntry>('tallies', INVITATION_PREFIX)) {
        const t = await tx.get<TallyRecord>('tallies', tallyKey(value.record.tally))
        if (t !== undefined) out.push(invitationView(value, t))
      }
      return out.sort((a, b) => b.createdAt - a.createdAt)
    })
  }

  // ---- the invited partner ----

  async preview (link: string): Promise<{ invitation: SignedInvitation, view: OfferView }> {
    const invitation = await parseInvitationLink(this.deps.crypto, link)
    const b = invitation.body
    if (b.card.userId === this.deps.identity.userId) throw new OwnInvitationError()
    const view: OfferView = {
      tally: b.reuse ? cloneTallyId(b.tally, this.deps.identity.userId) : b.tally,
      from: { userId: b.card.userId, name: b.card.name, peerId: b.card.peerId },
      mySide: otherSide(b.side), terms: termsView(b.terms), contractHash: b.contract, contractKnown: knownContract(b.contract) !== undefined,
      expires: b.expires, revision: 1, ...(b.memo !== undefined ? { memo: b.memo } : {})
    }
    return { invitation, view }
  }

  /** Redeems an invitation: sends our ticket to the inviter's node and keeps its offer (→ awaiting me). */
  async redeem (link: string): Promise<string> {
    const { deps } = this
    const { invitation, view } = await this.preview(link)
    const b = invitation.body
    if (deps.clock.now() >= b.expires) throw new InvitationExpiredError(b.expires)
    const id = view.tally
    return await this.#lock.run(id, async () => {
      const known = await deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(id)))
      if (known !== undefined && known.negotiation.status !== 'draft') return id // redeemed already: the tally is here
      const holder = otherSide(b.side)
      const party = await partyInfo(deps.crypto, deps.identity, id, deps.memberKey)
      const ticket = await makeTicket(deps.crypto, deps.identity.userSecret, { token: b.token, tally: id, party })
      const res = await sendNegotiate(deps.network, b.card.peerId, { t: 'ticket', ticket, cert: deps.identity.deviceCert, card: this.#card() }, { addrs: b.card.addrs })
      if (res.t !== 'offer') throw new MalformedError('the inviter answered the ticket without an offer')
      const negotiation = await receiveOffer(deps.crypto, { id, holder, party, partner: b.card.userId }, res.offer)
      const doc = negotiation.doc
      if (doc.revision !== 1) throw new OfferMismatchError(`revision ${doc.revision}`)
      if (canonicalJson(doc.stock.terms) !== canonicalJson(b.terms.stock) || canonicalJson(doc.foil.terms) !== canonicalJson(b.terms.foil)) throw new OfferMismatchError('the terms changed')
      if (doc.contract !== b.contract) throw new OfferMismatchError('the contract changed')
      const now = deps.clock.now()
      const record: TallyRecord = {
        id, role: 'invitee', negotiation, createdAt: now, updatedAt: now,
        partner: { userId: b.card.userId, name: b.card.name, peerId: b.card.peerId, addrs: b.card.addrs },
        invitation: { expires: b.expires, reuse: b.reuse, ...(b.memo !== undefined ? { memo: b.memo } : {}) }
      }
      await deps.store.write(async tx => { await tx.put('tallies', tallyKey(id), record) })
      this.#changed(id)
      return id
    })
  }

  // ---- either side, on an offer from the partner ----

  async accept (id: string): Promise<void> {
    await this.#act(id, async rec => {
      notWithdrawn(rec)
      const { negotiation, message } = await acceptOffer(this.deps.crypto, rec.negotiation, this.deps.identity.userSecret)
      return { negotiation, message: { t: 'open', tally: message, cert: this.deps.identity.deviceCert, card: this.#card() } }
    })
    await this.#openDiary(id)
  }

  async counter (id: string, req: CounterRequest): Promise<void> {
    await this.#act(id, async rec => {
      notWithdrawn(rec)
      const { negotiation, message } = await counterOffer(this.deps.crypto, rec.negotiation, limitEdits(rec.negotiation, req), this.deps.identity.userSecret)
      return { negotiation, message: { t: 'offer', offer: message, cert: this.deps.identity.deviceCert, card: this.#card() } }
    })
  }

  async refuse (id: string, reason?: string): Promise<void> {
    await this.#act(id, async rec => {
      notWithdrawn(rec)
      const { negotiation, message } = await refuseOffer(this.deps.crypto, rec.negotiation, this.deps.identity.userSecret, reason)
      return { negotiation, message: { t: 'refuse', notice: message, cert: this.deps.identity.deviceCert, card: this.#card() } }
    })
  }

  /**
   * Scenario 11: withdraws the offer on the table (mine, or the partner's) back to draft with revision + 1 and
   * both signatures cleared; the partner is notified (queued while it is away) and can no longer accept it.
   * Either side then makes a new offer with offerAgain.
   */
  async revise (id: string): Promise<void> {
    await this.#act(id, async rec => {
      const { negotiation, message } = await reviseOffer(this.deps.crypto, rec.negotiation, this.deps.identity.userSecret)
      return { negotiation, message: { t: 'revise', notice: message, cert: this.deps.identity.deviceCert, card: this.#card() }, revisedBy: 'me' }
    })
  }

  /** After a revise: signs the draft (with the limits changed as asked) as a new offer to the partner (P.draft → H.offer). */
  async offerAgain (id: string, req: CounterRequest = {}): Promise<void> {
    await this.#act(id, async rec => {
      const draft = editDraft(rec.negotiation, limitEdits(rec.negotiation, req))
      const { negotiation, message } = await signOffer(this.deps.crypto, draft, this.deps.identity.userSecret)
      return { negotiation, message: { t: 'offer', offer: message, cert: this.deps.identity.deviceCert, card: this.#card() } }
    })
  }

  /** The partner's nodes refuse this device as a tally member (it was replaced): remember it, for good. */
  async markReplaced (id: string): Promise<void> {
    const changed = await this.#lock.run(id, async () => await this.deps.store.write(async tx => {
      const rec = await tx.get<TallyRecord>('tallies', tallyKey(id))
      if (rec === undefined || rec.replaced !== undefined) return false
      const now = this.deps.clock.now()
      await tx.put('tallies', tallyKey(id), { ...rec, replaced: { at: now }, updatedAt: now } satisfies TallyRecord)
      return true
    }))
    if (changed) this.#changed(id)
  }

  async get (id: string): Promise<TallyRecord> {
    const rec = await this.deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(id)))
    if (rec === undefined) throw new UnknownTallyError(id)
    return rec
  }

  async list (): Promise<TallyRecord[]> {
    const rows = await this.deps.store.read(tx => tx.list<TallyRecord>('tallies', TALLY_PREFIX))
    return rows.map(r => r.value)
  }

  /** Whether a negotiation message for this tally is still waiting to be delivered. */
  async undelivered (id: string): Promise<OutboxEntry | undefined> {
    return await this.deps.store.read(tx => tx.get<OutboxEntry>('tallies', outboxKey(id)))
  }

  /** A user decision: the new negotiation and the message for the partner, persisted together, then sent. */
  async #act (id: string, decide: (rec: TallyRecord) => Promise<{ negotiation: Negotiation, message: NegotiateRequest, revisedBy?: 'me' }>): Promise<void> {
    await this.#lock.run(id, async () => {
      const rec = await this.get(id)
      const { negotiation, message, revisedBy } = await decide(rec)
      const now = this.deps.clock.now()
      await this.deps.store.write(async tx => {
        const { error: _cleared, revisedBy: _was, ...rest } = rec
        await tx.put('tallies', tallyKey(id), { ...rest, negotiation, updatedAt: now, ...(revisedBy !== undefined ? { revisedBy } : {}) } satisfies TallyRecord)
        await tx.put('tallies', outboxKey(id), { tally: id, message, attempts: 0, queuedAt: now } satisfies OutboxEntry)
      })
    })
    this.#changed(id)
    await this.#deliver(id)
  }

  // ---- delivery with retries ----

  async #deliver (id: string): Promise<void> {
    if (this.#stopped) return
    const pending = this.#retry.get(id)
    if (pending !== undefined) { this.deps.timers.clearTimeout(pending); this.#retry.delete(id) }
    const entry = await this.undelivered(id)
    if (entry === undefined) return
    const rec = await this.deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(id)))
    const peer = rec?.partner?.peerId
    if (rec === undefined || peer === undefined) return
    try {
      await sendNegotiate(this.deps.network, peer, entry.message, { addrs: rec.partner?.addrs })
      await this.#settle(id, entry)
    } catch (err) {
      const code = err instanceof ChipsError ? err.code : 'INTERNAL'
      // Only the partner's own refusal is final; anything on the way (offline, timeouts) is retried.
      if (!(err instanceof RemoteError) || TRANSIENT.has(code)) {
        if (this.#stopped) return
        const attempts = entry.attempts + 1
        await this.deps.store.write(async tx => {
          const now = await tx.get<OutboxEntry>('tallies', outboxKey(id))
          if (now !== undefined && same(now.message, entry.message)) await tx.put('tallies', outboxKey(id), { ...now, attempts })
        }).catch(() => undefined)
        const delay = backoffDelay(this.deps.retry ?? DEFAULT_BACKOFF, attempts - 1, this.deps.random)
        this.#retry.set(id, this.deps.timers.setTimeout(() => { this.#retry.delete(id); void this.#deliver(id) }, delay))
        this.#log('info', 'negotiate.retry', id, err, { delay })
        return
      }
      // The partner refused the message for good (e.g. a stale revision): show it, stop sending it.
      await this.#settle(id, entry, { code, message: err instanceof Error ? err.message : String(err) })
      this.#log('warn', 'negotiate.refused', id, err)
    }
  }

  async #settle (id: string, entry: OutboxEntry, error?: { code: string, message: string }): Promise<void> {
    await this.deps.store.write(async tx => {
      const now = await tx.get<OutboxEntry>('tallies', outboxKey(id))
      if (now === undefined || !same(now.message, entry.message)) return
      await tx.delete('tallies', outboxKey(id))
      if (error !== undefined) {
        const rec = await tx.get<TallyRecord>('tallies', tallyKey(id))
        if (rec !== undefined) await tx.put('tallies', tallyKey(id), { ...rec, error, updatedAt: this.deps.clock.now() })
      }
    })
    this.#changed(id)
  }

  async #retryPeer (peerId: string): Promise<void> {
    const outbox = await this.deps.store.read(tx => tx.list<OutboxEntry>('tallies', OUTBOX_PREFIX)).catch(() => [])
    for (const { value } of outbox) {
      const rec = await this.deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(value.tally))).catch(() => undefined)
      if (rec?.partner?.peerId === peerId) void this.#deliver(value.tally)
    }
  }

  // ---- incoming messages ----

  async #handle (req: NegotiateRequest, from: PeerLink): Promise<NegotiateResponse> {
    try {
      switch (req.t) {
        case 'ticket': return await this.#onTicket(req.ticket, req.cert, req.card, from)
        case 'offer': return await this.#onMessage(idOf(TallyIdOf, req.offer, m => m.doc.id), req.cert, req.card, from, async n => await receiveOffer(this.deps.crypto, n, req.offer))
        case 'open': return await this.#onMessage(idOf(TallyIdOf, req.tally, m => m.doc.id), req.cert, req.card, from, async n => await receiveOpen(this.deps.crypto, n, req.tally))
        case 'refuse': return await this.#onMessage(idOf(NoticeTallyOf, req.notice, m => m.body.tally), req.cert, req.card, from, async n => await receiveRefusal(this.deps.crypto, n, req.notice))
        case 'revise': return await this.#onMessage(idOf(NoticeTallyOf, req.notice, m => m.body.tally), req.cert, req.card, from, async n => await receiveRevise(this.deps.crypto, n, req.notice), 'partner')
      }
    } catch (err) {
      this.#log('warn', 'negotiate.refused-incoming', undefined, err, { t: req.t, peer: from.peerId })
      throw err
    }
  }

  /**
   * The partner's device certificate must be the partner's and name the node this message came from; its
   * contact card (optional) must name that same node. Returns the addresses to dial it at later.
   */
  async #checkCert (cert: unknown, from: PeerLink, userId: string, card: unknown): Promise<string[] | undefined> {
    const body = await verifyDeviceCertificate(this.deps.crypto, cert)
    if (body.userId !== userId) throw new WrongPeerError('the device certificate belongs to another user than the tally party')
    if (body.peerId !== from.peerId) throw new WrongPeerError('the device certificate names another node than the one sending')
    if (card === undefined) return undefined
    const c = validateCard(card)
    if (c.userId !== userId || c.peerId !== from.peerId) throw new WrongPeerError('the contact card names another node than the one sending')
    return c.addrs
  }

  async #onTicket (ticket: unknown, cert: unknown, card: unknown, from: PeerLink): Promise<NegotiateResponse> {
    const { deps } = this
    const body = await verifyTicket(deps.crypto, ticket)
    const addrs = await this.#checkCert(cert, from, body.party.cert.userId, card) ?? []
    const entry = await deps.store.read(tx => tx.get<InvitationEntry>('tallies', invitationKey(body.token)))
    if (entry === undefined) throw new UnknownInvitationError()
    const clone = entry.record.reuse
    const id = clone ? cloneTallyId(entry.record.tally, body.party.cert.userId) : entry.record.tally
    return await this.#lock.run(id, async () => {
      // A retry by the same partner (its answer was lost) gets the same offer again.
      const existing = await deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(id)))
      if (existing !== undefined && existing.partner?.userId === body.party.cert.userId && existing.negotiation.status !== 'draft') {
        if (phaseOf(existing.negotiation) === 'H.offer' && existing.negotiation.doc.revision === 1) return { t: 'offer', offer: { doc: existing.negotiation.doc, sigs: existing.negotiation.sigs } }
      }
      const now = deps.clock.now()
      redeemInvitation(entry.record, body.token, now) // expired / used: named errors back to the partner
      const template = await deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(entry.record.tally)))
      if (template === undefined) throw new UnknownInvitationError()
      let draft = await acceptTicket(deps.crypto, template.negotiation, ticket, { clone })
      const key = sharedKeyOf(deps.identity, draft.doc, draft.holder)
      if (entry.memo !== undefined && key !== undefined) draft = editDraft(draft, { memo: sealJson(key, deps.random.bytes(NONCE_BYTES), id, 'memo', entry.memo) })
      const { negotiation, message } = await signOffer(deps.crypto, draft, deps.identity.userSecret)
      await deps.store.write(async tx => {
        const current = await tx.get<InvitationEntry>('tallies', invitationKey(body.token))
        if (current === undefined) throw new UnknownInvitationError()
        const { record } = redeemInvitation(current.record, body.token, now) // a concurrent redeemer lost the race
        await tx.put('tallies', invitationKey(body.token), { ...current, record, ...(record.reuse ? {} : { usedBy: body.party.cert.userId }) } satisfies InvitationEntry)
        await tx.put('tallies', tallyKey(id), {
          ...template, id, negotiation, template: undefined, createdAt: now, updatedAt: now,
          partner: { userId: body.party.cert.userId, name: body.party.cert.name, peerId: from.peerId, addrs }
        } satisfies TallyRecord)
      })
      this.#changed(id)
      return { t: 'offer', offer: message satisfies SignedTally }
    })
  }

  async #onMessage (id: string, cert: unknown, card: unknown, from: PeerLink, step: (n: Negotiation) => Promise<Negotiation>, revisedBy?: 'partner'): Promise<NegotiateResponse> {
    return await this.#lock.run(id, async () => {
      const rec = await this.deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(id)))
      if (rec === undefined || rec.partner === undefined || rec.template === true) throw new UnknownTallyError(id)
      const addrs = await this.#checkCert(cert, from, rec.partner.userId, card) ?? rec.partner.addrs
      const negotiation = await step(rec.negotiation)
      if (negotiation === rec.negotiation) return { t: 'ok' } // a duplicate: nothing changes
      const now = this.deps.clock.now()
      await this.deps.store.write(async tx => {
        const { error: _cleared, revisedBy: _was, ...rest } = rec
        await tx.put('tallies', tallyKey(id), {
          ...rest, negotiation, partner: { ...rec.partner!, peerId: from.peerId, addrs }, updatedAt: now, ...(revisedBy !== undefined ? { revisedBy } : {})
        } satisfies TallyRecord)
        // Our last message is answered (the partner moved on from it).
        await tx.delete('tallies', outboxKey(id))
      })
      this.#changed(id)
      if (negotiation.status === 'open') await this.#openDiary(id).catch(err => { this.#log('warn', 'diary.open-failed', id, err) })
      return { t: 'ok' }
    })
  }

  // ---- the diary ----

  async #openDiary (id: string): Promise<void> {
    const diary = this.deps.diary
    if (diary === undefined) return
    const rec = await this.get(id)
    if (rec.negotiation.status !== 'open') return
    const genesis = await tallyGenesis(this.deps.crypto, { doc: rec.negotiation.doc, sigs: rec.negotiation.sigs })
    const partner = rec.negotiation.doc[otherSide(rec.negotiation.holder)].party
    const addrs: Record<string, readonly string[]> = {}
    if (partner !== undefined && rec.partner !== undefined) for (const m of partner.members) addrs[m.key] = rec.partner.addrs
    await diary.open(genesis, { addrs })
    if (rec.diary !== true) {
      await this.deps.store.write(async tx => {
        const now = await tx.get<TallyRecord>('tallies', tallyKey(id))
        if (now !== undefined) await tx.put('tallies', tallyKey(id), { ...now, diary: true })
      })
    }
    this.#changed(id)
  }

  #log (level: 'info' | 'warn', event: string, tally: string | undefined, err: unknown, extra: Record<string, unknown> = {}): void {
    this.deps.logger.log(level, event, { tally, code: err instanceof ChipsError ? err.code : 'INTERNAL', error: err instanceof Error ? err.message : String(err), ...extra })
  }
}

function same (a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

/** An offer the partner withdrew (revised) can no longer be answered: a named refusal rather than a bare transition error. */
function notWithdrawn (rec: TallyRecord): void {
  if (rec.revisedBy === 'partner' && phaseOf(rec.negotiation) === 'P.draft') throw new OfferWithdrawnError(rec.id)
}

/** A CounterRequest (limits from my side) as document edits. */
function limitEdits (n: Negotiation, req: CounterRequest): DocEdits {
  const mine = n.holder
  const theirs = otherSide(mine)
  const doc = n.doc
  return {
    ...(req.myLimit !== undefined ? { [mine]: { terms: { ...doc[mine].terms, limit: req.myLimit } } } : {}),
    ...(req.partnerLimit !== undefined ? { [theirs]: { terms: { ...doc[theirs].terms, limit: req.partnerLimit } } } : {})
  }
}

function idOf<S extends v.GenericSchema> (schema: S, raw: unknown, pick: (m: v.InferOutput<S>) => string): string {
  const r = v.safeParse(schema, raw)
  if (!r.success) throw new MalformedError(`malformed negotiation message: ${v.summarize(r.issues)}`)
  return pick(r.output)
}

export function termsView (t: { stock: Terms, foil: Terms }): TallyTermsView {
  return { stockLimit: t.stock.limit, foilLimit: t.foil.limit, stockCall: t.stock.call, foilCall: t.foil.call }
}

function invitationView (e: InvitationEntry, t: TallyRecord): InvitationView {
  const doc = t.negotiation.doc
  return {
    token: e.record.token, tally: e.record.tally, link: e.link, mySide: t.negotiation.holder,
    terms: termsView({ stock: doc.stock.terms, foil: doc.foil.terms }), contractHash: doc.contract,
    expires: e.record.expires, reuse: e.record.reuse, createdAt: e.createdAt,
    ...(e.memo !== undefined ? { memo: e.memo } : {}), ...(e.record.usedAt !== undefined ? { usedAt: e.record.usedAt } : {})
  }
}
