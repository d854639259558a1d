// Chit views: the certified history of a tally read from its diary, from this wallet's side, plus the
// actions still waiting in the diary's outbox. Memos are sealed with the tally key; the sealed payload also
// carries the issuer's time.
import * as v from 'valibot'
import { openJson, type Sealed } from '../../../core/crypto/seal'
import type { PartyAction, TallyAction } from '../../../core/chit/types'
import type { Side } from '../../../core/tally/types'
import type { TallyState } from '../../../core/tally/state'
import { getChit } from '../../../core/tally/chit-index'
import type { ChitView } from '../../api'
import type { QueuedAction } from '../diary/service'

export const MEMO_FIELD = 'chit-memo'
const MemoSchema = v.object({ m: v.optional(v.string()), at: v.optional(v.number()) })

export function readMemo (key: Uint8Array | undefined, tally: string, sealed: Sealed | undefined): { memo?: string, time?: number } {
  if (key === undefined || sealed === undefined) return {}
  try {
    const r = v.safeParse(MemoSchema, openJson(key, sealed, tally, MEMO_FIELD))
    if (!r.success) return {}
    return { ...(r.output.m !== undefined && r.output.m !== '' ? { memo: r.output.m } : {}), ...(r.output.at !== undefined ? { time: r.output.at } : {}) }
  } catch {
    return { memo: '(memo could not be opened)' }
  }
}

/** The chit an action describes, from `mine`'s side; undefined for actions that are not chits (membership, decisions). */
export function chitOf (action: TallyAction, mine: Side, key: Uint8Array | undefined): Omit<ChitView, 'status'> | undefined {
  if (action.kind !== 'party') return undefined
  const body = (action.action as PartyAction).body
  const by = body.side === mine ? 'me' : 'partner'
  const sign = (giver: Side): number => giver === mine ? -1 : 1
  const op = body.op
  const base = { tally: body.tally, by } as const
  switch (op.op) {
    case 'pay': return { ...base, id: op.chit, kind: 'payment', units: sign(body.side) * op.units, ...(op.invoice !== undefined ? { invoice: op.invoice } : {}), ...readMemo(key, body.tally, op.memo) }
    case 'invoice': return { ...base, id: op.chit, kind: 'invoice', units: -sign(body.side) * op.units, ...readMemo(key, body.tally, op.memo) }
    case 'decline': return { ...base, id: `${op.invoice}.decline`, kind: 'decline', units: 0, invoice: op.invoice, ...readMemo(key, body.tally, op.reason) }
    case 'set': return { ...base, id: op.chit, kind: op.close === true ? 'close' : 'settings', units: 0 }
    case 'lift': return { ...base, id: op.chit, kind: 'lift', units: sign(body.side) * op.units }
    default: return undefined
  }
}

/** Final status of a certified chit from the state after all certified entries. */
export function certifiedStatus (chit: Omit<ChitView, 'status'>, state: TallyState | undefined, refused?: string): ChitView['status'] {
  if (refused !== undefined) return 'refused'
  if (chit.kind !== 'invoice') return 'final'
  if (state?.pending[chit.id] !== undefined) return 'invoice-open'
  return invoiceClosed(state, chit.id)
}

function invoiceClosed (state: TallyState | undefined, id: string): ChitView['status'] {
  if (state === undefined) return 'invoice-open'
  // The chit index records a declined invoice as void and a paid one as good (a direct lookup: no walk).
  const rec = getChit(state.chits, id)
  if (rec === undefined) return 'invoice-open'
  return rec.status === 'void' ? 'invoice-declined' : 'invoice-paid'
}

export function queuedChits (queued: ReadonlyArray<QueuedAction<TallyAction>>, mine: Side, key: Uint8Array | undefined): ChitView[] {
  const out: ChitView[] = []
  for (const q of queued) {
    const c = chitOf(q.action, mine, key)
    if (c !== undefined) out.push({ ...c, status: 'pending', ...(c.time === undefined ? { time: q.queuedAt } : {}) })
  }
  return out
}
