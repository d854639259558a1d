// Lift test fixtures: deterministic session keys, a valid record for a route of n legs, promises for it.
import { webcrypto } from 'node:crypto'
import { webCryptoProvider } from '../../../../src/core/crypto/webcrypto'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { linkNonce } from '../../../../src/core/lift/ids'
import { signLiftRecord } from '../../../../src/core/lift/record'
import { recordHash } from '../../../../src/core/lift/record'
import { signLiftPromise } from '../../../../src/core/lift/promise'
import type { LiftKind, LiftPromise, LiftRecord, LiftRecordBody } from '../../../../src/core/lift/types'

export const p = webCryptoProvider(webcrypto.subtle as SubtleCrypto)
export const NOW = 1_700_000_000_000
export const SESSION = toBase64url(new Uint8Array(32).fill(7))
export const LIFT_ID = 'lift-abcdefgh-0001'

export interface KeyPair { secret: Uint8Array, key: string }

export async function keyPair (seed: number): Promise<KeyPair> {
  const secret = Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7 + 1) & 255)
  return { secret, key: toBase64url(await p.publicKey(secret)) }
}

/** Node k's session key pair (node 0 is the originator). */
export async function nodes (n: number): Promise<KeyPair[]> {
  return Promise.all(Array.from({ length: n }, (_, k) => keyPair(k + 1)))
}

export async function referees (n: number): Promise<KeyPair[]> {
  return Promise.all(Array.from({ length: n }, (_, k) => keyPair(100 + k)))
}

export interface Lift {
  kind: LiftKind
  nodes: KeyPair[]
  refs: KeyPair[]
  body: LiftRecordBody
  record: LiftRecord
}

/**
 * A lift over `legs` legs: linear N_0 → … → N_legs, circular N_0 → … → N_0 (legs ≥ 2). Leg k's receiver is
 * node k + 1 (node 0 again at the end of a circular one).
 */
export async function makeLift (opts: { kind?: LiftKind, legs?: number, units?: number[], referees?: number, expires?: number, id?: string } = {}): Promise<Lift> {
  const kind = opts.kind ?? 'linear'
  const n = opts.legs ?? 3
  const ns = await nodes(kind === 'circular' ? n : n + 1)
  const refs = await referees(opts.referees ?? 1)
  const units = opts.units ?? Array.from({ length: n }, () => 100)
  const body: LiftRecordBody = {
    id: opts.id ?? LIFT_ID,
    session: SESSION,
    kind,
    origin: ns[0]!.key,
    legs: units.map((u, k) => ({ link: linkNonce(`tally-${k}`, SESSION), units: u, key: ns[(k + 1) % ns.length]!.key })),
    referees: refs.map((r, i) => ({ key: r.key, peer: `12D3KooWReferee${i}xxxxxxxxxxxx` })),
    expires: opts.expires ?? NOW + 120_000,
    created: NOW
  }
  return { kind, nodes: ns, refs, body, record: await signLiftRecord(p, ns[0]!.secret, body) }
}

/** The key pair that signs leg k's promise. */
export function legSigner (lift: Lift, leg: number): KeyPair {
  return lift.nodes[(leg + 1) % lift.nodes.length]!
}

export async function promiseOf (lift: Lift, leg: number, verdict: 'promise' | 'refuse' = 'promise', signer = legSigner(lift, leg)): Promise<LiftPromise> {
  return signLiftPromise(p, signer.secret, { lift: lift.body.id, record: recordHash(lift.body), leg, verdict, ...(verdict === 'refuse' ? { reason: 'CHIT_NOT_CERTIFIED' } : {}) })
}

export async function allPromises (lift: Lift): Promise<LiftPromise[]> {
  return Promise.all(lift.body.legs.map((_, k) => promiseOf(lift, k)))
}
