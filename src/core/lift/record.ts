// The lift record (docs/lifts.md §5): what the originator proposes, signed by its session key. Everyone on
// the route and every referee checks it with verifyLiftRecord before acting on it; promises and decisions
// name it by recordHash.
import type { SignatureProvider } from '../crypto/provider'
import { hashOf } from '../codec/hash'
import { signEnvelope, verifyEnvelope, WrongSignerError } from '../codec/envelope'
import { toBase64url } from '../codec/base64url'
import { EvenRefereesError, InvalidLiftRecordError, LiftExpiredError, LiftTooLongError } from './errors'
import { LiftRecordBodySchema, LiftRecordSchema, parseLiftWire } from './schema'
import { LIFT_RECORD_TYPE, type LiftRecord, type LiftRecordBody } from './types'

/** hashOf(the record body): what promises and referee entries name. */
export function recordHash (body: LiftRecordBody): string {
  return hashOf(body)
}

/**
 * The rules relating a (schema-valid) record's fields. Legs are the distinct nodes N_1..N_n by their
 * session keys over distinct links; a circular lift ends at its originator (the last receiver is the
 * origin key) and carries the same units on every leg; a linear one never names the origin as a receiver.
 */
export function checkLiftRecord (body: LiftRecordBody): void {
  if (body.referees.length % 2 === 0) throw new EvenRefereesError(body.referees.length)
  if (body.expires <= body.created) throw new InvalidLiftRecordError(`lift ${body.id} expires (${body.expires}) before it is created (${body.created})`)
  const keys = body.legs.map(l => l.key)
  if (new Set(keys).size !== keys.length) throw new InvalidLiftRecordError(`lift ${body.id} names one node twice`)
  if (new Set(body.legs.map(l => l.link)).size !== keys.length) throw new InvalidLiftRecordError(`lift ${body.id} crosses one tally twice`)
  const last = body.legs.length - 1
  if (body.kind === 'circular') {
    if (body.legs.length < 2) throw new InvalidLiftRecordError('a circular lift has at least two legs')
    if (keys[last] !== body.origin) throw new InvalidLiftRecordError('a circular lift ends at its originator')
    const units = body.legs[0]!.units
    if (body.legs.some(l => l.units !== units)) throw new InvalidLiftRecordError('a circular lift carries the same units on every leg')
  } else if (keys.includes(body.origin)) {
    throw new InvalidLiftRecordError('a linear lift never comes back to its originator')
  }
}

/** Signs a record with the originator's session secret (whose public key must be body.origin). */
export async function signLiftRecord (p: SignatureProvider, originSecret: Uint8Array, body: LiftRecordBody): Promise<LiftRecord> {
  const parsed = parseLiftWire(LiftRecordBodySchema, body, 'lift record')
  checkLiftRecord(parsed)
  const key = toBase64url(await p.publicKey(originSecret))
  if (key !== parsed.origin) throw new WrongSignerError(parsed.origin, key)
  return signEnvelope(p, originSecret, LIFT_RECORD_TYPE, parsed)
}

export interface VerifyRecordOptions {
  /** When given, a record at or after its expiry is refused (LiftExpiredError). */
  now?: number
  /** With `now`: a record expiring more than this after `now` is refused (LiftTooLongError): it would hold capacity too long. */
  maxLifeMs?: number
}

/**
 * Checks an untrusted record: shape, signer = origin, signature, structural rules, and expiry when `now` is
 * given. Returns the body. Throws MalformedError, WrongSignerError, InvalidSignatureError,
 * EvenRefereesError, InvalidLiftRecordError, LiftExpiredError or LiftTooLongError.
 */
export async function verifyLiftRecord (p: SignatureProvider, raw: unknown, opts: VerifyRecordOptions = {}): Promise<LiftRecordBody> {
  const rec = parseLiftWire(LiftRecordSchema, raw, 'lift record')
  if (rec.signer !== rec.body.origin) throw new WrongSignerError(rec.body.origin, rec.signer)
  checkLiftRecord(rec.body)
  await verifyEnvelope(p, rec, { type: LIFT_RECORD_TYPE, signer: rec.body.origin })
  if (opts.now !== undefined) {
    if (opts.now >= rec.body.expires) throw new LiftExpiredError(rec.body.id, rec.body.expires)
    const life = rec.body.expires - opts.now
    if (opts.maxLifeMs !== undefined && life > opts.maxLifeMs) throw new LiftTooLongError(rec.body.id, life, opts.maxLifeMs)
  }
  return rec.body
}
