// Invitation tokens (research §1.5): the drafter hands out a token (link or QR) bound to a draft tally.
// One-time tokens are used once; reusable tokens clone the draft (a template) for every redeemer. Both
// expire. Expired or used tokens are refused with a named error, never silently.
import { InvitationExpiredError, InvitationUsedError, UnknownInvitationError } from './errors'

export interface InvitationRecord {
  /** base64url of ≥ 16 random bytes from the caller. */
  token: string
  /** The draft (or template) this token opens. */
  tally: string
  /** ms since epoch. */
  expires: number
  reuse: boolean
  /** Set when a one-time token is redeemed. */
  usedAt?: number
}

export const DEFAULT_INVITATION_LIFETIME_MS = 48 * 3600 * 1000

export function createInvitation (args: { token: string, tally: string, now: number, reuse?: boolean, lifetimeMs?: number }): InvitationRecord {
  if (!/^[A-Za-z0-9_-]{22,64}$/.test(args.token)) throw new RangeError('a token is 22–64 base64url characters (≥ 16 random bytes)')
  return { token: args.token, tally: args.tally, expires: args.now + (args.lifetimeMs ?? DEFAULT_INVITATION_LIFETIME_MS), reuse: args.reuse ?? false }
}

/**
 * Redeems `token` at time `now`. Returns the updated record (one-time tokens become used) and whether the
 * redeemer gets the draft itself or a clone of the template. Throws UnknownInvitationError,
 * InvitationExpiredError or InvitationUsedError.
 */
export function redeemInvitation (record: InvitationRecord | undefined, token: string, now: number): { record: InvitationRecord, clone: boolean } {
  if (record === undefined || record.token !== token) throw new UnknownInvitationError()
  if (now >= record.expires) throw new InvitationExpiredError(record.expires)
  if (record.reuse) return { record, clone: true }
  if (record.usedAt !== undefined) throw new InvitationUsedError()
  return { record: { ...record, usedAt: now }, clone: false }
}
