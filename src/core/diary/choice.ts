// The recovery proposer's choice (Fast Paxos, phase 1 → phase 2). With promises for round r from a strict
// majority of each party (the set C), let k be the highest round of a vote they report:
// - k ≥ 1: the entry voted in round k is imposed (one proposer per round proposes one entry, so there is one;
//   anything certified in a round < r was, by induction, re-proposed in every round since).
// - k = 0: an entry V voted in round 0 could have been certified there only if, for every party p its quorum
//   needs, the members of p reporting V@0 plus the members of p outside C weigh at least the fast quorum. At
//   most one V passes (two fast quorums and C share a member of a common party, whose single round-0 vote
//   cannot be both); if one does it is imposed, otherwise the choice is free.
// The proposer applies this rule; every member re-applies it to the promises sent with the phase-2 request,
// so a buggy or dishonest recovery proposer cannot make members certify anything else.
// Promise quorum: a strict majority of each party the proposed entry's quorum needs (both; the partner alone for
// a re-seat, so a party that lost its majority can still be re-seated in a recovery round). Every entry whose
// quorum includes a promising party is detected; only an entry needing solely the OTHER party (the opposite
// re-seat at the same seq) is not — the same limit as D.3's relaxed quorum.
import { verifyEntrySignature, entryHash, type Entry } from './entry'
import { InvalidRecoveryChoiceError, NotAMemberError, DuplicateAnswerError, WrongTallyError } from './errors'
import { membersOf } from './evaluate'
import type { DiaryContext, Head } from './head'
import type { MemberSet, Party } from './machine'
import { verifyPromise, type RoundPromise } from './promise'
import { fastQuorumWeight, hasMajority, isMember, PARTIES, requiredParties, totalWeight, weightOf } from './quorum'
import { compareRounds, roundKey, sameRound, type Round } from './round'


/**
 * Verifies the promises for `round` at head.seq + 1: signatures, this tally/seq/round, members in force, one
 * each, a strict majority of each party in `parties` (the parties the proposed entry's quorum needs: both, or
 * the partner alone for a re-seat). Throws InvalidRecoveryChoiceError (or another named error).
 */
export async function checkPromises<S, A> (ctx: DiaryContext<S, A>, head: Head<S>, round: Round, raw: readonly unknown[], parties: readonly Party[] = PARTIES): Promise<RoundPromise[]> {
  const seq = head.seq + 1
  const promises = await Promise.all(raw.slice(0, 256).map(p => verifyPromise(ctx.provider, p)))
  const members = membersOf(ctx.machine, head.state)
  const seen = new Set<string>()
  for (const p of promises) {
    if (p.body.tally !== ctx.tally) throw new WrongTallyError(ctx.tally, p.body.tally)
    if (p.body.seq !== seq || !sameRound(p.body.round, round)) {
      throw new InvalidRecoveryChoiceError(seq, `a promise for seq ${p.body.seq} round ${roundKey(p.body.round)} sent for round ${roundKey(round)}`)
    }
    if (!isMember(members, p.signer)) throw new NotAMemberError(p.signer, seq)
    if (seen.has(p.signer)) throw new DuplicateAnswerError(p.signer)
    seen.add(p.signer)
  }
  if (!parties.every(p => hasMajority(members[p], seen))) throw new InvalidRecoveryChoiceError(seq, `promises from ${seen.size} member(s) are not a strict majority of each of [${parties.join(', ')}]`)
  return promises
}

/** Verifies the entries a phase-2 request carries for the votes; keeps those for this seq, by hash. */
export async function voteEntries<S, A> (ctx: DiaryContext<S, A>, seq: number, raw: readonly unknown[]): Promise<Map<string, Entry<A>>> {
  const out = new Map<string, Entry<A>>()
  const checked = await Promise.allSettled(raw.slice(0, 64).map(e => verifyEntrySignature<A>(ctx.provider, e)))
  for (const r of checked) {
    if (r.status === 'fulfilled' && r.value.body.seq === seq && r.value.body.tally === ctx.tally) out.set(entryHash(r.value), r.value)
  }
  return out
}

/**
 * The entry hash the promises impose, or undefined when the choice is free. `entries` must hold every entry a
 * round-0 vote names (to know the parties its quorum needs); a missing one throws InvalidRecoveryChoiceError.
 */
export async function chooseEntry<S, A> (ctx: DiaryContext<S, A>, head: Head<S>, promises: readonly RoundPromise[], entries: ReadonlyMap<string, Entry<A>>): Promise<string | undefined> {
  const seq = head.seq + 1
  const votes = promises.flatMap(p => (p.body.vote !== undefined ? [{ signer: p.signer, ...p.body.vote }] : []))
  if (votes.length === 0) return undefined
  let k: Round | undefined
  for (const v of votes) if (compareRounds(v.round, k) > 0) k = v.round
  if (k !== undefined) {
    // Only a misbehaving proposer can leave two entries in one round: take the lowest hash, deterministically.
    return votes.filter(v => sameRound(v.round, k)).map(v => v.entry).sort()[0]
  }
  const members = membersOf(ctx.machine, head.state)
  const promised = new Set(promises.map(p => p.signer))
  const candidates: string[] = []
  for (const hash of new Set(votes.map(v => v.entry))) {
    const entry = entries.get(hash)
    if (entry === undefined) throw new InvalidRecoveryChoiceError(seq, `the entry ${hash} a promise voted for is missing`)
    const parties = await requiredParties(ctx.machine, head.state, entry.body.actions)
    const voters = new Set(votes.filter(v => v.entry === hash).map(v => v.signer))
    if (parties.every(p => couldBeFast(members, p, voters, promised))) candidates.push(hash)
  }
  // Two candidates need quorums in disjoint parties (a stock and a foil re-seat at one seq): lowest hash.
  return candidates.sort()[0]
}

function couldBeFast (members: MemberSet, party: Party, voters: ReadonlySet<string>, promised: ReadonlySet<string>): boolean {
  const list = members[party]
  const outside = new Set(list.filter(m => !promised.has(m.key)).map(m => m.key))
  return weightOf(list, voters) + weightOf(list, outside) >= fastQuorumWeight(totalWeight(list))
}
