// Where the diary service keeps its records in the Store (see service.ts for the key layout). Keys are
// prefixed by the tally id and zero-padded so that list(prefix) returns them in order.
import type { Certificate } from '../../../core/diary/certificate'
import type { Genesis } from '../../../core/diary/head'
import type { MemberDurable } from '../../../core/diary/member'
import type { ReadTx, WriteTx } from '../../store/store'

const pad = (n: number): string => String(n).padStart(12, '0')

export const keys = {
  genesis: (tally: string): string => `${tally}/genesis`,
  member: (tally: string): string => `${tally}/member`,
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

export async function loadMember<S, A> (tx: ReadTx, tally: string): Promise<MemberDurable<S, A> | undefined> {
  return await tx.get<MemberDurable<S, A>>('pending', keys.member(tally))
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
  await tx.put('pending', keys.member(tally), durable)
}
