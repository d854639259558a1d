import { ChipsError } from '../../core/errors'

/** This store holds a wallet already; creating or restoring over it would lose it. */
export class IdentityExistsError extends ChipsError {
  constructor (readonly userId: string) {
    super('IDENTITY_EXISTS', 'this browser already holds a wallet; delete it (after a backup) before creating or restoring another')
  }
}

/** No wallet in this store yet. */
export class NoIdentityError extends ChipsError {
  constructor () { super('NO_IDENTITY', 'no wallet has been created or restored here yet') }
}
