// The member state machine, sans-IO: it takes one input and returns what to persist and what to reply.
// The node MUST commit `write` in one store transaction BEFORE sending `reply` (an approval leaves only after
// its reservation is durable); if the write fails it must drop the returned state and keep the old one.
// A crash loses the volatile pool only: everything an answer depends on is in `durable`.
import type { ChipsError } from '../errors'
import { isChipsError } from '../errors'
import { signAnswer, type Answer, type AnswerBody } from './answer'
import { verifyCertificate, type Certificate } from './certificate'
import { entryHash, verifyEntrySignature, verifyHashedEntry, type Entry } from './entry'
import * as v from 'valibot'
import { MalformedError } from '../errors'
import { checkPromises, chooseEntry, voteEntries } from './choice'
import { ForkDetectedError, InvalidRecoveryChoiceError, WrongTallyError } from './errors'
import { evaluateHashedEntry } from './evaluate'
import type { DiaryContext, Head, HeadRef } from './head'
import { refOf } from './head'
import { PendingPool, type PendingView } from './pool'
import { signPromise, type RoundPromise } from './promise'
import { verifyReleaseProof } from './release'
import { answerKey, compareRounds, roundField, roundKey, sameRound, type Round } from './round'
import { RoundSchema } from './schema'
import type { Party } from './machine'

/** What a member keeps durably (one record per tally). */
export interface MemberDurable<S, A> {
  head: Head<S>
  /**
   * Its latest vote at head.seq + 1: the entry it approved in the highest round it voted in (`round` absent =
   * round 0), with no release proof seen for it. Reported in its promises.
   */
  reservation?: { hash: string, entry: Entry<A>, round?: Round }
  /** The highest recovery round it promised at head.seq + 1: it answers no lower round (round 0 included). */
  promised?: Round
  /**
   * Its answers at head.seq + 1 that depend on its votes (approve, conflict), by answerKey(hash, round) (the
   * bare hash in round 0): given once, repeated verbatim, never changed. Answers that follow from the
   * certified head alone (reject, stale) are recomputed identically and need no storage; they are sticky.
   */
  answers: Record<string, Answer>
}

/** Commit in ONE transaction before replying: the new durable record and, if any, the certificate to append. */
export interface MemberWrite<S, A> {
  durable: MemberDurable<S, A>
  certificate?: Certificate<A>
}

export interface MemberState<S, A> {
  durable: MemberDurable<S, A>
  /** Volatile: pending entries and answers seen at head.seq + 1 (lost on a crash, rebuilt from peers). */
  pool: PendingPool<S, A>
}

export interface MemberIdentity {
  /** The node's Ed25519 secret (32 bytes). */
  secret: Uint8Array
  /** Its public key, base64url: its member key. */
  key: string
}

export type MemberInput =
  /**
   * `answers`: answers already given to this entry that travel with it (the author approves its own entry
   * first and attaches that approval, so a crashed author's vote is never the unknown one); kept in the pool.
   */
  | {
    type: 'propose'
    entry: unknown
    answers?: unknown[]
    /** A recovery round (absent = round 0). Then `promises` (signed, for that round, a strict majority of each party) and `votes` (the entries they name) justify the proposer's choice. */
    round?: unknown
    promises?: unknown[]
    votes?: unknown[]
  }
  /** Phase 1 of a recovery round: promise to answer no round below `round` at `seq`, reporting the latest vote. */
  | { type: 'prepare', seq: number, round: unknown }
  | { type: 'certificate', certificate: unknown }
  | { type: 'release', proof: unknown }
  | { type: 'query', seq: number }
  /** Partial sync: another device's pending view; answered with ours. */
  | { type: 'share', view: unknown }

export type MemberReply<A> =
  | { type: 'answer', answer: Answer }
  /** Cannot judge yet: send it the certificates after `head`. Not an answer, not a refusal. */
  | { type: 'behind', head: HeadRef }
  /** That seq is certified here: the node sends the stored certificate for it. */
  | { type: 'certified', seq: number }
  | { type: 'applied', head: HeadRef }
  /** `held`: whether it held a reservation for that entry (now released). */
  | { type: 'released', entry: string, held: boolean }
  | { type: 'pending', head: HeadRef, view: PendingView<A> }
  /** The signed promise (persisted first: `write` carries the promised round) and the entry its vote names. */
  | { type: 'promise', promise: RoundPromise, entry?: Entry<A> }
  /** It promised a higher round at `seq`, so it does not answer this one (not signed: it proves nothing). */
  | { type: 'outranked', seq: number, promised: Round }
  | { type: 'error', error: ChipsError }

/** A state is consumed by the step it is given to (the volatile pool is shared): keep only the latest. */
export interface MemberStep<S, A> {
  state: MemberState<S, A>
  write?: MemberWrite<S, A>
  reply: MemberReply<A>
}

export interface MemberContext<S, A> extends DiaryContext<S, A> {
  identity: MemberIdentity
}

/** The member state for a durable record (at start-up, or after a crash: the pool starts empty). */
export function restoreMember<S, A> (ctx: DiaryContext<S, A>, durable: MemberDurable<S, A>): MemberState<S, A> {
  return { durable, pool: new PendingPool(ctx, durable.head) }
}

export function initialDurable<S, A> (head: Head<S>): MemberDurable<S, A> {
  return { head, answers: {} }
}

export async function memberStep<S, A> (ctx: MemberContext<S, A>, state: MemberState<S, A>, input: MemberInput): Promise<MemberStep<S, A>> {
  try {
    switch (input.type) {
      case 'propose': return await onPropose(ctx, state, input.entry, input.answers ?? [], parseRound(input.round), input.promises, input.votes)
      case 'prepare': return await onPrepare(ctx, state, input.seq, parseRound(input.round) ?? badRound())
      case 'certificate': return await onCertificate(ctx, state, input.certificate)
      case 'release': return await onRelease(ctx, state, input.proof)
      case 'query': return onQuery(state, input.seq)
      case 'share': return await onShare(ctx, state, input.view)
    }
  } catch (e) {
    if (isChipsError(e)) return { state, reply: { type: 'error', error: e } }
    throw e
  }
}

function parseRound (raw: unknown): Round | undefined {
  if (raw === undefined) return undefined
  const r = v.safeParse(RoundSchema, raw)
  if (!r.success) throw new MalformedError(`malformed round: ${v.summarize(r.issues)}`)
  return r.output
}

function badRound (): never {
  throw new MalformedError('a prepare needs a recovery round (n ≥ 1)')
}

async function onPrepare<S, A> (ctx: MemberContext<S, A>, state: MemberState<S, A>, seq: number, round: Round): Promise<MemberStep<S, A>> {
  const d = state.durable
  if (!Number.isSafeInteger(seq) || seq < 1) throw new MalformedError(`bad seq ${String(seq)}`)
  if (seq <= d.head.seq) return { state, reply: { type: 'certified', seq } }
  if (seq > d.head.seq + 1) return { state, reply: { type: 'behind', head: refOf(d.head) } }
  if (compareRounds(round, d.promised) < 0) return { state, reply: { type: 'outranked', seq, promised: d.promised! } }
  const r = d.reservation
  const promise = await signPromise(ctx.provider, ctx.identity.secret, {
    tally: ctx.tally, seq, round, ...(r !== undefined ? { vote: { entry: r.hash, ...roundField(r.round) } } : {})
  })
  const reply: MemberReply<A> = { type: 'promise', promise, ...(r !== undefined ? { entry: r.entry } : {}) }
  if (sameRound(round, d.promised)) return { state, reply } // promised already (durable): same promise again
  // The promised round is persisted BEFORE the promise leaves.
  const durable: MemberDurable<S, A> = { ...d, promised: { n: round.n, by: round.by } }
  return { state: { durable, pool: state.pool }, write: { durable }, reply }
}

async function onPropose<S, A> (ctx: MemberContext<S, A>, state: MemberState<S, A>, raw: unknown, carried: unknown[], round: Round | undefined, promises: unknown[] | undefined, votes: unknown[] | undefined): Promise<MemberStep<S, A>> {
  const d = state.durable
  // The hash comes from the bytes the signature was checked over (the entry is canonicalized once).
  const { entry, hash } = await verifyHashedEntry<A>(ctx.provider, raw)
  const b = entry.body
  if (b.tally !== ctx.tally) throw new WrongTallyError(ctx.tally, b.tally)
  const sign = async (body: AnswerBody): Promise<Answer> => signAnswer(ctx.provider, ctx.identity.secret, body)
  const common = { tally: ctx.tally, seq: b.seq, entry: hash, ...roundField(round) }

  if (b.seq < d.head.seq || (b.seq === d.head.seq && hash === d.head.hash)) return { state, reply: { type: 'certified', seq: b.seq } }
  if (b.seq === d.head.seq) {
    // Another entry is certified at this seq: deterministic, so signed without storing. Never signed for
    // the certified entry itself (that would be a false refusal usable as a release proof).
    return { state, reply: { type: 'answer', answer: await sign({ ...common, verdict: 'stale', head: refOf(d.head) }) } }
  }
  if (b.seq > d.head.seq + 1) return { state, reply: { type: 'behind', head: refOf(d.head) } }

  const given = d.answers[answerKey(hash, round)]
  if (given !== undefined) {
    state.pool.addVerifiedEntry(entry) // we answered it, so it is a valid entry by a member
    await Promise.allSettled(carried.slice(0, 256).map(a => state.pool.addAnswer(a)))
    return { state, reply: { type: 'answer', answer: given } }
  }
  // Promised a higher round: this round is closed here (ordering, not a verdict on the entry).
  if (compareRounds(d.promised, round) > 0) return { state, reply: { type: 'outranked', seq: b.seq, promised: d.promised! } }

  let parties: Party[]
  try {
    parties = (await evaluateHashedEntry(ctx, d.head, entry, hash)).parties
    // Only a valid entry by a member enters the pool, with the answers that travel with it.
    state.pool.addVerifiedEntry(entry)
    await Promise.allSettled(carried.slice(0, 256).map(a => state.pool.addAnswer(a)))
  } catch (e) {
    if (!isChipsError(e)) throw e
    // Invalid on its merits against the certified head: the same answer every time, nothing to store.
    const answer = await sign({ ...common, verdict: 'reject', reason: { code: e.code, message: e.message.slice(0, 512) } })
    state.pool.addVerifiedAnswer(answer)
    return { state, reply: { type: 'answer', answer } }
  }

  if (round !== undefined) {
    // Phase 2: the promises must justify this entry (a strict majority of each party; the choice rule).
    const checked = await checkPromises(ctx, d.head, round, promises ?? [], parties)
    const forced = await chooseEntry(ctx, d.head, checked, await voteEntries(ctx, b.seq, [...(votes ?? []), entry]))
    if (forced !== undefined && forced !== hash) throw new InvalidRecoveryChoiceError(b.seq, `round ${roundKey(round)} must re-propose ${forced}, not ${hash}`)
  }

  const key = answerKey(hash, round)
  let answer: Answer
  let durable: MemberDurable<S, A>
  const r = d.reservation
  // One entry per round: round 0 holds its first vote until a release proof; a recovery round has one proposer.
  const taken = r !== undefined && r.hash !== hash && (round === undefined || sameRound(r.round, round))
  if (taken) {
    answer = await sign({ ...common, verdict: 'conflict', reserved: r.hash })
    durable = { ...d, answers: { ...d.answers, [key]: answer } }
  } else {
    answer = await sign({ ...common, verdict: 'approve' })
    const promised = round !== undefined && compareRounds(round, d.promised) > 0 ? { promised: round } : {}
    durable = { ...d, ...promised, reservation: { hash, entry, ...roundField(round) }, answers: { ...d.answers, [key]: answer } }
  }
  state.pool.addVerifiedAnswer(answer)
  return { state: { durable, pool: state.pool }, write: { durable }, reply: { type: 'answer', answer } }
}

async function applyCertificate<S, A> (ctx: MemberContext<S, A>, state: MemberState<S, A>, raw: unknown): Promise<MemberStep<S, A>> {
  const d = state.durable
  const { certificate, evaluation } = await verifyCertificate<S, A>(ctx, d.head, raw)
  const head: Head<S> = { seq: certificate.entry.body.seq, hash: evaluation.hash, state: evaluation.state }
  // The reservation and answers at this seq are settled by the certificate: dropped in the same transaction.
  const durable: MemberDurable<S, A> = { head, answers: {} }
  return {
    state: { durable, pool: new PendingPool(ctx, head) },
    write: { durable, certificate },
    reply: { type: 'applied', head: refOf(head) }
  }
}

async function onCertificate<S, A> (ctx: MemberContext<S, A>, state: MemberState<S, A>, raw: unknown): Promise<MemberStep<S, A>> {
  const d = state.durable
  const seq = (raw as { entry?: { body?: { seq?: unknown } } } | null)?.entry?.body?.seq
  if (typeof seq === 'number' && seq > d.head.seq + 1) return { state, reply: { type: 'behind', head: refOf(d.head) } }
  if (typeof seq === 'number' && seq <= d.head.seq) {
    if (seq === d.head.seq) {
      // Same seq as our head: a different, validly signed certificate is evidence of a fork.
      const entry = await verifyEntrySignature<A>(ctx.provider, (raw as { entry: unknown }).entry)
      const hash = entryHash(entry)
      if (hash !== d.head.hash) throw new ForkDetectedError(seq, d.head.hash, hash)
    }
    return { state, reply: { type: 'applied', head: refOf(d.head) } }
  }
  return await applyCertificate(ctx, state, raw)
}

async function onRelease<S, A> (ctx: MemberContext<S, A>, state: MemberState<S, A>, raw: unknown): Promise<MemberStep<S, A>> {
  const d = state.durable
  const proof = await verifyReleaseProof<S, A>(ctx, d.head, raw)
  const hash = entryHash(proof.entry)
  // A certificate for another entry is better than a release: apply it (this also drops the reservation).
  if (proof.certificate !== undefined) return await applyCertificate(ctx, state, proof.certificate)
  for (const a of proof.refusals) state.pool.addVerifiedAnswer(a)
  if (d.reservation?.hash !== hash) return { state, reply: { type: 'released', entry: hash, held: false } }
  // The reservation goes; the answers and the promise stay (it answers that entry the same way if asked again).
  const durable: MemberDurable<S, A> = { head: d.head, answers: d.answers, ...(d.promised !== undefined ? { promised: d.promised } : {}) }
  return { state: { durable, pool: state.pool }, write: { durable }, reply: { type: 'released', entry: hash, held: true } }
}

function onQuery<S, A> (state: MemberState<S, A>, seq: number): MemberStep<S, A> {
  const d = state.durable
  if (seq <= d.head.seq) return { state, reply: { type: 'certified', seq } }
  if (seq > d.head.seq + 1) return { state, reply: { type: 'behind', head: refOf(d.head) } }
  return { state, reply: { type: 'pending', head: refOf(d.head), view: viewOf(state) } }
}

/** The pool plus what is durable (the reservation and own answers survive a crash, the pool does not). */
function viewOf<S, A> (state: MemberState<S, A>): PendingView<A> {
  const view = state.pool.view()
  const r = state.durable.reservation
  const entries = r !== undefined && !view.entries.some(e => entryHash(e) === r.hash) ? [...view.entries, r.entry] : view.entries
  const own = Object.values(state.durable.answers).filter(a => !view.answers.includes(a))
  return { seq: view.seq, entries, answers: [...view.answers, ...own], ...(r !== undefined ? { reserved: r.hash } : {}) }
}

async function onShare<S, A> (ctx: MemberContext<S, A>, state: MemberState<S, A>, raw: unknown): Promise<MemberStep<S, A>> {
  await state.pool.merge(raw)
  for (const a of Object.values(state.durable.answers)) state.pool.addVerifiedAnswer(a)
  // Finality still needs the quorum: only a full certificate from the merged answers advances the head.
  const cert = await state.pool.anyCertificate()
  if (cert !== undefined) {
    const step = await applyCertificate(ctx, state, cert)
    return { ...step, reply: { type: 'pending', head: refOf(step.state.durable.head), view: viewOf(step.state) } }
  }
  const r = state.durable.reservation
  if (r !== undefined) {
    const j = await state.pool.judge(r.hash)
    if (j.proof !== undefined) {
      const step = await onRelease(ctx, state, j.proof)
      return { ...step, reply: { type: 'pending', head: refOf(step.state.durable.head), view: viewOf(step.state) } }
    }
  }
  return { state, reply: { type: 'pending', head: refOf(state.durable.head), view: viewOf(state) } }
}
