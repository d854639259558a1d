// Quorum arithmetic, per party, in member weight (total W):
// - classic quorum: a STRICT majority (weight ≥ c = ⌊W/2⌋ + 1). Recovery rounds (r ≥ 1) and promises use it.
// - fast quorum (round 0): weight ≥ f = ⌊(2W − c)/2⌋ + 1, the least f with 2f + c > 2W. Then any two fast
//   quorums and any classic quorum share a member: w(Q1 ∩ Q2 ∩ C) ≥ w(Q1) + w(Q2) + w(C) − 2W ≥ 2f + c − 2W ≥ 1.
//   For 1, 2 or 3 members of weight 1, f = all of them.
// Any two certificates for one seq then share an honest member of each required party, and the round rules
// (docs/protocol.md D.3) make that member's votes agree, so no fork can form behind a party's back.
import type { Member, MemberSet, Party, ReplicatedMachine } from './machine'
import { InvalidMemberSetError, InvalidQuorumError } from './errors'

export const PARTIES: readonly Party[] = ['stock', 'foil']

/** Throws InvalidMemberSetError unless every party has members, weights are positive integers and keys unique. */
export function checkMemberSet (set: MemberSet): void {
  const seen = new Set<string>()
  for (const party of PARTIES) {
    const list = set[party]
    if (!Array.isArray(list) || list.length === 0) throw new InvalidMemberSetError(`the ${party} has no members`)
    for (const m of list) {
      if (typeof m.key !== 'string' || m.key.length !== 43) throw new InvalidMemberSetError(`bad member key ${String(m.key)}`)
      if (!Number.isSafeInteger(m.weight) || m.weight < 1) throw new InvalidMemberSetError(`member ${m.key} has weight ${m.weight}`)
      if (seen.has(m.key)) throw new InvalidMemberSetError(`member ${m.key} is listed twice`)
      seen.add(m.key)
    }
  }
}

export function partyOf (set: MemberSet, key: string): Party | undefined {
  for (const party of PARTIES) if (set[party].some(m => m.key === key)) return party
  return undefined
}

export function isMember (set: MemberSet, key: string): boolean {
  return partyOf(set, key) !== undefined
}

export function allMembers (set: MemberSet): Member[] {
  return [...set.stock, ...set.foil]
}

export function totalWeight (members: readonly Member[]): number {
  return members.reduce((n, m) => n + m.weight, 0)
}

export function weightOf (members: readonly Member[], keys: ReadonlySet<string>): number {
  return members.reduce((n, m) => n + (keys.has(m.key) ? m.weight : 0), 0)
}

/** Strictly more than half of the party's weight. */
export function hasMajority (members: readonly Member[], approvers: ReadonlySet<string>): boolean {
  return 2 * weightOf(members, approvers) > totalWeight(members)
}

/** The smallest classic quorum weight: strictly more than half. */
export function classicQuorumWeight (total: number): number {
  return Math.floor(total / 2) + 1
}

/** The smallest fast (round-0) quorum weight: 2·f + c > 2·total, so two fast quorums and a classic one intersect. */
export function fastQuorumWeight (total: number): number {
  return Math.floor((2 * total - classicQuorumWeight(total)) / 2) + 1
}

/** Approvals enough for a round-0 certificate of this party. */
export function hasFastQuorum (members: readonly Member[], approvers: ReadonlySet<string>): boolean {
  return weightOf(members, approvers) >= fastQuorumWeight(totalWeight(members))
}

/** These members will not approve in round 0, so the rest cannot make a fast quorum. */
export function fastImpossible (members: readonly Member[], refusers: ReadonlySet<string>): boolean {
  const total = totalWeight(members)
  return total - weightOf(members, refusers) < fastQuorumWeight(total)
}

/** Members who refused can never approve, so the rest can no longer make a strict majority. */
export function majorityImpossible (members: readonly Member[], refusers: ReadonlySet<string>): boolean {
  return 2 * weightOf(members, refusers) >= totalWeight(members)
}

/** The parties that must approve an entry with these actions (machine hook; both by default). */
export async function requiredParties<S, A> (machine: ReplicatedMachine<S, A>, state: S, actions: readonly A[]): Promise<Party[]> {
  if (machine.quorum === undefined) return [...PARTIES]
  const q = await machine.quorum(state, actions)
  const parties = PARTIES.filter(p => q.includes(p))
  if (parties.length === 0 || q.some(p => !PARTIES.includes(p))) throw new InvalidQuorumError(`machine asked for quorum [${q.join(', ')}]`)
  return parties
}

/** True when the quorum is relaxed (not every party must approve): a re-seat. */
export function isRelaxed (parties: readonly Party[]): boolean {
  return parties.length < PARTIES.length
}

export interface Decision {
  /** Every required party has the quorum of approvals (fast in round 0, a strict majority otherwise). */
  certified: boolean
  /** Some required party's (sticky) refusals rule out a strict majority: the entry can never be certified. */
  dead: boolean
}

/**
 * Judges approving and refusing member keys. `fast`: the approvals are of round 0 and need the fast quorum.
 * `dead` reads `refusers` as sticky refusals (pass only reject / stale signers when it must prove anything).
 */
export function decide (set: MemberSet, parties: readonly Party[], approvers: ReadonlySet<string>, refusers: ReadonlySet<string>, fast = false): Decision {
  return {
    certified: parties.every(p => (fast ? hasFastQuorum(set[p], approvers) : hasMajority(set[p], approvers))),
    dead: parties.some(p => majorityImpossible(set[p], refusers))
  }
}

/** No certificate can form in this round: the members who will not approve in it leave no quorum. */
export function roundBlocked (set: MemberSet, parties: readonly Party[], refusers: ReadonlySet<string>, fast: boolean): boolean {
  return parties.some(p => (fast ? fastImpossible(set[p], refusers) : majorityImpossible(set[p], refusers)))
}

/** A strict majority of EVERY party (promises for a recovery round, whatever the entry's quorum). */
export function majorityOfEach (set: MemberSet, keys: ReadonlySet<string>): boolean {
  return PARTIES.every(p => hasMajority(set[p], keys))
}
