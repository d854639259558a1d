// Arguments of the tally RPC calls, validated before the tally service sees them. Amounts are integer
// units (1 CHIP = 1000 units); the UI converts what people type (3 decimals) before calling.
import * as v from 'valibot'
import { MAX_UNITS } from '../../core/tally/schema'
import type { CounterRequest, InviteRequest, TradeVarsRequest } from '../../node/api'

const Text = (max: number, what: string) => v.pipe(v.string(`${what} must be text`), v.maxLength(max, `${what} is too long`))
const Units = (what: string) => v.pipe(v.number(`${what} must be a number of units`), v.safeInteger(`${what} must be whole units (1 CHIP = 1000 units)`), v.minValue(0, `${what} cannot be negative`), v.maxValue(MAX_UNITS, `${what} is too large`))
const Positive = (what: string) => v.pipe(Units(what), v.minValue(1, `${what} must be at least 1 unit`))
const Ppm = (what: string) => v.pipe(v.number(`${what} must be a number`), v.safeInteger(`${what} is in parts per million`), v.minValue(-1_000_000), v.maxValue(1_000_000))

export const TallyIdArg = v.pipe(Text(64, 'the tally id'), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'the tally id is not valid'))
export const ChitIdArg = v.pipe(Text(64, 'the chit id'), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'the chit id is not valid'))
export const InvitationLinkArg = Text(8192, 'the invitation link')
export const MemoArg = v.optional(Text(200, 'the memo'))
export const ReasonArg = v.optional(Text(200, 'the reason'))
export const AmountArg = Positive('the amount')
export const ChitsOptionsArg = v.optional(v.object({ limit: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(100_000))) }))

export const InviteRequestArg = v.object({
  kind: v.picklist(['extend', 'ask'], 'choose whether you extend credit or ask for it'),
  myLimit: Units('the credit you grant'),
  partnerLimit: Units('the credit you ask for'),
  memo: MemoArg,
  reuse: v.optional(v.boolean()),
  lifetimeMs: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(60_000, 'an invitation lives at least a minute'), v.maxValue(90 * 24 * 3600_000, 'an invitation lives at most 90 days')))
}) satisfies v.GenericSchema<unknown, InviteRequest>

export const CounterRequestArg = v.pipe(
  v.object({ myLimit: v.optional(Units('the credit you grant')), partnerLimit: v.optional(Units('the credit you ask for')) }),
  v.check(r => r.myLimit !== undefined || r.partnerLimit !== undefined, 'a counter-offer changes at least one limit')
) satisfies v.GenericSchema<unknown, CounterRequest>

/** After a revise: the same limits again, or other ones. */
export const OfferAgainArg = v.optional(v.object({
  myLimit: v.optional(Units('the credit you grant')), partnerLimit: v.optional(Units('the credit you ask for'))
})) satisfies v.GenericSchema<unknown, CounterRequest | undefined>

export const TradeVarsArg = v.object({
  target: Units('the target'), bound: Units('the bound'), reward: Ppm('the reward'), clutch: Ppm('the clutch')
}) satisfies v.GenericSchema<unknown, TradeVarsRequest>

export const ContractHashArg = v.pipe(Text(43, 'the contract hash'), v.regex(/^[A-Za-z0-9_-]{43}$/, 'the contract hash is not valid'))
