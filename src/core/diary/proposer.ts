// The proposer state machine, sans-IO. It takes events (answers, certificates, the node's head after a
// catch-up, timer expiries) and returns commands (send, publish, release, catch up, drive, wait) and, at
// the end, one terminal command. The node runs the commands; timers and jitter are the node's.
//
// Two modes: 'own' gets a batch of actions certified (signing entries, rebasing and retrying with a new
// attempt and backoff, giving up after a bound); 'drive' takes someone else's pending entry (a crashed
// author's) to a certificate or a release proof, so no pending entry can freeze the tally.
import { hashOf } from '../codec/hash'
import type { ChipsError } from '../errors'
import { isChipsError } from '../errors'
import { verifyAnswer, type Answer } from './answer'
import { verifyCertificate, type Certificate } from './certificate'
import { entryHash, signEntry, type Entry, type EntryBody } from './entry'
import { ProposalGaveUpError, ProposalRejectedError, ProposalStalledError } from './errors'
import { applyActions, evaluateEntry, stateDigest } from './evaluate'
import type { DiaryContext, Head, HeadRef } from './head'
import type { MemberIdentity } from './member'
import { backoffWindow, type BackoffConfig } from './policy'
import { PendingPool } from './pool'
import { allMembers } from './quorum'
import type { ReleaseProof } from './release'

export interface ProposerConfig {
  /** Entries signed for one batch before giving up (PROPOSAL_GAVE_UP). */
  maxAttempts: number
  /** Resend rounds for one entry before reporting PROPOSAL_STALLED (the entry stays pending). */
  maxRounds: number
  /** How long to wait for answers before resending to the silent members. */
  resendMs: number
  backoff: BackoffConfig
  /** Entries whose seq is a multiple of this carry a checkpoint digest. */
  checkpointEvery?: number
}

export const DEFAULT_PROPOSER_CONFIG: ProposerConfig = {
  maxAttempts: 10, maxRounds: 20, resendMs: 2_000, backoff: { baseMs: 200, capMs: 10_000 }, checkpointEvery: 1_000
}

/** Refusal codes that mean "you built on an old head", not "your actions are wrong". */
const BEHIND_CODES = new Set(['WRONG_PREVIOUS_HASH', 'DUPLICATE_SEQ', 'SEQ_GAP'])

export type ProposerEvent<S, A> =
  | { type: 'answer', answer: unknown }
  /** A member cannot judge yet: it is behind our base. */
  | { type: 'behind', member: string, head: HeadRef }
  /** A member says this seq is already certified. */
  | { type: 'certified', member: string, seq: number }
  | { type: 'certificate', certificate: unknown }
  /** The node's verified head after a catch-up, and the certificates after our base, in order. */
  | { type: 'head', head: Head<S>, certificates: Certificate<A>[] }
  /** The last `wait` elapsed. */
  | { type: 'timer' }

export type ProposerCommand<A> =
  /**
   * Ask these members to answer the entry. When the proposer itself is among them, the node should run its
   * own member step first and attach its own answer to the others' request (MemberInput.propose.answers).
   */
  | { type: 'send', to: string[], entry: Entry<A> }
  /** To every member: it is final. */
  | { type: 'publish', certificate: Certificate<A> }
  /** To every member: they may drop their reservation for that entry. */
  | { type: 'release', proof: ReleaseProof<A> }
  | { type: 'sendCertificates', to: string, after: number }
  /** Fetch and verify the certificates after `after`, then feed a 'head' event. */
  | { type: 'catchUp', after: number }
  /**
   * A competing pending entry (known by hash; the entry itself when we hold it) to push to a decision with
   * startDrive. A conflict names what `from` held when it answered: ask it (query) whether it still holds it
   * (PendingView.reserved) before driving, or drivers chase entries that are already dead.
   */
  | { type: 'drive', seq: number, hash: string, from: string, entry?: Entry<A> }
  /** Feed 'timer' after a delay picked by the node in [minMs, maxMs]. */
  | { type: 'wait', minMs: number, maxMs: number }
  | { type: 'ignored', error: ChipsError }
  // terminal commands
  | { type: 'certified', certificate: Certificate<A> }
  /** Every action of the batch is certified in other entries. */
  | { type: 'absorbed' }
  /** Drive mode: the entry can never be certified. */
  | { type: 'released', proof: ReleaseProof<A> }
  /** Drive mode: another entry is certified at that seq. */
  | { type: 'superseded' }
  | { type: 'failed', error: ChipsError }

export type ProposerStatus = 'collecting' | 'catching-up' | 'backing-off' | 'done'

export interface ProposerState<S, A> {
  mode: 'own' | 'drive'
  status: ProposerStatus
  base: Head<S>
  actions: A[]
  entry: Entry<A>
  hash: string
  pool: PendingPool<S, A>
  /** Entries signed so far for this batch (own mode). */
  attempt: number
  round: number
  driven: string[]
  lastCause?: string
}

export interface ProposerContext<S, A> extends DiaryContext<S, A> {
  identity: MemberIdentity
  config: ProposerConfig
}

/** A state is consumed by the step it is given to (its pool is shared with the next state): keep only the latest. */
export interface ProposerStep<S, A> {
  state: ProposerState<S, A>
  commands: ProposerCommand<A>[]
}

/** Signs a new entry for `actions` on `base` and checks it passes our own member rules. */
export async function buildEntry<S, A> (ctx: ProposerContext<S, A>, base: Head<S>, actions: A[], attempt: number): Promise<Entry<A>> {
  const seq = base.seq + 1
  const { refused } = await applyActions(ctx.machine, base.state, actions)
  const body: EntryBody<A> = { tally: ctx.tally, seq, prev: base.hash, author: ctx.identity.key, attempt, actions, refused }
  const every = ctx.config.checkpointEvery
  if (every !== undefined && every > 0 && seq % every === 0) body.checkpoint = await stateDigest(ctx.machine, base.state)
  const entry = await signEntry(ctx.provider, ctx.identity.secret, body)
  await evaluateEntry(ctx, base, entry)
  return entry
}

function recipients<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>): string[] {
  return allMembers(state.pool.membersInForce()).map(m => m.key)
}

async function collect<S, A> (ctx: ProposerContext<S, A>, mode: 'own' | 'drive', base: Head<S>, actions: A[], entry: Entry<A>, attempt: number): Promise<ProposerStep<S, A>> {
  const pool = new PendingPool(ctx, base)
  const hash = pool.addVerifiedEntry(entry)
  const state: ProposerState<S, A> = { mode, status: 'collecting', base, actions, entry, hash, pool, attempt, round: 0, driven: [] }
  return { state, commands: [{ type: 'send', to: recipients(ctx, state), entry }, { type: 'wait', minMs: ctx.config.resendMs, maxMs: ctx.config.resendMs }] }
}

function fail<S, A> (state: ProposerState<S, A>, error: ChipsError, extra: ProposerCommand<A>[] = []): ProposerStep<S, A> {
  return { state: { ...state, status: 'done' }, commands: [...extra, { type: 'failed', error }] }
}

/** Starts getting `actions` certified on top of the node's certified head. Throws ProposalRejectedError if our own rules refuse the entry. */
export async function startProposal<S, A> (ctx: ProposerContext<S, A>, base: Head<S>, actions: A[]): Promise<ProposerStep<S, A>> {
  let entry: Entry<A>
  try {
    entry = await buildEntry(ctx, base, actions, 0)
  } catch (e) {
    // Our own rules refuse the entry (a malformed action, or we are not a member): nothing was sent.
    if (!isChipsError(e)) throw e
    throw new ProposalRejectedError(base.seq + 1, e.code, e.message)
  }
  return await collect(ctx, 'own', base, actions, entry, 1)
}

/** Starts driving someone else's pending entry (signature already verified) at base.seq + 1 to a decision. */
export async function startDrive<S, A> (ctx: ProposerContext<S, A>, base: Head<S>, entry: Entry<A>): Promise<ProposerStep<S, A>> {
  return await collect(ctx, 'drive', base, entry.body.actions, entry, 0)
}

/** Drops the actions already certified in these entries (matched by content hash). */
function rebaseActions<A> (actions: A[], certificates: readonly Certificate<A>[]): A[] {
  const done = new Set(certificates.flatMap(c => c.entry.body.actions.map(a => hashOf(a))))
  return actions.filter(a => !done.has(hashOf(a)))
}

/** A new attempt of the batch on `base` (own mode), or the end if nothing is left or the bound is reached. */
async function retry<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, base: Head<S>, actions: A[]): Promise<ProposerStep<S, A>> {
  if (actions.length === 0) return { state: { ...state, base, actions, status: 'done' }, commands: [{ type: 'absorbed' }] }
  if (state.attempt >= ctx.config.maxAttempts) return fail(state, new ProposalGaveUpError(state.attempt, state.lastCause))
  let entry: Entry<A>
  try {
    entry = await buildEntry(ctx, base, actions, state.attempt)
  } catch (e) {
    if (!isChipsError(e)) throw e
    return fail(state, new ProposalRejectedError(base.seq + 1, e.code, e.message))
  }
  const step = await collect(ctx, 'own', base, actions, entry, state.attempt + 1)
  if (state.lastCause !== undefined) step.state.lastCause = state.lastCause
  return step
}

export async function proposerStep<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, event: ProposerEvent<S, A>): Promise<ProposerStep<S, A>> {
  if (state.status === 'done') return { state, commands: [] }
  try {
    switch (event.type) {
      case 'answer': return await onAnswer(ctx, state, event.answer)
      case 'behind': return { state, commands: [{ type: 'sendCertificates', to: event.member, after: event.head.seq }] }
      case 'certified':
        if (event.seq > state.base.seq && state.status !== 'catching-up') return catchUp(state)
        return { state, commands: [] }
      case 'certificate': return await onCertificate(ctx, state, event.certificate)
      case 'head': return await onHead(ctx, state, event.head, event.certificates)
      case 'timer': return await onTimer(ctx, state)
    }
  } catch (e) {
    if (isChipsError(e)) return { state, commands: [{ type: 'ignored', error: e }] }
    throw e
  }
}

function catchUp<S, A> (state: ProposerState<S, A>): ProposerStep<S, A> {
  return { state: { ...state, status: 'catching-up' }, commands: [{ type: 'catchUp', after: state.base.seq }] }
}

async function onAnswer<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, raw: unknown): Promise<ProposerStep<S, A>> {
  const answer = await verifyAnswer(ctx.provider, raw)
  if (answer.body.entry !== state.hash) return { state, commands: [] }
  state.pool.addVerifiedAnswer(answer)
  if (state.status !== 'collecting') return { state, commands: [] }
  return await decideNow(ctx, state)
}

async function decideNow<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>): Promise<ProposerStep<S, A>> {
  const j = await state.pool.judge(state.hash)
  if (j.certificate !== undefined) {
    return { state: { ...state, status: 'done' }, commands: [{ type: 'publish', certificate: j.certificate }, { type: 'certified', certificate: j.certificate }] }
  }
  const drives = driveCommands(state, j.refusals)
  const driven = [...state.driven, ...drives.map(d => (d as { hash: string }).hash)]
  if (j.proof === undefined) return { state: { ...state, driven }, commands: drives }

  // Dead: tell members to drop their reservations, then work out why.
  const release: ProposerCommand<A> = { type: 'release', proof: j.proof }
  const stale = j.refusals.some(a => a.body.verdict === 'stale')
  const behind = j.refusals.some(a => a.body.verdict === 'reject' && BEHIND_CODES.has(a.body.reason.code))
  const merits = j.refusals.find(a => a.body.verdict === 'reject' && !BEHIND_CODES.has(a.body.reason.code))
  if (state.mode === 'drive') {
    const end: ProposerCommand<A> = stale ? { type: 'superseded' } : { type: 'released', proof: j.proof }
    return { state: { ...state, status: 'done', driven }, commands: [release, ...drives, end] }
  }
  if (stale || behind) {
    const next = catchUp({ ...state, driven, lastCause: stale ? 'stale' : 'behind' })
    return { state: next.state, commands: [release, ...drives, ...next.commands] }
  }
  if (merits !== undefined && merits.body.verdict === 'reject' && onlyMerits(j.refusals)) {
    return fail(state, new ProposalRejectedError(state.base.seq + 1, merits.body.reason.code, merits.body.reason.message), [release])
  }
  // Lost a race (conflicts): back off, then a new attempt on the same head (or a newer one, if a certificate arrives).
  const cause = merits !== undefined && merits.body.verdict === 'reject' ? merits.body.reason.code : 'conflict'
  return {
    state: { ...state, status: 'backing-off', driven, lastCause: cause },
    commands: [release, ...drives, { type: 'wait', ...backoffWindow(state.attempt, ctx.config.backoff) }]
  }
}

/** Every refusal is a reject on the merits: our entry is invalid, retrying the same actions cannot help. */
function onlyMerits (refusals: readonly Answer[]): boolean {
  return refusals.every(a => a.body.verdict === 'reject' && !BEHIND_CODES.has(a.body.reason.code))
}

function driveCommands<S, A> (state: ProposerState<S, A>, refusals: readonly Answer[]): ProposerCommand<A>[] {
  const out: ProposerCommand<A>[] = []
  const seen = new Set(state.driven)
  for (const a of refusals) {
    if (a.body.verdict !== 'conflict' || seen.has(a.body.reserved)) continue
    seen.add(a.body.reserved)
    const entry = state.pool.entry(a.body.reserved)
    out.push({ type: 'drive', seq: a.body.seq, hash: a.body.reserved, from: a.signer, ...(entry !== undefined ? { entry } : {}) })
  }
  return out
}

async function onCertificate<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, raw: unknown): Promise<ProposerStep<S, A>> {
  const seq = (raw as { entry?: { body?: { seq?: unknown } } } | null)?.entry?.body?.seq
  if (typeof seq !== 'number' || seq <= state.base.seq) return { state, commands: [] }
  if (seq > state.base.seq + 1) return state.status === 'catching-up' ? { state, commands: [] } : catchUp(state)
  const { certificate, evaluation } = await verifyCertificate<S, A>(ctx, state.base, raw)
  if (evaluation.hash === state.hash) {
    return { state: { ...state, status: 'done' }, commands: [{ type: 'certified', certificate }] }
  }
  if (state.mode === 'drive') return { state: { ...state, status: 'done' }, commands: [{ type: 'superseded' }] }
  const base: Head<S> = { seq, hash: evaluation.hash, state: evaluation.state }
  return await retry(ctx, { ...state, lastCause: 'superseded' }, base, rebaseActions(state.actions, [certificate]))
}

async function onHead<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, head: Head<S>, certificates: Certificate<A>[]): Promise<ProposerStep<S, A>> {
  if (head.seq <= state.base.seq) {
    if (state.status !== 'catching-up') return { state, commands: [] }
    // Nothing newer after all: retry on the same head after a backoff.
    return { state: { ...state, status: 'backing-off' }, commands: [{ type: 'wait', ...backoffWindow(state.attempt, ctx.config.backoff) }] }
  }
  if (certificates.some(c => entryHash(c.entry) === state.hash)) {
    const mine = certificates.find(c => entryHash(c.entry) === state.hash)!
    return { state: { ...state, status: 'done' }, commands: [{ type: 'certified', certificate: mine }] }
  }
  if (state.mode === 'drive') return { state: { ...state, status: 'done' }, commands: [{ type: 'superseded' }] }
  return await retry(ctx, state, head, rebaseActions(state.actions, certificates))
}

async function onTimer<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>): Promise<ProposerStep<S, A>> {
  switch (state.status) {
    case 'backing-off': return await retry(ctx, state, state.base, state.actions)
    case 'catching-up': {
      const w = { type: 'wait', minMs: ctx.config.resendMs, maxMs: ctx.config.resendMs } as const
      return { state, commands: [{ type: 'catchUp', after: state.base.seq }, w] }
    }
    case 'collecting': {
      const round = state.round + 1
      if (round > ctx.config.maxRounds) return fail(state, new ProposalStalledError(state.base.seq + 1, state.hash, state.round))
      const answered = state.pool.answeredBy(state.hash)
      const silent = recipients(ctx, state).filter(k => !answered.has(k))
      const commands: ProposerCommand<A>[] = silent.length > 0 ? [{ type: 'send', to: silent, entry: state.entry }] : []
      commands.push({ type: 'wait', minMs: ctx.config.resendMs, maxMs: ctx.config.resendMs })
      return { state: { ...state, round }, commands }
    }
    case 'done': return { state, commands: [] }
  }
}
