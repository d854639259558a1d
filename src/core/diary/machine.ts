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
  /** Validates one action against the state: the new state, or the same state and a refusal. Deterministic. */
  apply (state: S, action: A): Promise<Applied<S>>
  /** The members whose approvals certify the next entry. */
  members (state: S): MemberSet
}
