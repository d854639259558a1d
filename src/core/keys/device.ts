// A device certificate binds one node (its libp2p peer id) to a user: the user's root key signs
// { userId, peerId, name, issuedAt }. Device keys are random per install, never derived from the phrase.
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { signEnvelope, verifyEnvelope, WrongSignerError, type Signed } from '../codec/envelope'
import { MalformedError } from '../errors'
import { UserIdSchema, userIdFromPublicKey } from './user'

export const DEVICE_CERT_TYPE = 'device-cert'

export interface DeviceCertBody {
  userId: string
  peerId: string
  /** The device's name for people, e.g. 'Alice's phone'. */
  name: string
  /** ms since epoch, from the caller's clock. */
  issuedAt: number
}

export type DeviceCertificate = Signed<DeviceCertBody>

export const DeviceCertBodySchema = v.strictObject({
  userId: UserIdSchema,
  peerId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  name: v.pipe(v.string(), v.maxLength(100)),
  issuedAt: v.pipe(v.number(), v.safeInteger(), v.minValue(0))
})

export async function certifyDevice (p: SignatureProvider, userSecret: Uint8Array, body: DeviceCertBody): Promise<DeviceCertificate> {
  const checked = v.safeParse(DeviceCertBodySchema, body)
  if (!checked.success) throw new MalformedError(`device certificate: ${v.summarize(checked.issues)}`)
  const signer = userIdFromPublicKey(await p.publicKey(userSecret))
  if (signer !== body.userId) throw new WrongSignerError(body.userId, signer)
  return signEnvelope(p, userSecret, DEVICE_CERT_TYPE, checked.output)
}

/** Verifies an untrusted certificate: shape, type, signed by the user it names. Returns its body. */
export async function verifyDeviceCertificate (p: SignatureProvider, cert: unknown): Promise<DeviceCertBody> {
  const env = await verifyEnvelope<unknown>(p, cert, { type: DEVICE_CERT_TYPE })
  const body = v.safeParse(DeviceCertBodySchema, env.body)
  if (!body.success) throw new MalformedError(`device certificate: ${v.summarize(body.issues)}`)
  if (body.output.userId !== env.signer) throw new WrongSignerError(body.output.userId, env.signer)
  return body.output
}
