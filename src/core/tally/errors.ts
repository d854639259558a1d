// Named refusals of the tally rules. Codes are stable; the UI maps them to words.
import { ChipsError } from '../errors'

/** The action is not allowed in the tally's (or negotiation's) current state. */
export class ForbiddenTransitionError extends ChipsError {
  constructor (readonly from: string, readonly action: string) {
    super('FORBIDDEN_TRANSITION', `cannot ${action} a tally in state '${from}'`)
  }
}

export class InvalidTermsError extends ChipsError {
  constructor (message: string) { super('INVALID_TERMS', message) }
}

export class InvalidTradingVariablesError extends ChipsError {
  constructor (message: string) { super('INVALID_TRADING_VARIABLES', message) }
}

export class InvitationExpiredError extends ChipsError {
  constructor (readonly expires: number) { super('INVITATION_EXPIRED', 'this invitation has expired') }
}

export class InvitationUsedError extends ChipsError {
  constructor () { super('INVITATION_USED', 'this invitation was already used') }
}

export class UnknownInvitationError extends ChipsError {
  constructor () { super('UNKNOWN_INVITATION', 'no such invitation') }
}

/** A (counter-)offer changed what only the holder may set: its own certificate, keys or members. */
export class PartyChangedError extends ChipsError {
  constructor (side: string) { super('PARTY_CHANGED', `the offer changes the ${side} party's own identity or keys`) }
}

/** The message is about another revision than the one in hand (late or reordered). */
export class StaleRevisionError extends ChipsError {
  constructor (readonly got: number, readonly have: number) {
    super('STALE_REVISION', `revision ${got} is not newer than revision ${have}`)
  }
}

/** The action or message names another tally: the diary's error, one class for the whole core. */
export { WrongTallyError } from '../diary/errors'

/** A membership change must carry both parties' signatures over the same member set. */
export class MembershipNotSignedByBothError extends ChipsError {
  constructor (message: string) { super('MEMBERSHIP_NOT_SIGNED_BY_BOTH', message) }
}

export class InvalidMembersError extends ChipsError {
  constructor (message: string) { super('INVALID_MEMBERS', message) }
}
