// Named refusals of the chit rules.
import { ChipsError } from '../errors'

/** The payment (or lift chit) would take the payer past the credit limit its partner grants. */
export class OverLimitError extends ChipsError {
  constructor (readonly units: number, readonly available: number) {
    super('OVER_LIMIT', `${units} units exceed the ${available} units of credit available`)
  }
}

/** A lift chit would take the receiver past max(target, bound) of its trading variables. */
export class OverBoundError extends ChipsError {
  constructor (readonly units: number, readonly room: number) {
    super('OVER_BOUND', `${units} units exceed the ${room} units the receiver's trading variables allow lifts to accrue`)
  }
}

/** A chit with this id already exists on the tally (a retry of something already recorded, or a clash). */
export class DuplicateChitError extends ChipsError {
  constructor (readonly chit: string) { super('DUPLICATE_CHIT', `chit ${chit} already exists on this tally`) }
}

/** The invoice named is not pending on this tally, or was not issued by the partner. */
export class UnknownInvoiceError extends ChipsError {
  constructor (readonly invoice: string) { super('UNKNOWN_INVOICE', `no pending invoice ${invoice} from the partner`) }
}

/** A payment of an invoice must be for exactly the invoiced units. */
export class InvoiceMismatchError extends ChipsError {
  constructor (readonly invoiced: number, readonly paid: number) {
    super('INVOICE_MISMATCH', `the invoice asks for ${invoiced} units, the payment gives ${paid}`)
  }
}

/** While closing, only chits that bring the balance toward zero (without crossing it) are allowed. */
export class ClosingError extends ChipsError {
  constructor () { super('TALLY_CLOSING', 'the tally is closing: only chits that bring the balance toward zero are allowed') }
}

export class LiftNotPendingError extends ChipsError {
  constructor (readonly lift: string) { super('LIFT_NOT_PENDING', `no pending lift chit for lift ${lift}`) }
}

/** A lift decision needs signatures of a strict majority of the referees named in the lift chit, all with one outcome. */
export class NoRefereeMajorityError extends ChipsError {
  constructor (message: string) { super('NO_REFEREE_MAJORITY', message) }
}

/** Referee decisions for one lift disagree: a majority could not be established without a fraud proof. */
export class ConflictingDecisionError extends ChipsError {
  constructor (readonly lift: string) { super('CONFLICTING_DECISIONS', `conflicting referee decisions for lift ${lift}`) }
}
