// valibot schemas for tally records arriving from outside. Shape only; the rules live in rules.ts.
import * as v from 'valibot'
import { SealedSchema } from '../crypto/seal'
import { UserIdSchema } from '../keys/user'

export const MAX_UNITS = 1_000_000_000_000_000 // 10^12 CHIPs: keeps every sum far inside safe integers
export const PPM = 1_000_000

export const IdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'ids are 8–64 base64url characters'))
export const KeySchema = UserIdSchema
export const HashSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'a hash is 43 base64url characters'))
export const UnitsSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(MAX_UNITS))
const Int = v.pipe(v.number(), v.safeInteger())

export const MemberSchema = v.strictObject({ key: KeySchema, weight: Int })
export const MemberListSchema = v.pipe(v.array(MemberSchema), v.maxLength(16))
export const MemberSetSchema = v.strictObject({ stock: MemberListSchema, foil: MemberListSchema })

export const TermsSchema = v.strictObject({ limit: Int, call: Int })
export const TradingVarsSchema = v.strictObject({ target: Int, bound: Int, reward: Int, clutch: Int })

export const PartyCertSchema = v.strictObject({
  userId: UserIdSchema,
  name: v.pipe(v.string(), v.maxLength(100)),
  details: v.optional(SealedSchema)
})

export const PartyInfoSchema = v.strictObject({
  cert: PartyCertSchema,
  chain: KeySchema,
  seal: KeySchema,
  members: MemberListSchema
})

export const TallySideSchema = v.strictObject({
  terms: TermsSchema,
  vars: TradingVarsSchema,
  party: v.optional(PartyInfoSchema)
})

export const TallyDocSchema = v.strictObject({
  id: IdSchema,
  revision: v.pipe(Int, v.minValue(1)),
  date: v.pipe(Int, v.minValue(0)),
  contract: HashSchema,
  memo: v.optional(SealedSchema),
  stock: TallySideSchema,
  foil: TallySideSchema
})

const SigSchema = v.pipe(v.string(), v.length(86))
export const SignedTallySchema = v.strictObject({
  doc: TallyDocSchema,
  sigs: v.strictObject({ stock: v.optional(SigSchema), foil: v.optional(SigSchema) })
})
