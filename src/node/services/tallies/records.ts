// What the tally service keeps in the 'tallies' table (the diary keeps its own tables):
//   `t/<tally id>`    TallyRecord: the negotiation (document, signatures, state) and who the partner is
//   `inv/<token>`     InvitationEntry: an invitation this wallet made, and its link
//   `out/<tally id>`  OutboxEntry: the negotiation message still to deliver to the partner (at most one per
//                     tally: each message supersedes the previous one)
import type { Negotiation } from '../../../core/tally/negotiation'
import type { InvitationRecord } from '../../../core/tally/invitation'
import type { NegotiateRequest } from '../../protocols/negotiate'

export const TALLY_PREFIX = 't/'
export const INVITATION_PREFIX = 'inv/'
export const OUTBOX_PREFIX = 'out/'

export interface PartnerRef {
  userId: string
  name: string
  /** The partner node this wallet talks to (from the invitation's card or the partner's device certificate). */
  peerId?: string
  addrs: string[]
}

export interface TallyRecord {
  id: string
  role: 'inviter' | 'invitee'
  negotiation: Negotiation
  partner?: PartnerRef
  /** The invitation this tally came from (token on the inviter's side). */
  invitation?: { token?: string, memo?: string, expires: number, reuse: boolean }
  /** A reusable invitation's template: never negotiated itself, cloned per redeemer. */
  template?: boolean
  /** The diary was opened for this (open) tally. */
  diary?: boolean
  /** Who withdrew the last offer back to draft (scenario 11), while the tally is a draft again. */
  revisedBy?: 'me' | 'partner'
  /**
   * The partner's nodes refused this device as not a member of the tally (NOT_A_TALLY_MEMBER): the user
   * restored the wallet on another device, which took this one's seat. Final: nothing is sent from here again.
   */
  replaced?: { at: number }
  /** The last refusal the partner (or the rules) gave us, shown in the UI. */
  error?: { code: string, message: string }
  createdAt: number
  updatedAt: number
}

export interface InvitationEntry {
  record: InvitationRecord
  link: string
  /** For a one-time token: who redeemed it (a retry by the same user gets the same offer again). */
  usedBy?: string
  memo?: string
  createdAt: number
}

export interface OutboxEntry {
  tally: string
  message: NegotiateRequest
  attempts: number
  queuedAt: number
}

export const tallyKey = (id: string): string => `${TALLY_PREFIX}${id}`
export const invitationKey = (token: string): string => `${INVITATION_PREFIX}${token}`
export const outboxKey = (id: string): string => `${OUTBOX_PREFIX}${id}`
