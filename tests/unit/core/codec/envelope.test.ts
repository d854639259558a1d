import { describe, expect, it } from 'vitest'
import { signEnvelope, verifyEnvelope, verifyDetached, WrongSignerError, WrongTypeError } from '../../../../src/core/codec/envelope'
import { canonicalJson } from '../../../../src/core/codec/canonical'
import { nobleProvider as p } from '../../../../src/core/crypto/noble'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { InvalidSignatureError, MalformedError, TooLargeError } from '../../../../src/core/errors'

const secret = new Uint8Array(32).fill(9)
const other = new Uint8Array(32).fill(8)

describe('signed envelope', () => {
  it('signs { v, type, body, signer } and verifies after a JSON round trip', async () => {
    const env = await signEnvelope(p, secret, 'note', { text: 'Grüße', n: 3 })
    expect(env.v).toBe(1)
    expect(env.signer).toBe(toBase64url(await p.publicKey(secret)))
    const back = await verifyEnvelope(p, JSON.parse(JSON.stringify(env)), { type: 'note', signer: env.signer })
    expect(back).toEqual(env)
    const bytes = new TextEncoder().encode(canonicalJson({ v: 1, type: 'note', body: env.body, signer: env.signer }))
    expect(await p.verify(await p.publicKey(secret), bytes, Buffer.from(env.sig, 'base64url'))).toBe(true)
  })
  it('refuses a tampered body, type, signer or signature', async () => {
    const env = await signEnvelope(p, secret, 'note', { n: 3 })
    await expect(verifyEnvelope(p, { ...env, body: { n: 4 } }, { type: 'note' })).rejects.toThrow(InvalidSignatureError)
    await expect(verifyEnvelope(p, { ...env, type: 'other' }, { type: 'other' })).rejects.toThrow(InvalidSignatureError)
    await expect(verifyEnvelope(p, { ...env, signer: toBase64url(await p.publicKey(other)) }, { type: 'note' })).rejects.toThrow(InvalidSignatureError)
    const sig = Buffer.from(env.sig, 'base64url'); sig[5]! ^= 1
    await expect(verifyEnvelope(p, { ...env, sig: sig.toString('base64url') }, { type: 'note' })).rejects.toThrow(InvalidSignatureError)
  })
  it('refuses the wrong type, the wrong signer, another version and malformed shapes', async () => {
    const env = await signEnvelope(p, secret, 'note', { n: 3 })
    await expect(verifyEnvelope(p, env, { type: 'chit' })).rejects.toThrow(WrongTypeError)
    await expect(verifyEnvelope(p, env, { type: 'note', signer: toBase64url(await p.publicKey(other)) })).rejects.toThrow(WrongSignerError)
    await expect(verifyEnvelope(p, { ...env, v: 2 }, { type: 'note' })).rejects.toThrow(MalformedError)
    await expect(verifyEnvelope(p, { ...env, sig: 'x' }, { type: 'note' })).rejects.toThrow(MalformedError)
    await expect(verifyEnvelope(p, null, { type: 'note' })).rejects.toThrow(MalformedError)
    await expect(verifyEnvelope(p, { ...env, sig: '!'.repeat(86) }, { type: 'note' })).rejects.toThrow(MalformedError)
  })
  it('refuses floats in a signed body (signing and verifying)', async () => {
    await expect(signEnvelope(p, secret, 'note', { reward: 0.01 })).rejects.toThrow(MalformedError)
    const env = await signEnvelope(p, secret, 'note', { reward: 1 })
    await expect(verifyEnvelope(p, { ...env, body: { reward: 0.01 } }, { type: 'note' })).rejects.toThrow(MalformedError)
  })
  it('refuses an envelope over the size limit before verifying', async () => {
    const env = await signEnvelope(p, secret, 'note', { text: 'x'.repeat(2000) })
    await expect(verifyEnvelope(p, env, { type: 'note', maxBytes: 1000 })).rejects.toThrow(TooLargeError)
  })
  it('detached signatures use the same bytes', async () => {
    const env = await signEnvelope(p, secret, 'tally', { id: 't' })
    await expect(verifyDetached(p, 'tally', { id: 't' }, env.signer, env.sig)).resolves.toBeUndefined()
    await expect(verifyDetached(p, 'tally', { id: 'u' }, env.signer, env.sig)).rejects.toThrow(InvalidSignatureError)
  })
})
