// A member's signed promise for a recovery round: at `seq` it will answer no round below `round`, and its
// latest vote there was `vote` (the entry hash and the round it approved it in; absent if it approved
// nothing). The recovery proposer needs promises from a strict majority of each party to choose its entry, and
// sends them with its phase-2 request so that every member re-checks the choice (chooseEntry).
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { signEnvelope, verifyEnvelope, type Signed } from '../codec/envelope'
import { MalformedError } from '../errors'
import type { Round } from './round'
import { PromiseBodySchema } from './schema'

export const PROMISE_TYPE = 'diary.promise'

export interface Vote {
  /** The entry hash approved. */
  entry: string
  /** The round it was approved in; absent = round 0. */
  round?: Round
}

export interface RoundPromiseBody {
  tally: string
  seq: number
  round: Round
  vote?: Vote
}

export type RoundPromise = Signed<RoundPromiseBody>

export function signPromise (p: SignatureProvider, secret: Uint8Array, body: RoundPromiseBody): Promise<RoundPromise> {
  return signEnvelope(p, secret, PROMISE_TYPE, body)
}

/** Shape and signature of an untrusted promise. Throws a named error. */
export async function verifyPromise (p: SignatureProvider, promise: unknown): Promise<RoundPromise> {
  const env = await verifyEnvelope<unknown>(p, promise, { type: PROMISE_TYPE })
  const r = v.safeParse(PromiseBodySchema, env.body)
  if (!r.success) throw new MalformedError(`malformed diary promise: ${v.summarize(r.issues)}`)
  return { ...env, body: r.output }
}
