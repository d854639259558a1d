// Arguments of the lift RPC calls (docs/lifts.md §7), validated before the lift service sees them.
// Amounts are integer units (1 CHIP = 1000 units); the UI converts what people type before calling.
import * as v from 'valibot'
import { MAX_UNITS } from '../../core/tally/schema'
import type { PayAnyoneRequest } from '../../node/api'

/** A user id: an Ed25519 public key, 43 base64url characters (the node checks it is a valid key). */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/

const Text = (max: number, what: string) => v.pipe(v.string(`${what} must be text`), v.maxLength(max, `${what} is too long`))
const Positive = (what: string) => v.pipe(
  v.number(`${what} must be a number of units`), v.safeInteger(`${what} must be whole units (1 CHIP = 1000 units)`),
  v.minValue(1, `${what} must be at least 1 unit`), v.maxValue(MAX_UNITS, `${what} is too large`)
)

export const UserIdArg = v.pipe(Text(43, 'the payee\'s user id'), v.regex(USER_ID_PATTERN, 'the payee\'s user id is not valid (43 characters of a contact\'s user id)'))
export const LiftIdArg = v.pipe(Text(64, 'the lift id'), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'the lift id is not valid'))
/** What a person pastes or scans to name a payee: a contact link, a contact card, or a user id. */
export const PayeeTextArg = v.pipe(Text(16_384, 'the payee'), v.check(s => s.trim() !== '', 'enter the payee\'s contact link or user id'))
export const AutoClearArg = v.boolean('auto-clearing is on (true) or off (false)')

export const QuoteRequestArg = v.object({ to: UserIdArg, units: Positive('the amount') })

export const PayAnyoneArg = v.object({
  to: UserIdArg,
  units: Positive('the amount'),
  maxFee: v.optional(v.pipe(v.number('the fee limit must be a number of units'), v.safeInteger('the fee limit must be whole units'), v.minValue(0, 'the fee limit cannot be negative'), v.maxValue(MAX_UNITS, 'the fee limit is too large')))
}) satisfies v.GenericSchema<unknown, PayAnyoneRequest>
