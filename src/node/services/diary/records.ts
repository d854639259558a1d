// Where the diary service keeps its records in the Store (see service.ts for the key layout). Keys are
// prefixed by the tally id and zero-padded so that list(prefix) returns them in order.
import type { Certificate } from '../../../core/diary/certificate'
import type { Genesis, HeadRef } from '../../../core/diary/head'
import { MalformedError } from '../../../core/errors'
import type { MemberDurable } from '../../../core/diary/member'
import type { ReadTx, WriteTx } from '../../store/store'

const pad = (n: number): string => String(n).padStart(12, '0')

export const keys = {
  genesis: (tally: string): string => `genesis/${tally}`,
  /** Every diary kept here (list this prefix in 'pending': the genesis rows are small). */
  geneses: 'genesis/',
  member: (tally: string): string => `member/${tally}`,
  state: (tally: string): string => `state/${tally}`,
  entry: (tally: string, seq: number): string => `${tally}/${pad(seq)}`,
  entries: (tally: string): string => `${tally}/`,
  outbox: (tally: string, n: number): string => `${tally}/${pad(n)}`,
  outboxes: (tally: string): string => `${tally}/`
}

/** One queued action as stored (the outbox survives reloads until the action is seen certified). */
export interface OutboxRecord<A> {
  tally: string
  n: number
  id: string
  action: A
  queuedAt: number
}

export async function loadGenesis<S> (tx: ReadTx, tally: string): Promise<Genesis<S> | undefined> {
  return await tx.get<Genesis<S>>('pending', keys.genesis(tally))
}

/**
 * The member record is kept in two rows: the head's state (large: it grows with the tally) is rewritten only
 * when a certificate moves the head; reservations, answers and promises rewrite only the small row.
 */
interface MemberRow<A> extends Omit<MemberDurable<unknown, A>, 'head'> { head: HeadRef }
interface StateRow<S> extends HeadRef { state: S }

export async function loadMember<S, A> (tx: ReadTx, tally: string): Promise<MemberDurable<S, A> | undefined> {
  const row = await tx.get<MemberRow<A>>('pending', keys.member(tally))
  const st = await tx.get<StateRow<S>>('pending', keys.state(tally))
  if (row === undefined || st === undefined) return undefined
  if (st.seq !== row.head.seq || st.hash !== row.head.hash) {
    throw new MalformedError(`the stored diary of tally ${tally.slice(0, 16)} is damaged: its state is for seq ${st.seq}, its head is ${row.head.seq}`)
  }
  return { ...row, head: { seq: st.seq, hash: st.hash, state: st.state } } as MemberDurable<S, A>
}

/** Writes the member record; the state row only when the head moved (or `withState`). */
export async function putMember<S, A> (tx: WriteTx, tally: string, durable: MemberDurable<S, A>, withState: boolean): Promise<void> {
  const { head, ...rest } = durable
  const row: MemberRow<A> = { ...rest, head: { seq: head.seq, hash: head.hash } }
  await tx.put('pending', keys.member(tally), row)
  if (withState) await tx.put('pending', keys.state(tally), { seq: head.seq, hash: head.hash, state: head.state } satisfies StateRow<S>)
}

export async function loadOutbox<A> (tx: ReadTx, tally: string): Promise<Array<OutboxRecord<A>>> {
  return (await tx.list<OutboxRecord<A>>('outbox', keys.outboxes(tally))).map(r => r.value)
}

/** Certificates from seq `from` (inclusive), at most `limit`. */
export async function loadCertificates<A> (tx: ReadTx, tally: string, from: number, limit: number): Promise<Array<Certificate<A>>> {
  const out: Array<Certificate<A>> = []
  // Direct gets: seqs are dense from 1 to the head, and a get is cheaper than listing the whole tally.
  for (let seq = Math.max(1, from); out.length < limit; seq++) {
    const c = await tx.get<Certificate<A>>('entries', keys.entry(tally, seq))
    if (c === undefined) break
    out.push(c)
  }
  return out
}

/** The member's new durable record, the certificates it applied, and the outbox rows they settle: one transaction. */
export async function commitMember<S, A> (tx: WriteTx, tally: string, durable: MemberDurable<S, A>, certificates: ReadonlyArray<Certificate<A>>, settled: readonly number[]): Promise<void> {
  for (const c of certificates) await tx.put('entries', keys.entry(tally, c.entry.body.seq), c)
  for (const n of settled) await tx.delete('outbox', keys.outbox(tally, n))
  await putMember(tx, tally, durable, certificates.length > 0)
}
