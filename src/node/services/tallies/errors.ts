// Named refusals of the tally service (DESIGN.md §8). Rule refusals of the core (OVER_LIMIT,
// INVITATION_EXPIRED, …) reach callers with their own codes; these are the service's own.
import { ChipsError } from '../../../core/errors'

/** No tally (or invitation) with this id in this wallet. */
export class UnknownTallyError extends ChipsError {
  constructor (readonly tally: string) { super('UNKNOWN_TALLY', `no tally ${tally} in this wallet`) }
}

/** The offer does not carry the terms or contract the invitation promised. */
export class OfferMismatchError extends ChipsError {
  constructor (what: string) { super('OFFER_MISMATCH', `the offer differs from the invitation: ${what}`) }
}

/** The invitation's link was made by this very wallet. */
export class OwnInvitationError extends ChipsError {
  constructor () { super('OWN_INVITATION', 'this is your own invitation; send it to your partner') }
}

/** The message's sender is not the node this tally's partner uses (or the ticket's device certificate names another node). */
export class WrongPeerError extends ChipsError {
  constructor (message: string) { super('WRONG_PEER', message) }
}

/** The tally must be open (or closing) for this action. */
export class TallyNotOpenError extends ChipsError {
  constructor (readonly status: string) { super('TALLY_NOT_OPEN', `the tally is ${status}, not open`) }
}

/** The tally's diary service is not available in this node (no certified actions possible). */
export class DiaryUnavailableError extends ChipsError {
  constructor () { super('DIARY_UNAVAILABLE', 'this node has no diary service; tally actions are not available') }
}

/** The chit was refused by the tally rules when certified; `code` is the rule's code (OVER_LIMIT, …). */
export class ChitRefusedError extends ChipsError {
  constructor (code: string, message: string, readonly chit: string) { super(code, message) }
}

/** The partner withdrew this offer to revise it (scenario 11): it can no longer be accepted, countered or refused. */
export class OfferWithdrawnError extends ChipsError {
  constructor (readonly tally: string) { super('OFFER_WITHDRAWN', 'the partner withdrew this offer to revise it; wait for the new one, or make one') }
}

/**
 * The partner's nodes refuse this device as a member of the tally: the wallet was restored on another device,
 * which took this device's place. Nothing can be paid or invoiced from here any more.
 */
export class DeviceReplacedError extends ChipsError {
  constructor (readonly tally: string) { super('DEVICE_REPLACED', 'this device was replaced by another one holding your wallet; use that device for this tally') }
}
