// The diary orders and certifies entries; what an action *means* belongs to the replicated machine
// (the tally: src/core/tally). This is the seam between them.

/** A node that keeps the tally's diary; key = its Ed25519 node public key, base64url. */
export interface Member {
  key: string
  weight: number
}

export interface MemberSet {
  stock: Member[]
  foil: Member[]
}

/** The two sides of a tally; each side's members vote as one party in a quorum. */
export type Party = 'stock' | 'foil'

/** Why an action was refused; stays in the diary with the entry (a refused action's chain key is still used). */
export interface Refusal {
  code: string
  message: string
}

export interface Applied<S> {
  state: S
  refusal?: Refusal
}

export interface ReplicatedMachine<S, A> {
  /**
   * Validates one action against the state: the new state, or a refusal with the state as the refusal leaves
   * it (unchanged, or with only the bookkeeping a refusal implies: its chain key marked used). The diary
   * keeps the returned state in both cases. Deterministic.
   * Throw (a ChipsError) only for an action that must not enter the diary at all (malformed); the whole entry
   * is then rejected. A rule violation is a refusal: the action stays in the entry with its refusal code.
   */
  apply (state: S, action: A): Promise<Applied<S>>
  /** The members whose approvals certify the next entry. */
  members (state: S): MemberSet
  /**
   * Optional. The parties whose strict member-weight majority must approve an entry carrying these actions,
   * judged on the state before the entry. Default: both. Return only the partner for the re-seat of a party
   * that lost its majority (the re-seat action is signed with that party's next chain key, which `apply`
   * validates); the diary rejects a relaxed-quorum entry in which any action is refused, so a quorum may be
   * relaxed on the action's shape alone.
   */
  quorum? (state: S, actions: readonly A[]): readonly Party[] | Promise<readonly Party[]>
  /**
   * Optional. A digest of the state for checkpoint entries (equal states give equal digests on every node).
   * Default: hashOf(state), which requires the state to be canonical JSON with integer numbers.
   */
  digest? (state: S): string | Promise<string>
}
