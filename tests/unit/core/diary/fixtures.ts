// Shared fixtures for the diary tests: deterministic node keys, a toy replicated machine (a counter with a
// limit, membership changes and re-seats) and helpers that build signed entries and certificates.
import { webCryptoProvider } from '../../../../src/core/crypto/webcrypto'
import { verifyOnceCache } from '../../../../src/core/crypto/cache'
import { sha256 } from '../../../../src/core/codec/hash'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { MalformedError } from '../../../../src/core/errors'
import type { SignatureProvider } from '../../../../src/core/crypto/provider'
import {
  applyActions, makeCertificate, signAnswer, signEntry, entryHash, stateDigest,
  type Answer, type AnswerBody, type Certificate, type DiaryContext, type Entry, type EntryBody, type Genesis, type Head,
  type Member, type MemberSet, type Party, type ReplicatedMachine, type Round
} from '../../../../src/core/diary'

export const rawProvider: SignatureProvider = webCryptoProvider(globalThis.crypto.subtle)
export const provider: SignatureProvider = verifyOnceCache(rawProvider)

export interface TestNode { name: string, secret: Uint8Array, key: string }

const nodeCache = new Map<string, Promise<TestNode>>()
export function node (name: string): Promise<TestNode> {
  let p = nodeCache.get(name)
  if (p === undefined) {
    p = (async () => {
      const secret = sha256(new TextEncoder().encode(`diary-test-node:${name}`))
      return { name, secret, key: toBase64url(await rawProvider.publicKey(secret)) }
    })()
    nodeCache.set(name, p)
  }
  return p
}

// ---- the toy machine: a counter the stock is owed, within ±limit -------------------------------------

export type ToyAction =
  | { type: 'add', id: string, n: number }
  | { type: 'members', id: string, set: MemberSet }
  /** Re-seat `party` with new members; `token` stands for that party's next chain key. */
  | { type: 'reseat', id: string, party: Party, members: Member[], token: string }
  | { type: 'explode', id: string }

export interface ToyState {
  count: number
  limit: number
  members: MemberSet
  seen: string[]
  /** The next chain key of each party (stand-in). */
  next: Record<Party, string>
}

export const toyMachine: ReplicatedMachine<ToyState, ToyAction> = {
  async apply (s, a) {
    if (typeof a !== 'object' || a === null || typeof (a as { id?: unknown }).id !== 'string') throw new MalformedError('toy action without id')
    if (a.type === 'explode') throw new MalformedError('explode')
    if (s.seen.includes(a.id)) return { state: s, refusal: { code: 'DUPLICATE', message: `action ${a.id} seen before` } }
    const seen = [...s.seen, a.id]
    switch (a.type) {
      case 'add': {
        const count = s.count + a.n
        if (Math.abs(count) > s.limit) return { state: { ...s, seen }, refusal: { code: 'OVER_LIMIT', message: `${count} passes ±${s.limit}` } }
        return { state: { ...s, count, seen } }
      }
      case 'members': return { state: { ...s, members: a.set, seen } }
      case 'reseat': {
        if (a.token !== s.next[a.party]) return { state: { ...s, seen }, refusal: { code: 'BAD_CHAIN_KEY', message: 'not the next chain key' } }
        return { state: { ...s, seen, members: { ...s.members, [a.party]: a.members }, next: { ...s.next, [a.party]: `${a.token}+` } } }
      }
      default: throw new MalformedError('unknown toy action')
    }
  },
  members: s => s.members,
  quorum (_s, actions) {
    const reseats = actions.filter(a => a.type === 'reseat')
    if (actions.length > 0 && reseats.length === actions.length) {
      const parties = new Set(reseats.map(a => (a as { party: Party }).party))
      if (parties.size === 1) return [parties.has('stock') ? 'foil' : 'stock']
    }
    return ['stock', 'foil']
  }
}

export interface Toy {
  ctx: DiaryContext<ToyState, ToyAction>
  genesis: Genesis<ToyState>
  stock: TestNode[]
  foil: TestNode[]
  all: TestNode[]
}

export async function makeToy (opts: { stock?: number, foil?: number, limit?: number, tally?: string, weights?: Partial<Record<string, number>> } = {}): Promise<Toy> {
  const tally = opts.tally ?? 'tally-1'
  const stock = await Promise.all(Array.from({ length: opts.stock ?? 2 }, (_, i) => node(`${tally}-s${i}`)))
  const foil = await Promise.all(Array.from({ length: opts.foil ?? 2 }, (_, i) => node(`${tally}-f${i}`)))
  const w = (n: TestNode): number => opts.weights?.[n.name] ?? 1
  const members: MemberSet = { stock: stock.map(n => ({ key: n.key, weight: w(n) })), foil: foil.map(n => ({ key: n.key, weight: w(n) })) }
  const state: ToyState = { count: 0, limit: opts.limit ?? 1_000, members, seen: [], next: { stock: 'stock-key-1', foil: 'foil-key-1' } }
  const genesis: Genesis<ToyState> = { tally, hash: toBase64url(sha256(new TextEncoder().encode(`genesis:${tally}`))), state }
  return { ctx: { provider, machine: toyMachine, tally }, genesis, stock, foil, all: [...stock, ...foil] }
}

let ids = 0
export function add (n: number, id = `a${++ids}`): ToyAction {
  return { type: 'add', id, n }
}

/** A correctly formed entry on `head` (refusals computed), signed by `author`. */
export async function entryOn (toy: Toy, head: Head<ToyState>, author: TestNode, actions: ToyAction[], extra: Partial<EntryBody<ToyAction>> = {}): Promise<Entry<ToyAction>> {
  const { refused } = await applyActions(toyMachine, head.state, actions)
  const body: EntryBody<ToyAction> = { tally: toy.ctx.tally, seq: head.seq + 1, prev: head.hash, author: author.key, attempt: 0, actions, refused, ...extra }
  return await signEntry(provider, author.secret, body)
}

/** A signed answer; `round`: a recovery round (absent = round 0). */
export async function answer (n: TestNode, entry: Entry<ToyAction>, verdict: 'approve' | 'conflict' | 'reject' | 'stale' = 'approve', round?: Round): Promise<Answer> {
  const common = { tally: entry.body.tally, seq: entry.body.seq, entry: entryHash(entry), ...(round !== undefined ? { round } : {}) }
  const body: AnswerBody =
    verdict === 'approve' ? { ...common, verdict }
      : verdict === 'conflict' ? { ...common, verdict, reserved: common.entry.split('').reverse().join('') }
        : verdict === 'reject' ? { ...common, verdict, reason: { code: 'TEST', message: 'test' } }
          : { ...common, verdict, head: { seq: entry.body.seq, hash: common.entry.split('').reverse().join('') } }
  return await signAnswer(provider, n.secret, body)
}

/** A certificate from these approvers, in round 0 (fast quorum needed) or in a recovery round (a strict majority). */
export async function certify (toy: Toy, entry: Entry<ToyAction>, approvers: TestNode[], round?: Round): Promise<Certificate<ToyAction>> {
  return makeCertificate(entry, await Promise.all(approvers.map(n => answer(n, entry, 'approve', round))))
}

/** Appends a certified entry (approved by everyone) and returns the certificate and the new head. */
export async function extend (toy: Toy, head: Head<ToyState>, actions: ToyAction[], author = toy.foil[0]!, approvers = toy.all, extra: Partial<EntryBody<ToyAction>> = {}): Promise<{ cert: Certificate<ToyAction>, head: Head<ToyState> }> {
  const entry = await entryOn(toy, head, author, actions, extra)
  const cert = await certify(toy, entry, approvers)
  const { state } = await applyActions(toyMachine, head.state, actions)
  return { cert, head: { seq: entry.body.seq, hash: entryHash(entry), state } }
}

export async function digestOf (s: ToyState): Promise<string> {
  return await stateDigest(toyMachine, s)
}

/** A deep copy through JSON (what crossing the network does). */
export function wire<T> (v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}
