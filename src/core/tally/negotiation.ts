// The negotiation state machine (research §1.5, scenarios 8–13), one instance per party, pure and async
// only for signatures. States: draft → offer → open, or void; a counter-offer is a new revision (+1) signed
// by the counter-party; revising clears both signatures. Offers and the open tally carry the parties' root
// signatures over the document; refusals and revisions are signed envelopes of the sender.
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { signEnvelope, verifyEnvelope, WrongSignerError, type Signed } from '../codec/envelope'
import { canonicalJson } from '../codec/canonical'
import { hashOf } from '../codec/hash'
import { toBase64url } from '../codec/base64url'
import { MalformedError } from '../errors'
import { signTallyDoc, verifyTallySig } from './document'
import { ForbiddenTransitionError, PartyChangedError, StaleRevisionError, WrongTallyError } from './errors'
import { checkTerms, checkTradingVars, parseTallyDoc } from './rules'
import { IdSchema, PartyInfoSchema, SignedTallySchema } from './schema'
import { DEFAULT_VARS, otherSide, type PartyInfo, type Side, type SignedTally, type TallyDoc, type TallySigs, type Terms, type TradingVars } from './types'
import type { Sealed } from '../crypto/seal'

export type NegotiationStatus = 'draft' | 'offer' | 'open' | 'void'

/** One party's view of a tally under negotiation. */
export interface Negotiation {
  holder: Side
  status: NegotiationStatus
  doc: TallyDoc
  sigs: TallySigs
}

/** What a party knows before it has seen any offer: the tally id it derived keys for, its side and its party info. */
export interface Expectation {
  id: string
  holder: Side
  party: PartyInfo
  /** The inviter's user id, when the invitation named it: an offer from anyone else is refused (PartyChangedError). */
  partner?: string
}

export const TICKET_TYPE = 'tally-ticket'
export const REFUSE_TYPE = 'tally-refuse'
export const REVISE_TYPE = 'tally-revise'

export interface TicketBody { token: string, tally: string, party: PartyInfo }
export interface NoticeBody { tally: string, revision: number, reason?: string }

const TicketBodySchema = v.strictObject({ token: v.pipe(v.string(), v.maxLength(64)), tally: IdSchema, party: PartyInfoSchema })
const NoticeBodySchema = v.strictObject({ tally: IdSchema, revision: v.pipe(v.number(), v.safeInteger(), v.minValue(1)), reason: v.optional(v.pipe(v.string(), v.maxLength(500))) })

export interface SideEdit { terms?: Terms, vars?: TradingVars }
export interface DocEdits {
  stock?: SideEdit
  foil?: SideEdit
  contract?: string
  memo?: Sealed
  /** The holder's OWN certificate details, sealed with the tally key (known once the partner's seal key is). */
  details?: Sealed
}

/** Legacy-style phase names: P. = partner signed only, H. = holder signed only. */
export function phaseOf (n: Negotiation): string {
  const partner = n.doc[otherSide(n.holder)].party !== undefined
  if (n.status === 'draft') return partner ? 'P.draft' : 'draft'
  if (n.status === 'offer') return n.sigs[n.holder] !== undefined ? 'H.offer' : 'P.offer'
  return n.status
}

function need (n: Negotiation, phases: string[], action: string): void {
  const ph = phaseOf(n)
  if (!phases.includes(ph)) throw new ForbiddenTransitionError(ph, action)
}

function same (a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

/** The id a reusable invitation's clone gets: deterministic, so the redeemer can derive its keys for it. */
export function cloneTallyId (templateId: string, redeemerUserId: string): string {
  return hashOf(['tally-clone', templateId, redeemerUserId]).slice(0, 22)
}

export function draftTally (args: {
  id: string, date: number, contract: string, holder: Side, party: PartyInfo
  terms: { stock: Terms, foil: Terms }, vars?: { stock?: TradingVars, foil?: TradingVars }
}): Negotiation {
  const side = (s: Side) => ({ terms: args.terms[s], vars: args.vars?.[s] ?? DEFAULT_VARS, ...(s === args.holder ? { party: args.party } : {}) })
  const doc: TallyDoc = { id: args.id, revision: 1, date: args.date, contract: args.contract, stock: side('stock'), foil: side('foil') }
  return { holder: args.holder, status: 'draft', doc: parseTallyDoc(doc, false), sigs: {} }
}

/** Applies edits to a draft (terms, trading variables, contract, memo). */
export function editDraft (n: Negotiation, edits: DocEdits): Negotiation {
  need(n, ['draft', 'P.draft'], 'edit')
  return { ...n, doc: applyEdits(n.doc, edits, n.doc.revision, n.holder) }
}

function applyEdits (doc: TallyDoc, e: DocEdits, revision: number, holder: Side): TallyDoc {
  for (const s of ['stock', 'foil'] as const) {
    if (e[s]?.terms !== undefined) checkTerms(e[s].terms)
    if (e[s]?.vars !== undefined) checkTradingVars(e[s].vars)
  }
  const own = doc[holder].party
  if (e.details !== undefined && own === undefined) throw new MalformedError('the holder has no party info to attach details to')
  const party = (s: Side) => s === holder && e.details !== undefined && own !== undefined ? { party: { ...own, cert: { ...own.cert, details: e.details } } } : {}
  const side = (s: Side) => ({ ...doc[s], ...(e[s]?.terms !== undefined ? { terms: e[s].terms } : {}), ...(e[s]?.vars !== undefined ? { vars: e[s].vars } : {}), ...party(s) })
  return parseTallyDoc({
    ...doc, revision, stock: side('stock'), foil: side('foil'),
    ...(e.contract !== undefined ? { contract: e.contract } : {}), ...(e.memo !== undefined ? { memo: e.memo } : {})
  }, false)
}

/** The redeemer's answer to an invitation: its party info for tally `tally`, signed by its root key. */
export async function makeTicket (p: SignatureProvider, userSecret: Uint8Array, body: TicketBody): Promise<Signed<TicketBody>> {
  const signer = toBase64url(await p.publicKey(userSecret))
  if (signer !== body.party.cert.userId) throw new WrongSignerError(body.party.cert.userId, signer)
  return signEnvelope(p, userSecret, TICKET_TYPE, body)
}

/** Verifies an untrusted ticket (shape, signature by the party it names) and returns its body: read the token from it, redeem it, then acceptTicket. */
export async function verifyTicket (p: SignatureProvider, ticket: unknown): Promise<TicketBody> {
  const env = await verifyEnvelope<unknown>(p, ticket, { type: TICKET_TYPE })
  const r = v.safeParse(TicketBodySchema, env.body)
  if (!r.success) throw new MalformedError(`ticket: ${v.summarize(r.issues)}`)
  const body = r.output as TicketBody
  if (body.party.cert.userId !== env.signer) throw new WrongSignerError(body.party.cert.userId, env.signer)
  return body
}

/**
 * The drafter attaches the redeemer's verified ticket: draft → P.draft. `clone` (a reusable invitation)
 * gives the copy its own id, cloneTallyId(template, redeemer). The token itself is checked with
 * redeemInvitation before this.
 */
export async function acceptTicket (p: SignatureProvider, n: Negotiation, ticket: unknown, opts: { clone: boolean }): Promise<Negotiation> {
  need(n, ['draft'], 'attach a partner to')
  const body = await verifyTicket(p, ticket)
  const id = opts.clone ? cloneTallyId(n.doc.id, body.party.cert.userId) : n.doc.id
  if (body.tally !== id) throw new WrongTallyError(id, body.tally)
  const partner = otherSide(n.holder)
  const doc = parseTallyDoc({ ...n.doc, id, [partner]: { ...n.doc[partner], party: body.party } }, true)
  return { holder: n.holder, status: 'draft', doc, sigs: {} }
}

/** The holder signs the complete draft: draft → H.offer. Send `message` to the partner. */
export async function signOffer (p: SignatureProvider, n: Negotiation, userSecret: Uint8Array): Promise<{ negotiation: Negotiation, message: SignedTally }> {
  need(n, ['P.draft'], 'offer')
  const doc = parseTallyDoc(n.doc, true)
  const sigs = { [n.holder]: await signTallyDoc(p, userSecret, doc, n.holder) }
  return { negotiation: { holder: n.holder, status: 'offer', doc, sigs }, message: { doc, sigs } }
}

async function parseSignedTally (p: SignatureProvider, msg: unknown, signers: Side[]): Promise<SignedTally> {
  const r = v.safeParse(SignedTallySchema, msg)
  if (!r.success) throw new MalformedError(`signed tally: ${v.summarize(r.issues)}`)
  const doc = parseTallyDoc(r.output.doc, true)
  const sigs: TallySigs = {}
  for (const side of signers) {
    const sig = r.output.sigs[side]
    if (sig === undefined) throw new MalformedError(`the ${side} signature is missing`)
    await verifyTallySig(p, doc, side, sig)
    sigs[side] = sig
  }
  return { doc, sigs }
}

/**
 * An offer (or counter-offer) from the partner arrives: → P.offer. Allowed when nothing is in hand yet,
 * in draft, H.offer (a counter-offer), P.offer (a newer revision) or void (a duly signed offer revives it).
 * Throws InvalidSignatureError, PartyChangedError (my own party info altered), StaleRevisionError,
 * WrongTallyError or ForbiddenTransitionError; an invalid offer changes nothing (scenario 13).
 */
export async function receiveOffer (p: SignatureProvider, mine: Negotiation | Expectation, msg: unknown): Promise<Negotiation> {
  const current = 'status' in mine ? mine : undefined
  const holder = mine.holder
  const id = current?.doc.id ?? (mine as Expectation).id
  const myParty = current?.doc[holder].party ?? (mine as Expectation).party
  if (current !== undefined) need(current, ['draft', 'P.draft', 'H.offer', 'P.offer', 'void'], 'receive an offer for')
  const partner = otherSide(holder)
  const offer = await parseSignedTally(p, msg, [partner])
  if (offer.sigs[holder] !== undefined || (msg as SignedTally).sigs[holder] !== undefined) throw new MalformedError('an offer carries only the offerer\'s signature')
  if (offer.doc.id !== id) throw new WrongTallyError(id, offer.doc.id)
  if (!same(offer.doc[holder].party, myParty)) throw new PartyChangedError(holder)
  const knownPartner = current?.doc[partner].party?.cert.userId ?? (mine as Expectation).partner
  if (knownPartner !== undefined && knownPartner !== offer.doc[partner].party?.cert.userId) throw new PartyChangedError(partner)
  if (current !== undefined && current.status !== 'void') {
    if (phaseOf(current) === 'P.offer' && same(current.doc, offer.doc)) return current // a duplicate: idempotent
    // After a revise (P.draft) the next offer carries the revision the revise announced; otherwise it must be newer.
    const newest = phaseOf(current) === 'P.draft' ? current.doc.revision - 1 : current.doc.revision
    if (offer.doc.revision <= newest) throw new StaleRevisionError(offer.doc.revision, current.doc.revision)
  }
  return { holder, status: 'offer', doc: offer.doc, sigs: offer.sigs }
}

/** P.offer → H.offer with revision + 1: the holder changes terms and signs; the partner's signature is dropped. */
export async function counterOffer (p: SignatureProvider, n: Negotiation, edits: DocEdits, userSecret: Uint8Array): Promise<{ negotiation: Negotiation, message: SignedTally }> {
  need(n, ['P.offer'], 'counter')
  const doc = parseTallyDoc(applyEdits(n.doc, edits, n.doc.revision + 1, n.holder), true)
  const sigs = { [n.holder]: await signTallyDoc(p, userSecret, doc, n.holder) }
  return { negotiation: { holder: n.holder, status: 'offer', doc, sigs }, message: { doc, sigs } }
}

/** P.offer → open: the holder signs too. Send `message` (the fully signed tally) to the partner; it is the diary's genesis. */
export async function acceptOffer (p: SignatureProvider, n: Negotiation, userSecret: Uint8Array): Promise<{ negotiation: Negotiation, message: SignedTally }> {
  need(n, ['P.offer'], 'accept')
  const sigs = { ...n.sigs, [n.holder]: await signTallyDoc(p, userSecret, n.doc, n.holder) }
  return { negotiation: { ...n, status: 'open', sigs }, message: { doc: n.doc, sigs } }
}

/**
 * H.offer → open when the partner's acceptance of exactly my offer arrives with both signatures valid.
 * Also the acceptance of an offer I withdrew (revised) that crossed my revise notice: the partner accepted
 * revision r while I had moved to r + 1 (P.draft, or H.offer again). That document carries my own valid
 * signature, so it is a binding tally (a withdrawal only counts once the partner knew of it): → open with it.
 */
export async function receiveOpen (p: SignatureProvider, n: Negotiation, msg: unknown): Promise<Negotiation> {
  const signed = await parseSignedTally(p, msg, ['stock', 'foil'])
  if (n.status === 'open' && same(n.doc, signed.doc)) return n // a duplicate: idempotent
  need(n, ['H.offer', 'P.draft'], 'open')
  if (signed.doc.id !== n.doc.id) throw new WrongTallyError(n.doc.id, signed.doc.id)
  const withdrawn = signed.doc.revision === n.doc.revision - 1 && same(signed.doc[n.holder].party?.cert.userId, n.doc[n.holder].party?.cert.userId)
  if (withdrawn) return { holder: n.holder, status: 'open', doc: signed.doc, sigs: signed.sigs }
  if (phaseOf(n) !== 'H.offer') throw new ForbiddenTransitionError(phaseOf(n), 'open')
  if (!same(signed.doc, n.doc)) throw new StaleRevisionError(signed.doc.revision, n.doc.revision)
  return { ...n, status: 'open', sigs: signed.sigs }
}

async function notice (p: SignatureProvider, n: Negotiation, userSecret: Uint8Array, type: string, revision: number, reason?: string): Promise<Signed<NoticeBody>> {
  const me = n.doc[n.holder].party?.cert.userId
  const signer = toBase64url(await p.publicKey(userSecret))
  if (me !== undefined && me !== signer) throw new WrongSignerError(me, signer)
  return signEnvelope<NoticeBody>(p, userSecret, type, { tally: n.doc.id, revision, ...(reason !== undefined ? { reason } : {}) })
}

async function parseNotice (p: SignatureProvider, n: Negotiation, env: unknown, type: string): Promise<NoticeBody> {
  const partner = n.doc[otherSide(n.holder)].party?.cert.userId
  if (partner === undefined) throw new ForbiddenTransitionError(phaseOf(n), 'receive a partner notice for')
  const e = await verifyEnvelope<unknown>(p, env, { type, signer: partner })
  const r = v.safeParse(NoticeBodySchema, e.body)
  if (!r.success) throw new MalformedError(`${type}: ${v.summarize(r.issues)}`)
  if (r.output.tally !== n.doc.id) throw new WrongTallyError(n.doc.id, r.output.tally)
  return r.output
}

/** P.offer → void. Send the signed refusal to the partner. */
export async function refuseOffer (p: SignatureProvider, n: Negotiation, userSecret: Uint8Array, reason?: string): Promise<{ negotiation: Negotiation, message: Signed<NoticeBody> }> {
  need(n, ['P.offer'], 'refuse')
  const message = await notice(p, n, userSecret, REFUSE_TYPE, n.doc.revision, reason)
  return { negotiation: { ...n, status: 'void', sigs: {} }, message }
}

/** H.offer → void when the partner's signed refusal of my current revision arrives. */
export async function receiveRefusal (p: SignatureProvider, n: Negotiation, env: unknown): Promise<Negotiation> {
  if (n.status === 'void') return n
  need(n, ['H.offer'], 'refuse')
  const body = await parseNotice(p, n, env, REFUSE_TYPE)
  if (body.revision !== n.doc.revision) throw new StaleRevisionError(body.revision, n.doc.revision)
  return { ...n, status: 'void', sigs: {} }
}

/** offer → draft with revision + 1 and both signatures cleared (research "offer.draft"). Notify the partner. */
export async function reviseOffer (p: SignatureProvider, n: Negotiation, userSecret: Uint8Array): Promise<{ negotiation: Negotiation, message: Signed<NoticeBody> }> {
  need(n, ['H.offer', 'P.offer'], 'revise')
  const revision = n.doc.revision + 1
  const message = await notice(p, n, userSecret, REVISE_TYPE, revision)
  return { negotiation: { ...n, status: 'draft', doc: { ...n.doc, revision }, sigs: {} }, message }
}

/**
 * The partner is revising: my offer (or theirs) goes back to draft at their new revision, signatures cleared.
 * In P.draft already (a duplicate notice, or both revised at once) the higher revision wins; an equal one
 * changes nothing.
 */
export async function receiveRevise (p: SignatureProvider, n: Negotiation, env: unknown): Promise<Negotiation> {
  need(n, ['H.offer', 'P.offer', 'P.draft'], 'revise')
  const body = await parseNotice(p, n, env, REVISE_TYPE)
  if (phaseOf(n) === 'P.draft' && body.revision === n.doc.revision) return n
  if (body.revision <= n.doc.revision) throw new StaleRevisionError(body.revision, n.doc.revision)
  return { ...n, status: 'draft', doc: { ...n.doc, revision: body.revision }, sigs: {} }
}
