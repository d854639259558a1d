// Promises (docs/lifts.md §5): the receiver of leg k signs, with the session key the record names for that
// leg, either 'promise' ("I verified the certified conditional chit of leg k") or 'refuse'.
import type { SignatureProvider } from '../crypto/provider'
import { signEnvelope, verifyEnvelope, WrongSignerError } from '../codec/envelope'
import { RecordMismatchError } from './errors'
import { recordHash } from './record'
import { LiftPromiseBodySchema, LiftPromiseSchema, parseLiftWire } from './schema'
import { LIFT_PROMISE_TYPE, type LiftPromise, type LiftPromiseBody, type LiftRecordBody } from './types'

export async function signLiftPromise (p: SignatureProvider, secret: Uint8Array, body: LiftPromiseBody): Promise<LiftPromise> {
  return signEnvelope(p, secret, LIFT_PROMISE_TYPE, parseLiftWire(LiftPromiseBodySchema, body, 'lift promise'))
}

/**
 * Checks an untrusted promise (or refusal) against a verified record: it names this lift and this record's
 * hash, a leg of it, and is signed by that leg's key. Returns the body. Throws MalformedError,
 * RecordMismatchError, WrongSignerError or InvalidSignatureError.
 */
export async function verifyLiftPromise (p: SignatureProvider, raw: unknown, record: LiftRecordBody, hash = recordHash(record)): Promise<LiftPromiseBody> {
  const env = parseLiftWire(LiftPromiseSchema, raw, 'lift promise')
  const body = env.body
  if (body.lift !== record.id) throw new RecordMismatchError(`a promise for lift ${body.lift} is not one for lift ${record.id}`)
  if (body.record !== hash) throw new RecordMismatchError(`a promise for lift ${record.id} names another record`)
  const leg = record.legs[body.leg]
  if (leg === undefined) throw new RecordMismatchError(`lift ${record.id} has no leg ${body.leg}`)
  if (env.signer !== leg.key) throw new WrongSignerError(leg.key, env.signer)
  await verifyEnvelope(p, env, { type: LIFT_PROMISE_TYPE, signer: leg.key })
  return body
}

/** The legs that a valid 'promise' among `promises` covers; invalid or foreign ones are ignored. */
export async function promisedLegs (p: SignatureProvider, record: LiftRecordBody, promises: readonly unknown[]): Promise<Set<number>> {
  const hash = recordHash(record)
  const bodies = await Promise.all(promises.map(async raw => {
    try {
      return await verifyLiftPromise(p, raw, record, hash)
    } catch {
      return undefined
    }
  }))
  const legs = new Set<number>()
  for (const b of bodies) if (b?.verdict === 'promise') legs.add(b.leg)
  return legs
}

/** A valid 'promise' from every leg's key is present. */
export async function promisesComplete (p: SignatureProvider, record: LiftRecordBody, promises: readonly unknown[]): Promise<boolean> {
  return (await promisedLegs(p, record, promises)).size === record.legs.length
}
