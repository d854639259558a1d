// The member state machine, sans-IO: it takes one input and returns what to persist and what to reply.
// The node MUST commit `write` in one store transaction BEFORE sending `reply` (an approval leaves only after
// its reservation is durable); if the write fails it must drop the returned state and keep the old one.
// A crash loses the volatile pool only: everything an answer depends on is in `durable`.
import type { ChipsError } from '../errors'
import { isChipsError } from '../errors'
import { signAnswer, type Answer, type AnswerBody } from './answer'
import { verifyCertificate, type Certificate } from './certificate'
import { entryHash, verifyEntrySignature, type Entry } from './entry'
import { ForkDetectedError, WrongTallyError } from './errors'
import { evaluateEntry } from './evaluate'
import type { DiaryContext, Head, HeadRef } from './head'
import { refOf } from './head'
import { PendingPool, type PendingView } from './pool'
import { verifyReleaseProof } from './release'

/** What a member keeps durably (one record per tally). */
export interface MemberDurable<S, A> {
  head: Head<S>
  /** The entry it approved at head.seq + 1 and has seen no release proof for. */
  reservation?: { hash: string, entry: Entry<A> }
  /**
   * Its answers at head.seq + 1 that depend on its reservation (approve, conflict), by entry hash: given
   * once, repeated verbatim, never changed. Answers that follow from the certified head alone (reject,
   * stale) are recomputed identically and need no storage.
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
  | { type: 'propose', entry: unknown, answers?: unknown[] }
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
      case 'propose': return await onPropose(ctx, state, input.entry, input.answers ?? [])
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

async function onPropose<S, A> (ctx: MemberContext<S, A>, state: MemberState<S, A>, raw: unknown, carried: unknown[]): Promise<MemberStep<S, A>> {
  const d = state.durable
  const entry = await verifyEntrySignature<A>(ctx.provider, raw)
  const b = entry.body
  if (b.tally !== ctx.tally) throw new WrongTallyError(ctx.tally, b.tally)
  const hash = entryHash(entry)
  const sign = async (body: AnswerBody): Promise<Answer> => signAnswer(ctx.provider, ctx.identity.secret, body)
  const common = { tally: ctx.tally, seq: b.seq, entry: hash }

  if (b.seq < d.head.seq || (b.seq === d.head.seq && hash === d.head.hash)) return { state, reply: { type: 'certified', seq: b.seq } }
  if (b.seq === d.head.seq) {
    // Another entry is certified at this seq: deterministic, so signed without storing. Never signed for
    // the certified entry itself (that would be a false refusal usable as a release proof).
    return { state, reply: { type: 'answer', answer: await sign({ ...common, verdict: 'stale', head: refOf(d.head) }) } }
  }
  if (b.seq > d.head.seq + 1) return { state, reply: { type: 'behind', head: refOf(d.head) } }

  const given = d.answers[hash]
  if (given !== undefined) {
    state.pool.addVerifiedEntry(entry) // we answered it, so it is a valid entry by a member
    await Promise.allSettled(carried.slice(0, 256).map(a => state.pool.addAnswer(a)))
    return { state, reply: { type: 'answer', answer: given } }
  }

  try {
    await evaluateEntry(ctx, d.head, entry)
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

  let answer: Answer
  let durable: MemberDurable<S, A>
  if (d.reservation !== undefined && d.reservation.hash !== hash) {
    answer = await sign({ ...common, verdict: 'conflict', reserved: d.reservation.hash })
    durable = { ...d, answers: { ...d.answers, [hash]: answer } }
  } else {
    answer = await sign({ ...common, verdict: 'approve' })
    durable = { ...d, reservation: { hash, entry }, answers: { ...d.answers, [hash]: answer } }
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
  // The reservation goes; the answers stay (it will answer that entry the same way if asked again).
  const durable: MemberDurable<S, A> = { head: d.head, answers: d.answers }
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
  for (const hash of state.pool.hashes()) {
    const j = await state.pool.judge(hash)
    if (j.certificate !== undefined) {
      const step = await applyCertificate(ctx, state, j.certificate)
      return { ...step, reply: { type: 'pending', head: refOf(step.state.durable.head), view: viewOf(step.state) } }
    }
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
