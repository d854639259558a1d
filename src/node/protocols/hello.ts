// /mychips/hello/1.0.0 — two nodes prove who they are to each other.
//
// Each side sends a hello signed with its user key: its device certificate (the user key signing the
// device's peer id), a fresh nonce, its clock time and the user's display name, bound to the peer ids
// of both ends of the connection. The receiver checks the certificate chain (the certified peer id must
// be the connection's authenticated remote peer id), the signature, the addressee and the time, then
// answers with its own signed hello that echoes the request's nonce.
import * as v from 'valibot'
import type { SignatureProvider } from '../../core/crypto/provider'
import { ChipsError, MalformedError } from '../../core/errors'
import { signEnvelope, verifyEnvelope, WrongSignerError } from '../../core/codec/envelope'
import { toBase64url } from '../../core/codec/base64url'
import { verifyDeviceCertificate } from '../../core/keys/device'
import type { Identity } from '../api'
import type { Clock, Random } from '../ports'
import type { Network, PeerLink } from '../net/network'
import { NameSchema } from '../identity/schema'

export const HELLO_PROTOCOL = '/mychips/hello/1.0.0'
export const HELLO_TYPE = 'hello'
/** A hello is a certificate and a few fields: 8 KiB is generous. */
export const MAX_HELLO_BYTES = 8 * 1024
/** How far the peer's clock may be from ours. */
export const HELLO_MAX_SKEW_MS = 10 * 60_000

export interface HelloBody {
  userId: string
  name: string
  /** Sender's peer id (must equal the certificate's and the connection's). */
  from: string
  /** Receiver's peer id: a hello cannot be replayed to another node. */
  to: string
  nonce: string
  time: number
  cert: unknown
  /** In an answer: the nonce of the hello it answers. */
  re?: string
}

/** What a verified hello tells us. */
export interface VerifiedHello {
  userId: string
  name: string
  peerId: string
  time: number
  nonce: string
}

/** The hello is signed correctly but does not fit this connection (wrong peer, wrong addressee, wrong answer). */
export class HelloMismatchError extends ChipsError {
  constructor (message: string) { super('HELLO_MISMATCH', message) }
}

/** The hello's time is too far from ours (replayed, or a clock far off). */
export class HelloStaleError extends ChipsError {
  constructor (readonly skewMs: number) {
    super('HELLO_STALE', `the hello's time is ${Math.round(skewMs / 1000)} s away from ours (allowed ${HELLO_MAX_SKEW_MS / 1000} s); check the device clock`)
  }
}

const PeerIdSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(128))
const NonceSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}$/, 'a nonce is 16 bytes in base64url'))

const HelloBodySchema = v.strictObject({
  userId: v.pipe(v.string(), v.length(43)),
  name: NameSchema,
  from: PeerIdSchema,
  to: PeerIdSchema,
  nonce: NonceSchema,
  time: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  cert: v.unknown(),
  re: v.optional(NonceSchema)
})

export interface HelloDeps {
  identity: Identity
  crypto: SignatureProvider
  clock: Clock
  random: Random
}

/** Builds our signed hello to `to`, as bytes for the wire. */
export async function makeHello (deps: HelloDeps, to: string, re?: string): Promise<{ bytes: Uint8Array, nonce: string }> {
  const { identity } = deps
  const nonce = toBase64url(deps.random.bytes(16))
  const body: HelloBody = {
    userId: identity.userId, name: identity.name, from: identity.peerId, to, nonce, time: deps.clock.now(), cert: identity.deviceCert,
    ...(re === undefined ? {} : { re })
  }
  const signed = await signEnvelope(deps.crypto, identity.userSecret, HELLO_TYPE, body)
  return { bytes: new TextEncoder().encode(JSON.stringify(signed)), nonce }
}

export interface HelloContext {
  /** The authenticated peer id of the connection the hello came on. */
  remotePeerId: string
  localPeerId: string
  now: number
  /** For an answer: the nonce of our hello it must echo. */
  re?: string
}

/** Validates untrusted hello bytes for this connection. Throws a named ChipsError. */
export async function verifyHello (crypto: SignatureProvider, bytes: Uint8Array, ctx: HelloContext): Promise<VerifiedHello> {
  if (bytes.byteLength > MAX_HELLO_BYTES) throw new MalformedError(`a hello has at most ${MAX_HELLO_BYTES} bytes`)
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedError('the hello is not a JSON document')
  }
  const env = await verifyEnvelope<unknown>(crypto, json, { type: HELLO_TYPE, maxBytes: MAX_HELLO_BYTES })
  const parsed = v.safeParse(HelloBodySchema, env.body)
  if (!parsed.success) throw new MalformedError(`malformed hello: ${v.summarize(parsed.issues)}`)
  const body = parsed.output
  if (body.userId !== env.signer) throw new WrongSignerError(body.userId, env.signer)
  const cert = await verifyDeviceCertificate(crypto, body.cert)
  if (cert.userId !== body.userId) throw new HelloMismatchError('the device certificate belongs to another user than the hello')
  if (cert.peerId !== ctx.remotePeerId || body.from !== ctx.remotePeerId) {
    throw new HelloMismatchError('the hello is for another device than the one on this connection')
  }
  if (body.to !== ctx.localPeerId) throw new HelloMismatchError('the hello is addressed to another node')
  if (ctx.re !== undefined && body.re !== ctx.re) throw new HelloMismatchError('the answer does not echo our hello')
  const skew = Math.abs(body.time - ctx.now)
  if (skew > HELLO_MAX_SKEW_MS) throw new HelloStaleError(skew)
  return { userId: body.userId, name: body.name, peerId: body.from, time: body.time, nonce: body.nonce }
}

export interface HelloEvents {
  /** A peer proved who it is (either direction). */
  verified (hello: VerifiedHello, link: PeerLink): void
  /** A peer's hello was refused. */
  refused (peerId: string, error: ChipsError): void
}

/** Serves the hello protocol on a network: verify theirs, answer with ours. */
export function serveHello (network: Network, deps: HelloDeps, events: HelloEvents): void {
  network.handle(HELLO_PROTOCOL, async (request, from) => {
    let theirs: VerifiedHello
    try {
      theirs = await verifyHello(deps.crypto, request, { remotePeerId: from.peerId, localPeerId: deps.identity.peerId, now: deps.clock.now() })
    } catch (err) {
      events.refused(from.peerId, asChipsError(err))
      throw err
    }
    events.verified(theirs, from)
    return (await makeHello(deps, from.peerId, theirs.nonce)).bytes
  }, { maxRequestBytes: MAX_HELLO_BYTES })
}

/** Sends our hello to a peer (dialling addrs if needed) and verifies its answer. */
export async function sendHello (
  network: Network, deps: HelloDeps, peerId: string, options: { addrs?: readonly string[], signal?: AbortSignal } = {}
): Promise<{ hello: VerifiedHello, link: PeerLink }> {
  const ours = await makeHello(deps, peerId)
  const res = await network.request(peerId, HELLO_PROTOCOL, ours.bytes, { ...options, maxResponseBytes: MAX_HELLO_BYTES })
  const hello = await verifyHello(deps.crypto, res.body, {
    remotePeerId: res.link.peerId, localPeerId: deps.identity.peerId, now: deps.clock.now(), re: ours.nonce
  })
  return { hello, link: res.link }
}

function asChipsError (err: unknown): ChipsError {
  return err instanceof ChipsError ? err : new ChipsError('INTERNAL', 'the hello could not be checked')
}
