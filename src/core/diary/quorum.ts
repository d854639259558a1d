// Quorum arithmetic. A certificate needs approvals from a STRICT majority of each required party's member
// weight: any two certificates for one seq then share an honest member of each such party, and an honest
// member approves one entry per seq (until a proof releases it), so no fork can form behind a party's back.
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
  /** Every required party has a strict majority of approvals. */
  certified: boolean
  /** Some required party's refusals rule out a majority: the entry can never be certified. */
  dead: boolean
}

/** Judges a set of approving and refusing member keys against a quorum. */
export function decide (set: MemberSet, parties: readonly Party[], approvers: ReadonlySet<string>, refusers: ReadonlySet<string>): Decision {
  return {
    certified: parties.every(p => hasMajority(set[p], approvers)),
    dead: parties.some(p => majorityImpossible(set[p], refusers))
  }
}
