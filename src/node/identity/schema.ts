// The identity record as kept in the 'identity' table. Stored data is checked like any external input:
// a damaged record is a MalformedError, not a crash later.
import * as v from 'valibot'

export const IDENTITY_KEY = 'self'
export const RECOVERY_KEY = 'recovery'

/** A display name: what people see in "connected to <name>". */
export const NameSchema = v.pipe(v.string(), v.trim(), v.minLength(1, 'a name is needed'), v.maxLength(100, 'a name has at most 100 characters'))

export const IdentityRecordSchema = v.object({
  userId: v.pipe(v.string(), v.length(43)),
  name: v.string(),
  userSecret: v.pipe(v.instance(Uint8Array), v.length(32)),
  peerKey: v.instance(Uint8Array),
  peerId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  deviceCert: v.unknown(),
  createdAt: v.pipe(v.number(), v.safeInteger())
})

export const RecoveryRecordSchema = v.object({ phrase: v.string() })
