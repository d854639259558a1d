// Lading: what one tally edge "giver → receiver" can carry in a lift (docs/lifts.md §2, research §2.2).
// Pending lift chits count against the holder only and unpaid invoices never count, because the
// inputs are the tally state's good balance, pendingGiven and availableCredit (core/tally/state.ts).
import { availableCredit, balanceOf, liftRoom, pendingGiven, type TallyState } from '../tally/state'
import { otherSide, type Side } from '../tally/types'
import type { Lading } from './types'

export function edgeLading (s: TallyState, giver: Side): Lading {
  const receiver = otherSide(giver)
  const credit = s.status === 'closed' ? 0 : availableCredit(s, giver)
  const wanted = Math.max(0, s[receiver].vars.target - (balanceOf(s, receiver) + pendingGiven(s, giver)))
  // While closing, a lift may only bring the giver's worst-case debt toward zero (chit/rules checkClosing).
  const closing = s.status === 'closing' ? Math.max(0, balanceOf(s, giver) - pendingGiven(s, giver)) : Number.POSITIVE_INFINITY
  const cap = Math.min(credit, closing)
  return {
    free: Math.min(cap, wanted),
    max: Math.min(cap, liftRoom(s, receiver)),
    clutch: s[giver].vars.clutch,
    reward: s[receiver].vars.reward
  }
}
