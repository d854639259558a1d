// The simulator's direct setup (docs/simulator.md "Setup"): every tally of a scenario built in bulk, before the
// nodes start, into each party's store — the records the negotiated setup (world.ts) leaves there, made by the
// same core functions the tally and diary services call, signed by the same keys with the same crypto:
//
// - negotiation (services/tallies/negotiation.ts invite → redeem/ticket → offer → accept → open): the stock's
//   invitation (signed, its link) and draft, the foil's ticket, the stock's offer with the sealed invitation memo,
//   the foil's acceptance; each received message checked as the receiving node checks it (invitation link, ticket,
//   offer and open signatures); both tally records as the services leave them once the diary is open;
// - diary (services/diary: a certified entry per chit): the opening-balance payment chit, then each holder's
//   trading-variables settings chit (services/tallies/service.ts #submit: a chit id, a sealed memo, the party's
//   next chain key), each in its own entry authored by the foil's node (the preferred proposer), applied by the
//   real tally machine (a refusal stops the setup), approved by both members' nodes (round 0), certified; the
//   genesis, the certificates, each member's durable record and state rows as the diary service commits them.
//
// Differences from the negotiated setup, none of them visible to a node: no message is sent (setupMessages 0), no
// virtual time passes (every timestamp is the start time), random draws come from each user's setup stream in a
// fixed order (tally ids and tokens exactly as the negotiated setup draws them: all invitations first, in scenario
// order; then the invitation memos' nonces, then chit ids and nonces, in scenario order: the negotiated setup
// draws those as messages arrive, so they may land on other chits), and X25519 (seal keys, the tally key) comes
// from Node's OpenSSL (setup-x25519.ts) instead of @noble/curves — the same values. Checks of messages signed
// here moments before may be answered from memory (setup-signed.ts) — the same verdicts.
import { toBase64url } from '../../src/core/codec/base64url'
import type { SignatureProvider } from '../../src/core/crypto/provider'
import { NONCE_BYTES, sealJson } from '../../src/core/crypto/seal'
import { partyAction, signPartyAction } from '../../src/core/chit/sign'
import type { Op, TallyAction } from '../../src/core/chit/types'
import { makeCertificate } from '../../src/core/diary/certificate'
import type { Certificate } from '../../src/core/diary/certificate'
import { signAnswer } from '../../src/core/diary/answer'
import { entryHash, signEntry } from '../../src/core/diary/entry'
import { applyActions } from '../../src/core/diary/evaluate'
import type { Genesis, Head } from '../../src/core/diary/head'
import { chainPublicKey } from '../../src/core/keys/chain'
import { createInvitation, DEFAULT_INVITATION_LIFETIME_MS, redeemInvitation } from '../../src/core/tally/invitation'
import { acceptOffer, acceptTicket, draftTally, editDraft, makeTicket, receiveOffer, receiveOpen, signOffer } from '../../src/core/tally/negotiation'
import type { Negotiation } from '../../src/core/tally/negotiation'
import { tallyMachine } from '../../src/core/tally/machine'
import { tallyGenesis } from '../../src/core/tally/state'
import type { TallyState } from '../../src/core/tally/state'
import type { PartyInfo, Side, Terms } from '../../src/core/tally/types'
import type { ContactCard, Identity } from '../../src/node/api'
import { MAX_CARD_ADDRS } from '../../src/node/contact/card'
import type { DiaryIdentity } from '../../src/node/services/diary/service'
import { keys as diaryKeys, putMember } from '../../src/node/services/diary/records'
import { MEMO_FIELD } from '../../src/node/services/tallies/chits'
import { DEFAULT_CONTRACT_HASH } from '../../src/node/services/tallies/contract'
import { nodeMemberIdentity } from '../../src/node/services/tallies/member'
import { invitationKey, tallyKey } from '../../src/node/services/tallies/records'
import type { InvitationEntry, TallyRecord } from '../../src/node/services/tallies/records'
import type { Random } from '../../src/node/ports'
import type { Store } from '../../src/node/store/store'
import { invitationLink, parseInvitationLink, signInvitation } from '../../src/node/tally-link/invitation'
import type { ScenarioTally } from './scenario'
import { nativeSealPublicKeyOf, nativeTallySharedKey } from './setup-x25519'

/** One user as the direct setup needs it: keys, its seeded stream, where its node will listen, its store. */
export interface DirectParty {
  name: string
  identity: Identity
  random: Random
  /** The node's addresses (its contact card's addrs). */
  addrs: string[]
  store: Store
}

export interface DirectSetupOptions {
  /** Real Ed25519 (one of the simulator's backends). */
  crypto: SignatureProvider
  /** Clock ms every record is stamped with. */
  now: number
  /** The link base the world's invitations use. */
  inviteBase: string
  /** Tallies whose rows are written in one transaction per user (default 256). */
  batch?: number
}

/** What the direct setup made of one scenario tally. */
export interface DirectTally {
  spec: ScenarioTally
  id: string
  /** Each side's tally shared key (the memo key), to warm the nodes' memo (party.ts rememberSharedKey). */
  sharedKey: Uint8Array
  /** The fully signed document, as both records hold it. */
  negotiation: { stock: Negotiation, foil: Negotiation }
}

export class DirectSetupError extends Error {
  readonly code = 'SIM_SETUP_FAILED'
}

/** Tallies whose rows are written together by default (see flush). */
const BATCH = 256

interface Rows { tallies: Map<string, unknown>, diaries: Array<{ tally: string, genesis: Genesis<TallyState>, head: Head<TallyState>, certificates: Array<Certificate<TallyAction>> }> }

/**
 * Builds every tally of `tallies` (scenario order) into its parties' stores and returns them in that order.
 * The stores must be open (one write transaction per user at the end); the nodes start on them afterwards.
 */
export async function directSetup (parties: ReadonlyMap<string, DirectParty>, tallies: readonly ScenarioTally[], options: DirectSetupOptions): Promise<DirectTally[]> {
  const { crypto, now } = options
  const machine = tallyMachine(crypto)
  const batch = options.batch ?? BATCH
  const party = (name: string): DirectParty => {
    const p = parties.get(name)
    if (p === undefined) throw new DirectSetupError(`unknown user ${name}`)
    return p
  }
  const rows = new Map<string, Rows>()
  const rowsOf = (p: DirectParty): Rows => {
    let r = rows.get(p.name)
    if (r === undefined) rows.set(p.name, r = { tallies: new Map(), diaries: [] })
    return r
  }
  // One transaction per user and batch of tallies: its tally records, and per tally the diary rows the diary
  // service commits. In batches, so that what waits to be written stays small (less for the collector to move).
  const flush = async (): Promise<void> => {
    for (const [name, r] of rows) {
      await party(name).store.write(async tx => {
        for (const [key, value] of r.tallies) await tx.put('tallies', key, value)
        for (const d of r.diaries) {
          await tx.put('pending', diaryKeys.genesis(d.tally), d.genesis)
          // As diary.open (the member record with its state row) then one commit per certificate leave them.
          for (const c of d.certificates) await tx.put('entries', diaryKeys.entry(d.tally, c.entry.body.seq), c)
          await putMember(tx, d.tally, { head: d.head, answers: {} }, true)
        }
      })
    }
    rows.clear()
  }
  const members = new Map<string, DiaryIdentity>()
  const memberOf = (p: DirectParty): DiaryIdentity => {
    let m = members.get(p.name)
    if (m === undefined) members.set(p.name, m = nodeMemberIdentity(p.identity.peerKey))
    return m
  }
  const card = (p: DirectParty): ContactCard => ({ v: 1, userId: p.identity.userId, name: p.identity.name, peerId: p.identity.peerId, addrs: p.addrs.slice(0, MAX_CARD_ADDRS) })
  const partyInfo = async (p: DirectParty, tally: string): Promise<PartyInfo> => ({
    cert: { userId: p.identity.userId, name: p.identity.name },
    chain: await chainPublicKey(crypto, p.identity.userSecret, tally, 0),
    seal: nativeSealPublicKeyOf(p.identity.userSecret, tally),
    members: [{ key: memberOf(p).key, weight: 1 }]
  })

  // The negotiated setup's first draws: every invitation's tally id and token, in scenario order (invite() draws
  // both before its first await, and world.ts starts every tally's invite at once).
  const drawn = tallies.map(spec => {
    const stock = party(spec.stock)
    return { id: toBase64url(stock.random.bytes(16)), token: toBase64url(stock.random.bytes(18)) }
  })

  const negotiated: Array<{ spec: ScenarioTally, id: string, stock: DirectParty, foil: DirectParty, sharedKey: Uint8Array, stockOpen: Negotiation, foilOpen: Negotiation }> = []
  for (const [i, spec] of tallies.entries()) {
    const stock = party(spec.stock)
    const foil = party(spec.foil)
    const { id, token } = drawn[i]!

    // ---- the stock invites (Negotiations.invite, kind 'extend': the stock extends credit) ----
    const terms = { stock: { limit: spec.limit.foil, call: 30 }, foil: { limit: spec.limit.stock, call: 30 } } satisfies { stock: Terms, foil: Terms }
    const draft = draftTally({ id, date: now, contract: DEFAULT_CONTRACT_HASH, holder: 'stock', party: await partyInfo(stock, id), terms })
    const record = createInvitation({ token, tally: id, now, lifetimeMs: DEFAULT_INVITATION_LIFETIME_MS })
    const invitation = await signInvitation(crypto, stock.identity.userSecret, {
      v: 1, card: card(stock), token, tally: id, side: 'stock', terms: { stock: draft.doc.stock.terms, foil: draft.doc.foil.terms },
      contract: draft.doc.contract, ...(spec.id !== '' ? { memo: spec.id } : {}), expires: record.expires, reuse: record.reuse
    })
    const link = invitationLink(options.inviteBase, invitation)
    const invited: InvitationEntry = { record, link, createdAt: now, ...(invitation.body.memo !== undefined ? { memo: invitation.body.memo } : {}) }
    const template: TallyRecord = {
      id, role: 'inviter', negotiation: draft, createdAt: now, updatedAt: now,
      invitation: { token, expires: record.expires, reuse: record.reuse, ...(invited.memo !== undefined ? { memo: invited.memo } : {}) }
    }

    // ---- the foil redeems (Negotiations.redeem): reads the link, sends its ticket ----
    const b = (await parseInvitationLink(crypto, link)).body
    const foilParty = await partyInfo(foil, id)
    const ticket = await makeTicket(crypto, foil.identity.userSecret, { token: b.token, tally: id, party: foilParty })

    // ---- the stock takes the ticket (Negotiations #onTicket): its offer, with the invitation memo sealed ----
    const redeemed = redeemInvitation(invited.record, token, now).record
    let stockDraft = await acceptTicket(crypto, template.negotiation, ticket, { clone: false })
    const foilSeal = stockDraft.doc.foil.party?.seal
    if (foilSeal === undefined) throw new DirectSetupError(`tally ${spec.id}: the ticket carries no seal key`)
    const sharedKey = nativeTallySharedKey(stock.identity.userSecret, foilSeal, id)
    if (invited.memo !== undefined) stockDraft = editDraft(stockDraft, { memo: sealJson(sharedKey, stock.random.bytes(NONCE_BYTES), id, 'memo', invited.memo) })
    const offer = await signOffer(crypto, stockDraft, stock.identity.userSecret)

    // ---- the foil receives the offer (redeem, continued) and accepts (Negotiations.accept) ----
    const offered = await receiveOffer(crypto, { id, holder: 'foil', party: foilParty, partner: b.card.userId }, offer.message)
    const accepted = await acceptOffer(crypto, offered, foil.identity.userSecret)

    // ---- the stock receives the open message (Negotiations #onMessage) ----
    const stockOpen = await receiveOpen(crypto, offer.negotiation, accepted.message)

    const stockCard = b.card
    const foilCard = card(foil)
    rowsOf(stock).tallies.set(invitationKey(token), { ...invited, record: redeemed, usedBy: foil.identity.userId } satisfies InvitationEntry)
    rowsOf(stock).tallies.set(tallyKey(id), {
      ...template, id, negotiation: stockOpen, template: undefined, createdAt: now, updatedAt: now,
      partner: { userId: foil.identity.userId, name: foilParty.cert.name, peerId: foil.identity.peerId, addrs: foilCard.addrs },
      diary: true
    } satisfies TallyRecord)
    rowsOf(foil).tallies.set(tallyKey(id), {
      id, role: 'invitee', negotiation: accepted.negotiation, createdAt: now, updatedAt: now,
      partner: { userId: stockCard.userId, name: stockCard.name, peerId: stockCard.peerId, addrs: stockCard.addrs },
      invitation: { expires: b.expires, reuse: b.reuse, ...(b.memo !== undefined ? { memo: b.memo } : {}) },
      diary: true
    } satisfies TallyRecord)

    negotiated.push({ spec, id, stock, foil, sharedKey, stockOpen, foilOpen: accepted.negotiation })
  }

  const out: DirectTally[] = []
  // The diaries after every negotiation, as the negotiated setup draws: the chits' ids and nonces come after the
  // invitation memos' nonces in each user's stream (a chit waits for its tally to open).
  for (const { spec, id, stock, foil, sharedKey, stockOpen, foilOpen } of negotiated) {
    // ---- the diary: genesis, then one certified entry per chit ----
    const genesis = await tallyGenesis(crypto, { doc: stockOpen.doc, sigs: stockOpen.sigs })
    let head: Head<TallyState> = { seq: 0, hash: genesis.hash, state: genesis.state }
    const certificates: Array<Certificate<TallyAction>> = []
    const author = memberOf(foil)
    const approvers = [memberOf(stock), author]
    const certify = async (by: DirectParty, side: Side, build: (chit: string) => Op): Promise<void> => {
      const chit = toBase64url(by.random.bytes(16))
      const op = build(chit)
      const action = partyAction(await signPartyAction(crypto, by.identity.userSecret, { tally: id, side, index: head.state[side].chain.index, op }))
      const outcome = await applyActions(machine, head.state, [action])
      if (outcome.refused.length > 0) throw new DirectSetupError(`tally ${spec.id}: the ${side}'s ${op.op} chit was refused (${outcome.refused[0]!.code})`)
      const seq = head.seq + 1
      const entry = await signEntry(crypto, author.secret, { tally: id, seq, prev: head.hash, author: author.key, attempt: 0, actions: [action], refused: [] })
      const hash = entryHash(entry)
      const approvals = await Promise.all(approvers.map(async m => await signAnswer(crypto, m.secret, { tally: id, seq, entry: hash, verdict: 'approve' })))
      certificates.push(makeCertificate(entry, approvals))
      head = { seq, hash, state: outcome.state }
    }
    // The opening balance: one payment (the foil pays when it owes, the stock when the foil is owed).
    if (spec.balance !== 0) {
      const [payer, side] = spec.balance < 0 ? [foil, 'foil' as const] : [stock, 'stock' as const]
      const units = Math.abs(spec.balance)
      await certify(payer, side, chit => ({ op: 'pay', chit, units, memo: sealJson(sharedKey, payer.random.bytes(NONCE_BYTES), id, MEMO_FIELD, { at: now, m: 'opening balance' }) }))
    }
    for (const [holder, vars] of Object.entries(spec.trading)) {
      const by = party(holder)
      const side: Side = holder === spec.foil ? 'foil' : 'stock'
      await certify(by, side, chit => ({ op: 'set', chit, vars: { target: vars.target, bound: vars.bound, reward: vars.reward, clutch: vars.clutch } }))
    }
    for (const p of [stock, foil]) rowsOf(p).diaries.push({ tally: id, genesis, head, certificates })
    out.push({ spec, id, sharedKey, negotiation: { stock: stockOpen, foil: foilOpen } })
    if (out.length % batch === 0) await flush()
  }

  await flush()
  return out
}
