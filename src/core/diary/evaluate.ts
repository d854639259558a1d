// Judging an entry against the certified head it builds on: the one set of rules shared by members
// (before approving), proposers (before signing) and verifiers (offline, from genesis).
import { hashOf } from '../codec/hash'
import { isChipsError } from '../errors'
import type { Entry, RefusedAction } from './entry'
import { entryHash } from './entry'
import {
  CheckpointMismatchError, DuplicateSeqError, NotAMemberError, RefusalMismatchError, RelaxedQuorumRefusedError,
  SeqGapError, WrongPreviousHashError, WrongTallyError
} from './errors'
import type { DiaryContext, Head } from './head'
import type { MemberSet, Party, ReplicatedMachine } from './machine'
import { checkMemberSet, isMember, isRelaxed, requiredParties } from './quorum'

export interface Evaluation<S> {
  hash: string
  /** The member set in force for this entry (from the state before it). */
  members: MemberSet
  /** The parties whose majority must approve it. */
  parties: Party[]
  /** The machine state after the entry. */
  state: S
  refused: RefusedAction[]
}

export async function stateDigest<S, A> (machine: ReplicatedMachine<S, A>, state: S): Promise<string> {
  return machine.digest !== undefined ? await machine.digest(state) : hashOf(state)
}

export interface Outcome<S> {
  state: S
  refused: RefusedAction[]
}

/**
 * Applies actions in order and lists the refused ones. The state a refusal returns is kept: it carries what a
 * refusal still changes (the refused action's chain key is used). Throws if the machine throws.
 */
export async function applyActions<S, A> (machine: ReplicatedMachine<S, A>, state: S, actions: readonly A[]): Promise<Outcome<S>> {
  const refused: RefusedAction[] = []
  let s = state
  for (let i = 0; i < actions.length; i++) {
    const r = await machine.apply(s, actions[i]!)
    if (r.refusal !== undefined) refused.push({ index: i, code: r.refusal.code })
    s = r.state
  }
  return { state: s, refused }
}

/** The member set in force after `state`, checked. */
export function membersOf<S, A> (machine: ReplicatedMachine<S, A>, state: S): MemberSet {
  const set = machine.members(state)
  checkMemberSet(set)
  return set
}

/**
 * Every rule an entry must pass against the head it builds on, except its author signature (checked by
 * verifyEntrySignature first, so bulk verification can check signatures in parallel). Throws a named error.
 */
export async function evaluateEntry<S, A> (ctx: DiaryContext<S, A>, head: Head<S>, entry: Entry<A>): Promise<Evaluation<S>> {
  return await evaluateHashedEntry(ctx, head, entry, entryHash(entry))
}

/** evaluateEntry for an entry whose hash is known: `hash` MUST be entryHash(entry) (verifyHashedEntry gives both). */
export async function evaluateHashedEntry<S, A> (ctx: DiaryContext<S, A>, head: Head<S>, entry: Entry<A>, hash: string): Promise<Evaluation<S>> {
  const body = entry.body
  if (body.tally !== ctx.tally) throw new WrongTallyError(ctx.tally, body.tally)
  if (body.seq <= head.seq) throw new DuplicateSeqError(body.seq, head.seq)
  if (body.seq !== head.seq + 1) throw new SeqGapError(body.seq, head.seq + 1)
  if (body.prev !== head.hash) throw new WrongPreviousHashError(body.seq, head.hash, body.prev)
  const members = membersOf(ctx.machine, head.state)
  if (!isMember(members, body.author)) throw new NotAMemberError(body.author, body.seq)
  if (body.checkpoint !== undefined) {
    const digest = await stateDigest(ctx.machine, head.state)
    if (digest !== body.checkpoint) throw new CheckpointMismatchError(body.seq, digest, body.checkpoint)
  }
  const parties = await requiredParties(ctx.machine, head.state, body.actions)
  let outcome: Outcome<S>
  try {
    outcome = await applyActions(ctx.machine, head.state, body.actions)
  } catch (e) {
    if (isChipsError(e)) throw e
    throw new RefusalMismatchError(body.seq, `the machine failed: ${(e as Error).message}`)
  }
  const got = outcome.refused.map(r => `${r.index}:${r.code}`).join(',')
  const said = body.refused.map(r => `${r.index}:${r.code}`).join(',')
  if (got !== said) throw new RefusalMismatchError(body.seq, `recorded refusals [${said}], applying gives [${got}]`)
  if (isRelaxed(parties) && outcome.refused.length > 0) throw new RelaxedQuorumRefusedError(body.seq, outcome.refused[0]!.code)
  return { hash, members, parties, state: outcome.state, refused: outcome.refused }
}
