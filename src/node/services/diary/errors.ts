// Named errors of the diary service (the diary's own rules raise the errors of src/core/diary/errors.ts).
import { ChipsError } from '../../../core/errors'

/** This node keeps no diary for that tally (never opened here). */
export class UnknownTallyError extends ChipsError {
  constructor (readonly tally: string) { super('UNKNOWN_TALLY', `this node keeps no diary for tally ${tally.slice(0, 16)}`) }
}

/** The service was stopped; what was queued stays in the outbox for the next start. */
export class DiaryStoppedError extends ChipsError {
  constructor () { super('DIARY_STOPPED', 'the diary service is stopped; queued actions resume at the next start') }
}

/** A request came from a node that is not a member of the tally. */
export class NotATallyMemberError extends ChipsError {
  constructor (peerId: string) { super('NOT_A_TALLY_MEMBER', `peer ${peerId.slice(-8)} is not a member of this tally`) }
}

/** open() was given another genesis than the one this tally's diary started from. */
export class GenesisMismatchError extends ChipsError {
  constructor (readonly tally: string) { super('GENESIS_MISMATCH', `tally ${tally.slice(0, 16)} is kept here with another genesis`) }
}

/** A peer's answer to a diary request does not fit the request (wrong kind of reply). */
export class UnexpectedReplyError extends ChipsError {
  constructor (expected: string, got: string) { super('UNEXPECTED_REPLY', `expected '${expected}', the peer replied '${got}'`) }
}
