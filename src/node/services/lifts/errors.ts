// Named refusals of the node's lift services (stable codes; the UI maps them to words). The lift core's own
// (NoRouteError, FeeTooHighError, LiftExpiredError, RefereesRefusedError, …) live in core/lift/errors.ts.
import { ChipsError } from '../../../core/errors'

export class LiftNotFoundError extends ChipsError {
  constructor (readonly lift: string) { super('LIFT_NOT_FOUND', `no lift ${lift} here`) }
}



/** A lift message names a tally link this node does not share with the sender. */
export class UnknownLinkError extends ChipsError {
  constructor () { super('UNKNOWN_LINK', 'no tally shared with the sender matches this leg') }
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


/** A referee decision names another lift, or is not signed by one of the lift's referees. */
export class BadDecisionError extends ChipsError {
  constructor (message: string) { super('BAD_DECISION', message) }
}


/** The lift service is stopping or stopped. */
export class LiftsStoppedError extends ChipsError {
  constructor () { super('LIFTS_STOPPED', 'the lift service is stopped') }
}

/** Too many lifts in flight on this node: try again later. */
export class LiftsBusyError extends ChipsError {
  constructor (readonly limit: number) { super('LIFTS_BUSY', `this node carries ${limit} lifts already`) }
}

/** A circular lift asks this node to give more on a tally than the clearing plan in force has left there. */
export class OverPlanError extends ChipsError {
  constructor (readonly units: number) { super('LIFT_OVER_PLAN', `the clearing plan has fewer than ${units} units left on this leg`) }
}
