// Named refusals of the node's lift services (stable codes; the UI maps them to words).
import { ChipsError } from '../../../core/errors'

export class LiftNotFoundError extends ChipsError {
  constructor (readonly lift: string) { super('LIFT_NOT_FOUND', `no lift ${lift} here`) }
}

/** No route carries the units asked (research scenario 29: "no plan → void"). */
export class LiftNoRouteError extends ChipsError {
  constructor (message = 'no route with enough free lading was found') { super('NO_ROUTE', message) }
}

/** The cheapest route costs more than the payer allows. */
export class FeeTooHighError extends ChipsError {
  constructor (readonly fee: number, readonly maxFee: number) { super('FEE_TOO_HIGH', `the route costs ${fee} units of fees, more than the ${maxFee} allowed`) }
}

/** A lift message names a tally link this node does not share with the sender. */
export class UnknownLinkError extends ChipsError {
  constructor () { super('UNKNOWN_LINK', 'no tally shared with the sender matches this leg') }
}

/** The lift's expiry has passed (or is too close to act on). */
export class LiftExpiredError extends ChipsError {
  constructor (readonly lift: string) { super('LIFT_EXPIRED', `lift ${lift} has expired`) }
}

/** This node does not take part in lifts with these referees. */
export class RefereesRefusedError extends ChipsError {
  constructor () { super('REFEREES_REFUSED', 'this node does not accept the referees of this lift') }
}

/** The leg's key is not this node's session key: the record was not built from this node's answer. */
export class NotMyLegError extends ChipsError {
  constructor (message = 'this leg names another node\'s key') { super('NOT_MY_LEG', message) }
}

/** The partner's conditional chit for this leg was not certified in time (or not as the record says). */
export class ChitNotCertifiedError extends ChipsError {
  constructor (readonly lift: string, readonly leg: number) { super('CHIT_NOT_CERTIFIED', `the lift chit of leg ${leg} of lift ${lift} was not certified in time`) }
}

/** My own lift chit was refused by the tally rules or could not be certified. */
export class LiftChitRefusedError extends ChipsError {
  constructor (readonly reason: string) { super('LIFT_CHIT_REFUSED', `the tally refused this node's lift chit (${reason})`) }
}

/** An intermediary is asked to give more than its trading variables (clutch) allow for what it receives. */
export class FeeTooLowError extends ChipsError {
  constructor (readonly received: number, readonly given: number, readonly fee: number) {
    super('FEE_TOO_LOW', `receiving ${received} and giving ${given} leaves less than the ${fee} units this node's clutch requires`)
  }
}

/** A promise in a lift message does not verify against the record. */
export class BadPromiseError extends ChipsError {
  constructor (message: string) { super('BAD_PROMISE', message) }
}

/** A referee decision names another lift, or is not signed by one of the lift's referees. */
export class BadDecisionError extends ChipsError {
  constructor (message: string) { super('BAD_DECISION', message) }
}

/** This node is not a referee named by the lift. */
export class NotARefereeError extends ChipsError {
  constructor () { super('NOT_A_REFEREE', 'this node is not a referee of this lift') }
}

/** The lift service is stopping or stopped. */
export class LiftsStoppedError extends ChipsError {
  constructor () { super('LIFTS_STOPPED', 'the lift service is stopped') }
}

/** Too many lifts in flight on this node: try again later. */
export class LiftsBusyError extends ChipsError {
  constructor (readonly limit: number) { super('LIFTS_BUSY', `this node carries ${limit} lifts already`) }
}
