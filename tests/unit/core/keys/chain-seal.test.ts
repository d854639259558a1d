import { describe, expect, it } from 'vitest'
import { hkdfSync } from 'node:crypto'
import { x25519 } from '@noble/curves/ed25519.js'
import { chainPublicKey, checkChainStep, deriveChainSecret, deriveSealSecret, KeyUsedError, sealPublicKeyOf, UnknownKeyError } from '../../../../src/core/keys/chain'
import { DecryptError, openJson, sealJson, tallySharedKey } from '../../../../src/core/crypto/seal'
import { deriveUserSecret } from '../../../../src/core/keys/user'
import { fromBase64url } from '../../../../src/core/codec/base64url'
import { nobleProvider as p } from '../../../../src/core/crypto/noble'
import { MalformedError } from '../../../../src/core/errors'

const alice = deriveUserSecret(new Uint8Array(64).fill(1))
const bob = deriveUserSecret(new Uint8Array(64).fill(2))
const TALLY = 'tally-0001-abcdef'

describe('chain key derivation', () => {
  it('is HKDF-SHA256(userSecret, salt "mychips-wallet/v1", info ["tally-chain", tallyId, index]) — checked against node:crypto', () => {
    const expected = new Uint8Array(hkdfSync('sha256', alice, 'mychips-wallet/v1', `["tally-chain","${TALLY}",7]`, 32))
    expect(deriveChainSecret(alice, TALLY, 7)).toEqual(expected)
  })
  it('gives distinct keys per index, per tally and per user, and refuses bad indexes', async () => {
    const keys = new Set([
      await chainPublicKey(p, alice, TALLY, 0), await chainPublicKey(p, alice, TALLY, 1),
      await chainPublicKey(p, alice, 'tally-0002-abcdef', 0), await chainPublicKey(p, bob, TALLY, 0)
    ])
    expect(keys.size).toBe(4)
    expect(() => deriveChainSecret(alice, TALLY, -1)).toThrow(RangeError)
    expect(() => deriveChainSecret(alice, TALLY, 1.5)).toThrow(RangeError)
  })
  it('checkChainStep: used, ahead and wrong keys are named errors', () => {
    const pos = { index: 3, next: 'K'.repeat(43) }
    expect(() => checkChainStep(pos, 3, pos.next)).not.toThrow()
    expect(() => checkChainStep(pos, 2, pos.next)).toThrow(KeyUsedError)
    expect(() => checkChainStep(pos, 4, pos.next)).toThrow(UnknownKeyError)
    expect(() => checkChainStep(pos, 3, 'J'.repeat(43))).toThrow(UnknownKeyError)
  })
})

describe('tally secret and sealing', () => {
  const nonce = (n: number) => new Uint8Array(24).fill(n)
  const kA = tallySharedKey(deriveSealSecret(alice, TALLY), fromBase64url(sealPublicKeyOf(bob, TALLY)), TALLY)
  const kB = tallySharedKey(deriveSealSecret(bob, TALLY), fromBase64url(sealPublicKeyOf(alice, TALLY)), TALLY)

  it('both parties derive the same key by X25519 ECDH (RFC 7748 §6.1 vector holds for the primitive)', () => {
    expect(kA).toEqual(kB)
    const a = Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex')
    const bPub = Buffer.from('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f', 'hex')
    expect(Buffer.from(x25519.getSharedSecret(a, bPub)).toString('hex')).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742')
  })
  it('seals and opens memos, references and personal details, including non-ASCII text', () => {
    const sealed = sealJson(kA, nonce(1), TALLY, 'memo', { text: 'Café ☕ for two' })
    expect(openJson(kB, sealed, TALLY, 'memo')).toEqual({ text: 'Café ☕ for two' })
    expect(sealed.c).not.toContain('Caf')
    expect(sealJson(kA, nonce(2), TALLY, 'memo', 'x').c).not.toBe(sealJson(kA, nonce(3), TALLY, 'memo', 'x').c)
  })
  it('refuses a tampered ciphertext, another field, another tally or another key (DecryptError)', () => {
    const sealed = sealJson(kA, nonce(1), TALLY, 'memo', 'hello')
    const c = fromBase64url(sealed.c); c[0]! ^= 1
    expect(() => openJson(kB, { ...sealed, c: Buffer.from(c).toString('base64url') }, TALLY, 'memo')).toThrow(DecryptError)
    expect(() => openJson(kB, sealed, TALLY, 'ref')).toThrow(DecryptError)
    expect(() => openJson(kB, sealed, 'tally-0002-abcdef', 'memo')).toThrow(DecryptError)
    const other = tallySharedKey(deriveSealSecret(alice, TALLY), fromBase64url(sealPublicKeyOf(alice, TALLY)), TALLY)
    expect(() => openJson(other, sealed, TALLY, 'memo')).toThrow(DecryptError)
    expect(() => openJson(kB, { n: 'short', c: sealed.c }, TALLY, 'memo')).toThrow(MalformedError)
  })
  it('refuses a low-order partner key', () => {
    expect(() => tallySharedKey(deriveSealSecret(alice, TALLY), new Uint8Array(32), TALLY)).toThrow(MalformedError)
  })
})
