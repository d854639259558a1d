// A diary entry: one batch of actions at one seq, chained to the previous entry by hash and signed by its
// author node. Its hash is SHA-256 over the canonical encoding of the body (everything but the signature):
// the signature is checked separately, so no variant of a signature can make a "different" entry.
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { hashOf, sha256 } from '../codec/hash'
import { toBase64url } from '../codec/base64url'
import { signEnvelope, verifyEnvelopeBytes, type Signed } from '../codec/envelope'
import { MalformedError } from '../errors'
import { AuthorMismatchError } from './errors'
import { EntryBodySchema } from './schema'

export const ENTRY_TYPE = 'diary.entry'

/** An action the machine refused: it stays in the entry (its chain key counts as used) with its refusal code. */
export interface RefusedAction {
  index: number
  code: string
}

export interface EntryBody<A> {
  /** The tally id (the diary is the tally's). */
  tally: string
  /** 1 for the first entry after the genesis. */
  seq: number
  /** The hash of entry seq − 1, or the genesis hash for seq 1. */
  prev: string
  /** The author node's public key (base64url); also the envelope signer. */
  author: string
  /** Retry counter: a retry is a new entry with a new hash. */
  attempt: number
  actions: A[]
  /** Codes of the actions the machine refused, in index order; members check they match. */
  refused: RefusedAction[]
  /** Present on a checkpoint entry: the digest of the state this entry builds on (after seq − 1). */
  checkpoint?: string
}

export type Entry<A> = Signed<EntryBody<A>>

export function entryHash<A> (entry: Entry<A> | EntryBody<A>): string {
  return hashOf('body' in entry ? entry.body : entry)
}

export function signEntry<A> (p: SignatureProvider, secret: Uint8Array, body: EntryBody<A>): Promise<Entry<A>> {
  return signEnvelope(p, secret, ENTRY_TYPE, body)
}

/** Shape, author binding and signature of an untrusted entry. Throws a named error. */
export async function verifyEntrySignature<A> (p: SignatureProvider, entry: unknown): Promise<Entry<A>> {
  return (await verifyHashedEntry<A>(p, entry)).entry
}

export interface HashedEntry<A> {
  entry: Entry<A>
  /** entryHash(entry), from the bytes the signature was checked over (the body is canonicalized once). */
  hash: string
}

/** verifyEntrySignature, and the entry's hash. */
export async function verifyHashedEntry<A> (p: SignatureProvider, entry: unknown): Promise<HashedEntry<A>> {
  const { envelope: env, bodyBytes } = await verifyEnvelopeBytes<unknown>(p, entry, { type: ENTRY_TYPE })
  const body = parseEntryBody<A>(env.body)
  if (body.author !== env.signer) throw new AuthorMismatchError(body.author, env.signer)
  // The parsed body has the same canonical text as the signed one (strict schema: same fields, same values).
  return { entry: { ...env, body }, hash: bodyBytes !== undefined ? toBase64url(sha256(bodyBytes)) : entryHash(body) }
}

export function parseEntryBody<A> (body: unknown): EntryBody<A> {
  const r = v.safeParse(EntryBodySchema, body)
  if (!r.success) throw new MalformedError(`malformed diary entry: ${v.summarize(r.issues)}`)
  return r.output as EntryBody<A>
}
