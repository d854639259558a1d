// Named refusals of wallet recovery (stable codes; see docs/protocol.md, Recovery).
import { ChipsError } from '../../../core/errors'

/** The requester's device certificate is not the partner's on this tally, or names another device than the one speaking. */
export class NotTallyPartnerError extends ChipsError {
  constructor (message: string) { super('NOT_TALLY_PARTNER', message) }
}

/** An offered tally does not name this wallet's user as a party. */
export class NotOurTallyError extends ChipsError {
  constructor (tally: string) { super('NOT_OUR_TALLY', `tally ${tally} does not name this wallet's user`) }
}

/** A re-seat request that is not a re-seat of the requesting device alone, for the requester's side of this tally. */
export class InvalidReseatError extends ChipsError {
  constructor (message: string) { super('INVALID_RESEAT', message) }
}

/** The re-seat was certified with a refusal (e.g. INVALID_MEMBERS), or could not be certified. */
export class ReseatRefusedError extends ChipsError {
  constructor (readonly reason: string, message: string) { super('RESEAT_REFUSED', message) }
}

/** The re-seat is queued but not certified yet: ask again later (the history will show it). */
export class ReseatPendingError extends ChipsError {
  constructor (tally: string) { super('RESEAT_PENDING', `the re-seat on tally ${tally} is not certified yet`) }
}

/** After the re-seat, this device is still not a member of the tally (the partner withheld or lied). */
export class NotReseatedError extends ChipsError {
  constructor (tally: string) { super('NOT_RESEATED', `this device did not become a member of tally ${tally}`) }
}

/** The partner's history ends before the head it announced, or runs longer than allowed. */
export class IncompleteHistoryError extends ChipsError {
  constructor (message: string) { super('INCOMPLETE_HISTORY', message) }
}
