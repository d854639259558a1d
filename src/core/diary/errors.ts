// Every refusal in the diary is one of these named errors (stable `code`). A member's signed `reject`
// answer carries the code of the error that made it refuse.
import { ChipsError } from '../errors'

/** The record belongs to another tally's diary. */
export class WrongTallyError extends ChipsError {
  constructor (readonly expected: string, readonly actual: string) {
    super('WRONG_TALLY', `record for tally ${actual}, expected ${expected}`)
  }
}

/** The entry does not chain onto the previous entry's hash. */
export class WrongPreviousHashError extends ChipsError {
  constructor (readonly seq: number, readonly expected: string, readonly actual: string) {
    super('WRONG_PREVIOUS_HASH', `entry ${seq} chains onto ${actual}, but entry ${seq - 1} is ${expected}`)
  }
}

/** An entry for a seq that already holds a certified entry. */
export class DuplicateSeqError extends ChipsError {
  constructor (readonly seq: number, readonly head: number) {
    super('DUPLICATE_SEQ', `seq ${seq} is already certified (head is ${head})`)
  }
}

/** An entry that skips ahead of the next seq. */
export class SeqGapError extends ChipsError {
  constructor (readonly seq: number, readonly expected: number) {
    super('SEQ_GAP', `entry ${seq} does not follow the head (expected ${expected})`)
  }
}

/** A signer (author or answering node) that is not a member of the tally network at that seq. */
export class NotAMemberError extends ChipsError {
  constructor (readonly key: string, readonly seq: number) {
    super('NOT_A_MEMBER', `${key} is not a member of the tally network at seq ${seq}`)
  }
}

/** The envelope's signer is not the node the entry names as its author. */
export class AuthorMismatchError extends ChipsError {
  constructor (readonly author: string, readonly signer: string) {
    super('AUTHOR_MISMATCH', `entry names author ${author} but is signed by ${signer}`)
  }
}

/** The member set a machine reports is unusable (empty party, bad weight, a key listed twice). */
export class InvalidMemberSetError extends ChipsError {
  constructor (message: string) { super('INVALID_MEMBER_SET', message) }
}

/** The machine asked for an unusable quorum. */
export class InvalidQuorumError extends ChipsError {
  constructor (message: string) { super('INVALID_QUORUM', message) }
}

/** The refusal codes recorded in the entry differ from what applying its actions gives. */
export class RefusalMismatchError extends ChipsError {
  constructor (readonly seq: number, message: string) { super('REFUSAL_MISMATCH', `entry ${seq}: ${message}`) }
}

/** A relaxed-quorum entry (a re-seat) holds an action the machine refused: it must not be certified that way. */
export class RelaxedQuorumRefusedError extends ChipsError {
  constructor (readonly seq: number, readonly refusal: string) {
    super('RELAXED_QUORUM_REFUSED', `entry ${seq} needs a relaxed quorum but an action was refused (${refusal})`)
  }
}

/** A checkpoint entry whose state digest differs from the state it claims to checkpoint. */
export class CheckpointMismatchError extends ChipsError {
  constructor (readonly seq: number, readonly expected: string, readonly actual: string) {
    super('CHECKPOINT_MISMATCH', `checkpoint at ${seq} names state ${actual}, but the state is ${expected}`)
  }
}

/** The checkpoint is not vouched for by a quorum of the member set the verifier trusts. */
export class CheckpointUntrustedError extends ChipsError {
  constructor (readonly seq: number) {
    super('CHECKPOINT_UNTRUSTED', `checkpoint at ${seq} is not approved by a majority of each party of the trusted members`)
  }
}

/** A certificate without a strict majority of each required party's member weight. */
export class NoQuorumError extends ChipsError {
  constructor (readonly seq: number, readonly party: string, readonly weight: number, readonly total: number, need = 'more than half') {
    super('NO_QUORUM', `entry ${seq}: approvals from ${party} weigh ${weight} of ${total}, need ${need}`)
  }
}

/** One member's answer counted twice. */
export class DuplicateAnswerError extends ChipsError {
  constructor (readonly key: string) { super('DUPLICATE_ANSWER', `two answers from ${key}`) }
}

/** An answer in a certificate or proof that is not about that entry, or not of the verdict it is counted as. */
export class AnswerMismatchError extends ChipsError {
  constructor (message: string) { super('ANSWER_MISMATCH', message) }
}

/** A reservation may only be released on proof: these refusals cannot rule out a certificate. */
export class ReleaseWithoutProofError extends ChipsError {
  constructor (readonly seq: number, readonly entry: string, reason: string) {
    super('RELEASE_WITHOUT_PROOF', `no proof that entry ${entry} at seq ${seq} cannot be certified: ${reason}`)
  }
}

/** Two certificates for one seq: the honest-majority assumption is broken. Keep both as evidence. */
export class ForkDetectedError extends ChipsError {
  constructor (readonly seq: number, readonly ours: string, readonly theirs: string) {
    super('FORK_DETECTED', `two certificates for seq ${seq}: ${ours} and ${theirs}`)
  }
}

/** A history that does not start at the genesis or skips an entry. */
export class BrokenHistoryError extends ChipsError {
  constructor (message: string) { super('BROKEN_HISTORY', message) }
}

/** The proposer retried its actions as many times as allowed without a certificate. */
export class ProposalGaveUpError extends ChipsError {
  constructor (readonly attempts: number, readonly lastCause?: string) {
    super('PROPOSAL_GAVE_UP', `no certificate after ${attempts} attempts${lastCause !== undefined ? ` (last: ${lastCause})` : ''}`)
  }
}

/** Not enough members answered in time. The entry stays pending and may still be certified (never assume it failed). */
export class ProposalStalledError extends ChipsError {
  constructor (readonly seq: number, readonly entry: string, readonly rounds: number) {
    super('PROPOSAL_STALLED', `entry ${entry} at seq ${seq} has no decision after ${rounds} rounds: members unreachable; it stays pending`)
  }
}

/** Members rejected the entry on its merits (not a race): retrying the same actions would be rejected again. */
export class ProposalRejectedError extends ChipsError {
  constructor (readonly seq: number, readonly reason: string, message: string) {
    super('PROPOSAL_REJECTED', `entry at seq ${seq} rejected (${reason}): ${message}`)
  }
}

/**
 * A recovery round's request that its promises do not justify: too few promises (a strict majority of each
 * party), promises for another seq or round, or an entry other than the one the choice rule imposes.
 */
export class InvalidRecoveryChoiceError extends ChipsError {
  constructor (readonly seq: number, message: string) {
    super('INVALID_RECOVERY_CHOICE', `recovery at seq ${seq}: ${message}`)
  }
}
