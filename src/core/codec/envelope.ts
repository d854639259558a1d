// The versioned signed envelope: every signed object in the protocol is one of these. The signature covers
// the RFC 8785 bytes of { v, type, body, signer } (the envelope without `sig`), so the type names the
// purpose (domain separation: a device certificate can never be replayed as a chit) and the version lets
// a future encoding coexist with this one.
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { ChipsError, InvalidSignatureError, MalformedError, TooLargeError } from '../errors'
import { assertIntegral, canonicalBytes, canonicalJson, integralCanonicalJson } from './canonical'
import { fromBase64urlOfLength, toBase64url } from './base64url'

export const ENVELOPE_VERSION = 1
/** Default upper bound on the canonical size of an envelope accepted by verifyEnvelope. */
export const MAX_ENVELOPE_BYTES = 64 * 1024

export interface Signed<T> {
  v: 1
  type: string
  body: T
  /** base64url of the signer's 32-byte Ed25519 public key (for a user root key, this is the user id). */
  signer: string
  /** base64url of the 64-byte Ed25519 signature. */
  sig: string
}

/** The envelope names another type than the one expected here. */
export class WrongTypeError extends ChipsError {
  constructor (readonly expected: string, readonly actual: string) {
    super('WRONG_TYPE', `expected a signed '${expected}', got '${actual}'`)
  }
}

/** Signed by a valid key, but not the one this context requires. */
export class WrongSignerError extends ChipsError {
  constructor (readonly expected: string, readonly actual: string) {
    super('WRONG_SIGNER', `expected a signature by ${expected}, got one by ${actual}`)
  }
}

const EnvelopeSchema = v.object({
  v: v.literal(1),
  type: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  body: v.unknown(),
  signer: v.pipe(v.string(), v.length(43)),
  sig: v.pipe(v.string(), v.length(86))
})

const encoder = new TextEncoder()
const BODY_START = '{"body":'.length

/** The signed bytes; the body's canonical text is bytes[BODY_START, bodyEnd). */
interface SigningParts {
  bytes: Uint8Array
  bodyEnd: number
}

/** UTF-8 length of a string (surrogate pairs count 4, as TextEncoder writes them; lone ones 3, as U+FFFD). */
function utf8Length (s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 2; i++ } else n += 2
  }
  return n
}

/**
 * canonicalBytes({ v, type, body, signer }) built around the body's canonical text: the keys sort as
 * body < signer < type < v, so the body's bytes are a slice of the signed bytes and whoever needs the
 * body's hash (a diary entry's) gets it without canonicalizing it again. Undefined for a body the
 * envelope's canonical form would omit or reject (the caller then takes the plain path).
 */
function signingParts (type: string, body: unknown, signer: string): SigningParts | undefined {
  if (body === undefined || typeof body === 'function' || typeof body === 'symbol' || typeof body === 'bigint' ||
      typeof type !== 'string' || typeof signer !== 'string') return undefined
  const text = integralCanonicalJson(body, 'body')
  const tail = `,"signer":${canonicalJson(signer)},"type":${canonicalJson(type)},"v":${ENVELOPE_VERSION}}`
  const bytes = encoder.encode(`{"body":${text}${tail}`)
  return { bytes, bodyEnd: bytes.length - utf8Length(tail) }
}

/** The exact bytes a signer signs for (type, body, signer). Also used for detached signatures (tally documents). */
export function signingBytes (type: string, body: unknown, signer: string): Uint8Array {
  const parts = signingParts(type, body, signer)
  if (parts !== undefined) return parts.bytes
  assertIntegral(body, 'body')
  return canonicalBytes({ v: ENVELOPE_VERSION, type, body, signer })
}

export async function signEnvelope<T> (p: SignatureProvider, secret: Uint8Array, type: string, body: T): Promise<Signed<T>> {
  const signer = toBase64url(await p.publicKey(secret))
  const sig = await p.sign(secret, signingBytes(type, body, signer))
  return { v: ENVELOPE_VERSION, type, body, signer, sig: toBase64url(sig) }
}

/** Checks a detached signature by `signer` over (type, body). Throws InvalidSignatureError / MalformedError. */
export async function verifyDetached (p: SignatureProvider, type: string, body: unknown, signer: string, sig: string): Promise<void> {
  const pub = fromBase64urlOfLength(signer, 32, 'signer')
  const sigBytes = fromBase64urlOfLength(sig, 64, 'signature')
  const ok = await p.verify(pub, signingBytes(type, body, signer), sigBytes)
  if (!ok) throw new InvalidSignatureError(`invalid signature on '${type}' by ${signer}`)
}

export interface VerifyOptions {
  type: string
  /** When given, the envelope must be signed by this key (base64url). */
  signer?: string
  maxBytes?: number
}

/**
 * Validates the shape of an untrusted value and its signature. Returns it typed as Signed<T>; the body's own
 * shape is the caller's to validate. Throws MalformedError, TooLargeError, WrongTypeError, WrongSignerError
 * or InvalidSignatureError.
 */
export async function verifyEnvelope<T> (p: SignatureProvider, env: unknown, opts: VerifyOptions): Promise<Signed<T>> {
  return (await verifyEnvelopeBytes<T>(p, env, opts)).envelope
}

export interface VerifiedEnvelope<T> {
  envelope: Signed<T>
  /** The UTF-8 bytes of the body's canonical text (RFC 8785): sha256 of them is hashOf(body). Absent for a body without one (undefined). */
  bodyBytes: Uint8Array | undefined
}

/** verifyEnvelope, also handing back the body's canonical bytes (so a caller can hash the body without encoding it again). */
export async function verifyEnvelopeBytes<T> (p: SignatureProvider, env: unknown, opts: VerifyOptions): Promise<VerifiedEnvelope<T>> {
  const parsed = v.safeParse(EnvelopeSchema, env)
  if (!parsed.success) throw new MalformedError(`malformed signed envelope: ${v.summarize(parsed.issues)}`)
  const e = parsed.output
  if (e.type !== opts.type) throw new WrongTypeError(opts.type, e.type)
  if (opts.signer !== undefined && e.signer !== opts.signer) throw new WrongSignerError(opts.signer, e.signer)
  const parts = signingParts(e.type, e.body, e.signer)
  const bytes = parts?.bytes ?? signingBytes(e.type, e.body, e.signer)
  const limit = opts.maxBytes ?? MAX_ENVELOPE_BYTES
  if (bytes.length > limit) throw new TooLargeError(bytes.length, limit, `signed '${e.type}'`)
  const pub = fromBase64urlOfLength(e.signer, 32, 'signer')
  const sig = fromBase64urlOfLength(e.sig, 64, 'signature')
  if (!(await p.verify(pub, bytes, sig))) throw new InvalidSignatureError(`invalid signature on '${e.type}' by ${e.signer}`)
  return {
    envelope: { v: ENVELOPE_VERSION, type: e.type, body: e.body as T, signer: e.signer, sig: e.sig },
    bodyBytes: parts?.bytes.subarray(BODY_START, parts.bodyEnd)
  }
}
