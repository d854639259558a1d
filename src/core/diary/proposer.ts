// The proposer state machine, sans-IO. It takes events (answers, certificates, the node's head after a
// catch-up, timer expiries) and returns commands (send, publish, release, catch up, drive, wait) and, at
// the end, one terminal command. The node runs the commands; timers and jitter are the node's.
//
// Three modes: 'own' gets a batch of actions certified (signing entries, rebasing and retrying with a new
// attempt and backoff, giving up after a bound); 'drive' takes someone else's pending entry (a crashed
// author's) to a decision; 'recover' settles a pending seq at once with a recovery round.
//
// Rounds (docs/protocol.md D.3): an entry is first sent in round 0 (the fast round: a certificate needs the
// fast quorum of each party). When round 0 cannot certify it (a race split the votes, or members are silent),
// the proposer runs a recovery round r = (n, its key): phase 1 collects promises from a strict majority of each
// party, the choice rule (choice.ts) picks the entry, phase 2 collects approvals in round r from a strict
// majority of each party. A lost race therefore ends in a certificate (ours or the imposed entry, after which
// we rebase), never in a freeze, as long as a majority of each party answers.
import { hashOf } from '../codec/hash'
import type { ChipsError } from '../errors'
import { isChipsError } from '../errors'
import { verifyAnswer, type Answer } from './answer'
import { verifyCertificate, type Certificate } from './certificate'
import { chooseEntry } from './choice'
import { entryHash, signEntry, verifyEntrySignature, type Entry, type EntryBody } from './entry'
import { ProposalGaveUpError, ProposalRejectedError, ProposalStalledError } from './errors'
import { applyActions, evaluateEntry, stateDigest } from './evaluate'
import type { DiaryContext, Head, HeadRef } from './head'
import type { MemberIdentity } from './member'
import { backoffWindow, type BackoffConfig } from './policy'
import { PendingPool } from './pool'
import { verifyPromise, type RoundPromise } from './promise'
import { allMembers, hasMajority, isMember, PARTIES, requiredParties } from './quorum'
import type { ReleaseProof } from './release'
import { compareRounds, maxRound, sameRound, type Round } from './round'

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
  /** Resend rounds in round 0 without a decision before starting a recovery round (default 1). */
  fastResends?: number
}

export const DEFAULT_PROPOSER_CONFIG: ProposerConfig = {
  maxAttempts: 10, maxRounds: 20, resendMs: 2_000, backoff: { baseMs: 200, capMs: 10_000 }, checkpointEvery: 1_000
}

/** Refusal codes that mean "you built on an old head", not "your actions are wrong". */
const BEHIND_CODES = new Set(['WRONG_PREVIOUS_HASH', 'DUPLICATE_SEQ', 'SEQ_GAP'])

export type ProposerEvent<S, A> =
  | { type: 'answer', answer: unknown }
  /** A member's reply to our `prepare`: its signed promise and the entry its vote names (if any). */
  | { type: 'promise', member: string, promise: unknown, entry?: unknown }
  /** A member promised a higher round at `seq`: it will not answer ours. */
  | { type: 'outranked', member: string, seq: number, promised: Round }
  /** A member cannot judge yet: it is behind our base. */
  | { type: 'behind', member: string, head: HeadRef }
  /** A member says this seq is already certified. */
  | { type: 'certified', member: string, seq: number }
  | { type: 'certificate', certificate: unknown }
  /** The node's verified head after a catch-up, and the certificates after our base, in order. */
  | { type: 'head', head: Head<S>, certificates: Certificate<A>[] }
  /** The last `wait` elapsed; `timer`: the id its `wait` command carried. */
  | { type: 'timer', timer?: number }

export type ProposerCommand<A> =
  /**
   * Ask these members to answer the entry. When the proposer itself is among them, the node should run its
   * own member step first and attach its own answer to the others' request (MemberInput.propose.answers).
   */
  | {
    type: 'send'
    to: string[]
    entry: Entry<A>
    /** A recovery round's phase 2 (absent = round 0): forward round, promises and votes in MemberInput.propose. */
    round?: Round
    promises?: RoundPromise[]
    /** The entries the promises' votes name (members re-check the choice with them). */
    votes?: Entry<A>[]
  }
  /**
   * Phase 1 of a recovery round: ask these members for a promise (MemberInput.prepare). As for `send`, run our
   * own member step first (it persists the promised round) and feed its reply as an event.
   */
  | { type: 'prepare', to: string[], seq: number, round: Round }
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
   * No longer emitted since recovery rounds settle a split seq (kept so existing runtimes still compile).
   */
  | { type: 'drive', seq: number, hash: string, from: string, entry?: Entry<A> }
  /**
   * Feed 'timer' after a delay picked by the node in [minMs, maxMs], with this `timer` id: only the latest
   * wait is live, an older one's timer is ignored (a timer fed without an id is always taken).
   */
  | { type: 'wait', minMs: number, maxMs: number, timer?: number }
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

/** 'collecting': answers to `entry` in `recovery?.round` (round 0 when absent); 'preparing': promises (phase 1). */
export type ProposerStatus = 'collecting' | 'preparing' | 'catching-up' | 'backing-off' | 'done'

export interface Recovery<A> {
  round: Round
  /** Promises for `round`, by signer, and the entries their votes name, by hash. */
  promises: Record<string, RoundPromise>
  votes: Record<string, Entry<A>>
}

export interface ProposerState<S, A> {
  mode: 'own' | 'drive' | 'recover'
  status: ProposerStatus
  base: Head<S>
  actions: A[]
  /** The entry being collected for now: ours, or in a recovery round the entry the choice rule imposes. */
  entry: Entry<A>
  hash: string
  /** Our entry at this base (own mode), or the entry we drive: what we propose when the choice is free. */
  mine: Entry<A>
  mineHash: string
  pool: PendingPool<S, A>
  /** Entries signed so far for this batch (own mode). */
  attempt: number
  /** Resend rounds (timer expiries) for the current entry; not a Paxos round (see `recovery`). */
  round: number
  /** Unused since recovery rounds (no `drive` commands); kept for compatibility. */
  driven: string[]
  lastCause?: string
  /** The recovery round in progress (absent: round 0). */
  recovery?: Recovery<A>
  /** Recovery rounds started for this entry's seq. */
  recoveries: number
  /** The highest round seen at this seq (promised by a member, voted, or our own). */
  highest?: Round
  /** Members that promised a round above the one we collect in (they will not answer it). */
  outranked: string[]
  /** Backing off before a recovery round (not before a new attempt). */
  toRecover?: boolean
  /** The id of the live `wait` (older timers are ignored). */
  timer?: number
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

function initial<S, A> (ctx: ProposerContext<S, A>, mode: ProposerState<S, A>['mode'], base: Head<S>, actions: A[], entry: Entry<A>, attempt: number): ProposerState<S, A> {
  const pool = new PendingPool(ctx, base)
  const hash = pool.addVerifiedEntry(entry)
  return { mode, status: 'collecting', base, actions, entry, hash, mine: entry, mineHash: hash, pool, attempt, round: 0, driven: [], recoveries: 0, outranked: [] }
}

function resendWait<S, A> (ctx: ProposerContext<S, A>): ProposerCommand<A> {
  return { type: 'wait', minMs: ctx.config.resendMs, maxMs: ctx.config.resendMs }
}

async function collect<S, A> (ctx: ProposerContext<S, A>, mode: ProposerState<S, A>['mode'], base: Head<S>, actions: A[], entry: Entry<A>, attempt: number): Promise<ProposerStep<S, A>> {
  const state = initial(ctx, mode, base, actions, entry, attempt)
  return { state, commands: [{ type: 'send', to: recipients(ctx, state), entry }, resendWait(ctx)] }
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
  return stamp(await collect(ctx, 'own', base, actions, entry, 1))
}

/** Starts driving someone else's pending entry (signature already verified) at base.seq + 1 to a decision. */
export async function startDrive<S, A> (ctx: ProposerContext<S, A>, base: Head<S>, entry: Entry<A>): Promise<ProposerStep<S, A>> {
  return stamp(await collect(ctx, 'drive', base, entry.body.actions, entry, 0))
}

/**
 * Settles the pending seq base.seq + 1 with a recovery round at once (a node that sees it blocked, e.g. votes
 * split and a member gone). `entry`: what to propose when the choice is free (a pending entry at that seq, or
 * one of our own). Ends with `certified` (whatever entry the round certified), `superseded`, or `failed`.
 */
export async function startRecovery<S, A> (ctx: ProposerContext<S, A>, base: Head<S>, entry: Entry<A>, above?: Round): Promise<ProposerStep<S, A>> {
  const state = initial(ctx, 'recover', base, entry.body.actions, entry, 0)
  if (above !== undefined) state.highest = above
  return stamp(prepare(ctx, state))
}

/** Phase 1: a round above every round seen, promises asked from every member. */
function prepare<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>): ProposerStep<S, A> {
  if (state.recoveries >= ctx.config.maxAttempts) return fail(state, new ProposalGaveUpError(state.attempt, `recovery rounds: ${state.recoveries}`))
  const round: Round = { n: (state.highest?.n ?? 0) + 1, by: ctx.identity.key }
  const next: ProposerState<S, A> = {
    ...state, status: 'preparing', recovery: { round, promises: {}, votes: {} }, recoveries: state.recoveries + 1,
    highest: maxRound(state.highest, round), outranked: [], round: 0, toRecover: false
  }
  return { state: next, commands: [{ type: 'prepare', to: recipients(ctx, next), seq: state.base.seq + 1, round }, resendWait(ctx)] }
}

/** Backs off (jitter against a duelling proposer), then prepares a recovery round. */
function recoverLater<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, extra: ProposerCommand<A>[] = []): ProposerStep<S, A> {
  return {
    state: { ...state, status: 'backing-off', toRecover: true },
    commands: [...extra, { type: 'wait', ...backoffWindow(state.recoveries + 1, ctx.config.backoff) }]
  }
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

/** Numbers the step's `wait` commands; the last one is the live timer. */
function stamp<S, A> (step: ProposerStep<S, A>): ProposerStep<S, A> {
  if (!step.commands.some(c => c.type === 'wait')) return step
  let t = step.state.timer ?? 0
  const commands = step.commands.map(c => (c.type === 'wait' ? { ...c, timer: ++t } : c))
  return { state: { ...step.state, timer: t }, commands }
}

export async function proposerStep<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, event: ProposerEvent<S, A>): Promise<ProposerStep<S, A>> {
  if (event.type === 'timer' && event.timer !== undefined && state.timer !== undefined && event.timer !== state.timer) return { state, commands: [] }
  return stamp(await step(ctx, state, event))
}

async function step<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, event: ProposerEvent<S, A>): Promise<ProposerStep<S, A>> {
  if (state.status === 'done') return { state, commands: [] }
  try {
    switch (event.type) {
      case 'answer': return await onAnswer(ctx, state, event.answer)
      case 'promise': return await onPromise(ctx, state, event.member, event.promise, event.entry)
      case 'outranked': return onOutranked(ctx, state, event.member, event.seq, event.promised)
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
  if (answer.body.seq !== state.base.seq + 1 || !state.pool.entry(answer.body.entry)) return { state, commands: [] }
  state.pool.addVerifiedAnswer(answer)
  if (answer.body.entry !== state.hash || state.status !== 'collecting') return { state, commands: [] }
  return await decideNow(ctx, state)
}

async function onPromise<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, member: string, raw: unknown, rawEntry: unknown): Promise<ProposerStep<S, A>> {
  const rec = state.recovery
  if (state.status !== 'preparing' || rec === undefined) return { state, commands: [] }
  const promise = await verifyPromise(ctx.provider, raw)
  const b = promise.body
  if (b.tally !== ctx.tally || b.seq !== state.base.seq + 1 || !sameRound(b.round, rec.round)) return { state, commands: [] }
  if (promise.signer !== member || !isMember(state.pool.membersInForce(), member)) return { state, commands: [] }
  const votes = { ...rec.votes }
  if (b.vote !== undefined && votes[b.vote.entry] === undefined) {
    // The voted entry comes with the promise (a member holds the entry it voted for); a promise without it is unusable.
    const entry = rawEntry === undefined ? state.pool.entry(b.vote.entry) : await verifyEntrySignature<A>(ctx.provider, rawEntry)
    if (entry === undefined || entryHash(entry) !== b.vote.entry) return { state, commands: [] }
    state.pool.addVerifiedEntry(entry)
    votes[b.vote.entry] = entry
  }
  const promises = { ...rec.promises, [member]: promise }
  const highest = maxRound(state.highest, b.vote?.round)
  const next: ProposerState<S, A> = { ...state, recovery: { ...rec, promises, votes }, highest }
  const set = state.pool.membersInForce()
  const promisers = new Set(Object.keys(promises))
  const covered = PARTIES.filter(p => hasMajority(set[p], promisers))
  if (covered.length === 0) return { state: next, commands: [] }

  // Phase 2: the choice rule, then ask every member to approve that entry in our round. Promises must cover
  // the parties the chosen entry's quorum needs (both; the partner alone for a re-seat): else wait for more.
  const list = Object.values(promises)
  const forced = await chooseEntry(ctx, state.base, list, new Map(Object.entries(votes)))
  const entry = forced !== undefined ? votes[forced]! : state.mine
  const needs = await requiredParties(ctx.machine, state.base.state, entry.body.actions)
  if (!needs.every(p => covered.includes(p))) return { state: next, commands: [] }
  const hash = state.pool.addVerifiedEntry(entry)
  const voted = [...new Set(list.flatMap(p => (p.body.vote !== undefined ? [p.body.vote.entry] : [])))].map(h => votes[h]!)
  const accepting: ProposerState<S, A> = { ...next, status: 'collecting', entry, hash, round: 0, outranked: [] }
  return {
    state: accepting,
    commands: [{ type: 'send', to: recipients(ctx, accepting), entry, round: rec.round, promises: list, votes: voted }, resendWait(ctx)]
  }
}

function onOutranked<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, member: string, seq: number, promised: Round): ProposerStep<S, A> {
  if (seq !== state.base.seq + 1 || state.status === 'done') return { state, commands: [] }
  const highest = maxRound(state.highest, promised)
  const current = state.recovery?.round
  if (compareRounds(promised, current) <= 0) return { state: { ...state, highest }, commands: [] }
  const outranked = state.outranked.includes(member) ? state.outranked : [...state.outranked, member]
  const next: ProposerState<S, A> = { ...state, highest, outranked }
  if (state.status === 'preparing' || (state.status === 'collecting' && current !== undefined)) {
    // Someone runs a higher round: let it finish (its certificate ends our run), else try above it.
    return recoverLater(ctx, next)
  }
  if (state.status !== 'collecting') return { state: next, commands: [] }
  return { state: next, commands: [] } // round 0: counted against the fast quorum on the next decision
}

async function decideNow<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>): Promise<ProposerStep<S, A>> {
  const round = state.recovery?.round
  const j = await state.pool.judge(state.hash, round, new Set(state.outranked))
  if (j.certificate !== undefined) return certifiedHere(ctx, state, j.certificate)
  if (j.proof === undefined) {
    // Round 0 split (or a recovery round outvoted): settle the seq with a (higher) recovery round.
    if (j.blocked) return recoverLater(ctx, { ...state, lastCause: round === undefined ? 'conflict' : 'outranked' })
    return { state, commands: [] }
  }

  // Dead: tell members to drop their reservations, then work out why.
  const release: ProposerCommand<A> = { type: 'release', proof: j.proof }
  const stale = j.refusals.some(a => a.body.verdict === 'stale')
  const behind = j.refusals.some(a => a.body.verdict === 'reject' && BEHIND_CODES.has(a.body.reason.code))
  const merits = j.refusals.find(a => a.body.verdict === 'reject' && !BEHIND_CODES.has(a.body.reason.code))
  if (state.mode !== 'own') {
    const end: ProposerCommand<A> = stale ? { type: 'superseded' } : { type: 'released', proof: j.proof }
    return { state: { ...state, status: 'done' }, commands: [release, end] }
  }
  if (stale || behind) {
    const next = catchUp({ ...state, lastCause: stale ? 'stale' : 'behind' })
    return { state: next.state, commands: [release, ...next.commands] }
  }
  if (merits !== undefined && merits.body.verdict === 'reject' && onlyMerits(j.refusals)) {
    return fail(state, new ProposalRejectedError(state.base.seq + 1, merits.body.reason.code, merits.body.reason.message), [release])
  }
  // Rejected by some on the merits, not by others (members disagree on the rules): a new attempt after a backoff.
  const cause = merits !== undefined && merits.body.verdict === 'reject' ? merits.body.reason.code : 'dead'
  return {
    state: { ...state, status: 'backing-off', lastCause: cause, toRecover: false },
    commands: [release, { type: 'wait', ...backoffWindow(state.attempt, ctx.config.backoff) }]
  }
}

/**
 * Our collection made a certificate. Own mode: if it is not our entry (a recovery round imposed another), we
 * publish it and rebase our actions on it. Drive mode: `superseded` unless it is the driven entry.
 */
async function certifiedHere<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, certificate: Certificate<A>): Promise<ProposerStep<S, A>> {
  const publish: ProposerCommand<A> = { type: 'publish', certificate }
  if (state.hash === state.mineHash || state.mode === 'recover') {
    return { state: { ...state, status: 'done' }, commands: [publish, { type: 'certified', certificate }] }
  }
  if (state.mode === 'drive') return { state: { ...state, status: 'done' }, commands: [publish, { type: 'superseded' }] }
  const { evaluation } = await verifyCertificate<S, A>(ctx, state.base, certificate)
  const base: Head<S> = { seq: certificate.entry.body.seq, hash: evaluation.hash, state: evaluation.state }
  const step = await retry(ctx, { ...state, lastCause: 'superseded' }, base, rebaseActions(state.actions, [certificate]))
  return { state: step.state, commands: [publish, ...step.commands] }
}

/** Every refusal is a reject on the merits: our entry is invalid, retrying the same actions cannot help. */
function onlyMerits (refusals: readonly Answer[]): boolean {
  return refusals.every(a => a.body.verdict === 'reject' && !BEHIND_CODES.has(a.body.reason.code))
}


async function onCertificate<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, raw: unknown): Promise<ProposerStep<S, A>> {
  const seq = (raw as { entry?: { body?: { seq?: unknown } } } | null)?.entry?.body?.seq
  if (typeof seq !== 'number' || seq <= state.base.seq) return { state, commands: [] }
  if (seq > state.base.seq + 1) return state.status === 'catching-up' ? { state, commands: [] } : catchUp(state)
  const { certificate, evaluation } = await verifyCertificate<S, A>(ctx, state.base, raw)
  if (evaluation.hash === state.mineHash || state.mode === 'recover') {
    return { state: { ...state, status: 'done' }, commands: [{ type: 'certified', certificate }] }
  }
  if (state.mode === 'drive') return { state: { ...state, status: 'done' }, commands: [{ type: 'superseded' }] }
  const base: Head<S> = { seq, hash: evaluation.hash, state: evaluation.state }
  return await retry(ctx, { ...state, lastCause: 'superseded' }, base, rebaseActions(state.actions, [certificate]))
}

async function onHead<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>, head: Head<S>, certificates: Certificate<A>[]): Promise<ProposerStep<S, A>> {
  if (head.seq <= state.base.seq) {
    if (state.status !== 'catching-up') return { state, commands: [] }
    // Nothing newer after all: settle our seq with a recovery round (our entry may hold votes: never re-sign over it).
    return recoverLater(ctx, state)
  }
  const mine = certificates.find(c => entryHash(c.entry) === state.mineHash)
  if (mine !== undefined) return { state: { ...state, status: 'done' }, commands: [{ type: 'certified', certificate: mine }] }
  if (state.mode === 'recover' && certificates[0] !== undefined) return { state: { ...state, status: 'done' }, commands: [{ type: 'certified', certificate: certificates[0] }] }
  if (state.mode !== 'own') return { state: { ...state, status: 'done' }, commands: [{ type: 'superseded' }] }
  return await retry(ctx, state, head, rebaseActions(state.actions, certificates))
}

async function onTimer<S, A> (ctx: ProposerContext<S, A>, state: ProposerState<S, A>): Promise<ProposerStep<S, A>> {
  switch (state.status) {
    case 'backing-off':
      if (state.toRecover === true) return prepare(ctx, state)
      return await retry(ctx, state, state.base, state.actions)
    case 'catching-up': return { state, commands: [{ type: 'catchUp', after: state.base.seq }, resendWait(ctx)] }
    case 'preparing': {
      const rec = state.recovery!
      const round = state.round + 1
      if (round > ctx.config.maxRounds) return fail(state, new ProposalStalledError(state.base.seq + 1, state.hash, state.round))
      const silent = recipients(ctx, state).filter(k => rec.promises[k] === undefined && !state.outranked.includes(k))
      const commands: ProposerCommand<A>[] = silent.length > 0 ? [{ type: 'prepare', to: silent, seq: state.base.seq + 1, round: rec.round }] : []
      return { state: { ...state, round }, commands: [...commands, resendWait(ctx)] }
    }
    case 'collecting': {
      const round = state.round + 1
      const rec = state.recovery
      // Round 0 undecided after the fast resends (members silent, or lost for good): a recovery round needs
      // only a strict majority of each party.
      if (rec === undefined && round > (ctx.config.fastResends ?? 1)) return prepare(ctx, state)
      if (round > ctx.config.maxRounds) return fail(state, new ProposalStalledError(state.base.seq + 1, state.hash, state.round))
      const answered = state.pool.answeredBy(state.hash, rec?.round)
      const silent = recipients(ctx, state).filter(k => !answered.has(k) && !state.outranked.includes(k))
      const send: ProposerCommand<A> = rec === undefined
        ? { type: 'send', to: silent, entry: state.entry }
        : { type: 'send', to: silent, entry: state.entry, round: rec.round, promises: Object.values(rec.promises), votes: Object.values(rec.votes) }
      return { state: { ...state, round }, commands: [...(silent.length > 0 ? [send] : []), resendWait(ctx)] }
    }
    case 'done': return { state, commands: [] }
  }
}
