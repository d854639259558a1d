// Every chit id a tally ever recorded, with its final (or pending) status: a persistent two-level trie of
// plain JSON objects keyed by the first two characters of base64url(sha256(id)). An insert copies two
// ≤64-key nodes and one small leaf instead of the whole index, so applying n chits costs O(n), and the
// state stays canonical JSON (its hash does not depend on insertion order).
import { sha256 } from '../codec/hash'
import { toBase64url } from '../codec/base64url'
import type { Side } from './types'

export type ChitKind = 'tran' | 'invoice' | 'set' | 'lift'
export type ChitStatus = 'pend' | 'good' | 'void'

export interface ChitRecord {
  kind: ChitKind
  /** The side that issued the chit (for tran and lift, the side giving value; for an invoice, the payee). */
  by: Side
  units?: number
  status: ChitStatus
}

export type ChitIndex = Record<string, Record<string, Record<string, ChitRecord>>>

const encoder = new TextEncoder()

function slot (id: string): [string, string] {
  const h = toBase64url(sha256(encoder.encode(id)))
  return [h[0]!, h[1]!]
}

export function getChit (index: ChitIndex, id: string): ChitRecord | undefined {
  const [a, b] = slot(id)
  return index[a]?.[b]?.[id]
}

export function putChit (index: ChitIndex, id: string, rec: ChitRecord): ChitIndex {
  const [a, b] = slot(id)
  const l1 = index[a] ?? {}
  const l2 = l1[b] ?? {}
  return { ...index, [a]: { ...l1, [b]: { ...l2, [id]: rec } } }
}

export function* allChits (index: ChitIndex): Generator<[string, ChitRecord]> {
  for (const l1 of Object.values(index)) for (const l2 of Object.values(l1)) yield * Object.entries(l2)
}
