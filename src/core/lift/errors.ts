// Named refusals of the lift core (docs/lifts.md). Codes are stable: the node services and the UI match on
// them. The node's lift services may raise these directly (src/node/services/lifts/errors.ts holds the
// service-only ones).
import { ChipsError } from '../errors'

/** No route carries the units asked (research scenario 29: "no plan → void"). */
export class NoRouteError extends ChipsError {
  constructor (message = 'no route with enough free lading was found') { super('NO_ROUTE', message) }
}

/** The cheapest route costs more than the payer allows. */
export class FeeTooHighError extends ChipsError {
  constructor (readonly fee: number, readonly maxFee: number) {
    super('FEE_TOO_HIGH', `the route costs ${fee} units of fees, more than the ${maxFee} allowed`)
  }
}

/** The lift's expiry has passed (or is too close to act on). */
export class LiftExpiredError extends ChipsError {
  constructor (readonly lift: string, readonly expires?: number) { super('LIFT_EXPIRED', `lift ${lift} has expired`) }
}

/** This node does not take part in lifts with these referees. */
export class RefereesRefusedError extends ChipsError {
  constructor (message = 'this node does not accept the referees of this lift') { super('REFEREES_REFUSED', message) }
}

/** A referee was asked about a lift whose record does not name it. */
export class RefereeNotNamedError extends ChipsError {
  constructor (readonly lift: string, readonly referee: string) {
    super('REFEREE_NOT_NAMED', `referee ${referee} is not named by lift ${lift}`)
  }
}

/** A promise, decision or request names another record than the one it is checked against. */
export class RecordMismatchError extends ChipsError {
  constructor (message: string) { super('RECORD_MISMATCH', message) }
}

/** A lift record names an even number of referees: no strict majority is guaranteed to exist. */
export class EvenRefereesError extends ChipsError {
  constructor (readonly count: number) { super('EVEN_REFEREES', `a lift names an odd number of referees, not ${count}`) }
}

/** A lift record breaks a structural rule (leg count, keys, times, circular units). */
export class InvalidLiftRecordError extends ChipsError {
  constructor (message: string) { super('INVALID_LIFT_RECORD', message) }
}

/** A `refuse` request to a referee does not carry a valid refusal by one of the lift's leg keys. */
export class InvalidRefusalError extends ChipsError {
  constructor (message: string) { super('INVALID_REFUSAL', message) }
}

/** A lift would hold its participants' capacity longer than they accept. */
export class LiftTooLongError extends ChipsError {
  constructor (readonly lift: string, readonly lifeMs: number, readonly maxLifeMs: number) {
    super('LIFT_TOO_LONG', `lift ${lift} runs ${lifeMs} ms more, longer than the ${maxLifeMs} ms accepted`)
  }
}
