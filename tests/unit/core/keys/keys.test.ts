import { describe, expect, it } from 'vitest'
import { hkdfSync } from 'node:crypto'
import { generatePhrase, InvalidPhraseError, normalizePhrase, phraseToSeed } from '../../../../src/core/keys/recovery'
import { deriveUserSecret, publicKeyFromUserId, userIdFromPublicKey } from '../../../../src/core/keys/user'
import { certifyDevice, verifyDeviceCertificate, type DeviceCertificate } from '../../../../src/core/keys/device'
import { nobleProvider as p } from '../../../../src/core/crypto/noble'
import { MalformedError, InvalidSignatureError } from '../../../../src/core/errors'
import { WrongSignerError, WrongTypeError, signEnvelope } from '../../../../src/core/codec/envelope'

// BIP-39 reference vector (trezor/python-mnemonic, passphrase ""): all-zero 128-bit entropy.
const ZERO_PHRASE = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about'
const ZERO_SEED = '5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4'

describe('recovery phrase (BIP-39, English)', () => {
  it('turns 16 or 32 bytes of entropy into 12 or 24 words', () => {
    expect(generatePhrase(new Uint8Array(16))).toBe(ZERO_PHRASE)
    expect(generatePhrase(new Uint8Array(32).fill(0x7f)).split(' ')).toHaveLength(24)
    expect(() => generatePhrase(new Uint8Array(20))).toThrow(RangeError)
  })
  it('normalizes case and spacing', () => {
    expect(normalizePhrase('  Abandon abandon\tabandon abandon abandon abandon\nabandon abandon abandon abandon abandon ABOUT ')).toBe(ZERO_PHRASE)
  })
  it('refuses a wrong word count, an unknown word and a bad checksum with InvalidPhraseError', () => {
    expect(() => normalizePhrase('abandon about')).toThrow(InvalidPhraseError)
    expect(() => normalizePhrase(ZERO_PHRASE.replace('about', 'aboot'))).toThrow(/aboot/)
    expect(() => normalizePhrase(ZERO_PHRASE.replace('about', 'abandon'))).toThrow(/checksum/)
    try { normalizePhrase('x') } catch (e) { expect((e as InvalidPhraseError).code).toBe('INVALID_PHRASE') }
  })
  it('derives the reference BIP-39 seed', async () => {
    expect(Buffer.from(await phraseToSeed(ZERO_PHRASE)).toString('hex')).toBe(ZERO_SEED)
  })
})

describe('user root key', () => {
  it('is HKDF-SHA256(seed, salt "mychips-wallet/v1", info ["user-root"]) — checked against node:crypto', () => {
    const seed = Buffer.from(ZERO_SEED, 'hex')
    const expected = new Uint8Array(hkdfSync('sha256', seed, 'mychips-wallet/v1', '["user-root"]', 32))
    expect(deriveUserSecret(seed)).toEqual(expected)
  })
  it('pins the test vector of the all-zero phrase', async () => {
    const secret = deriveUserSecret(await phraseToSeed(ZERO_PHRASE))
    const id = userIdFromPublicKey(await p.publicKey(secret))
    expect(Buffer.from(secret).toString('hex')).toBe('e61ca95b393dd56e04b8f237bc5bd5972770976da3c39e577f8907695b1f6982')
    expect(id).toBe('icjXjIN-tQ8mLljDx27TaaFYKOFTi8HuFC6D6bhxPmk')
    expect(id).toHaveLength(43)
    expect(publicKeyFromUserId(id)).toEqual(await p.publicKey(secret))
  })
  it('refuses malformed user ids', () => {
    expect(() => publicKeyFromUserId('short')).toThrow(MalformedError)
    expect(() => publicKeyFromUserId('A'.repeat(42) + '=')).toThrow(MalformedError)
    expect(() => userIdFromPublicKey(new Uint8Array(31))).toThrow(MalformedError)
  })
})

describe('device certificate', () => {
  const secret = deriveUserSecret(new Uint8Array(64).fill(1))
  const other = deriveUserSecret(new Uint8Array(64).fill(2))
  async function make (): Promise<DeviceCertificate> {
    const userId = userIdFromPublicKey(await p.publicKey(secret))
    return certifyDevice(p, secret, { userId, peerId: '12D3KooWExample', name: 'Phone ☎', issuedAt: 1_700_000_000_000 })
  }
  it('round-trips: the user key signs {userId, peerId, name, issuedAt}', async () => {
    const cert = await make()
    expect(cert.type).toBe('device-cert')
    expect(cert.signer).toBe(cert.body.userId)
    expect(await verifyDeviceCertificate(p, JSON.parse(JSON.stringify(cert)))).toEqual(cert.body)
  })
  it('refuses a tampered field', async () => {
    const cert = await make()
    await expect(verifyDeviceCertificate(p, { ...cert, body: { ...cert.body, peerId: '12D3KooWOther' } })).rejects.toThrow(InvalidSignatureError)
    await expect(verifyDeviceCertificate(p, { ...cert, body: { ...cert.body, issuedAt: cert.body.issuedAt + 1 } })).rejects.toThrow(InvalidSignatureError)
  })
  it('refuses a certificate signed by another user than the one it names', async () => {
    const cert = await make()
    const forged = await signEnvelope(p, other, 'device-cert', cert.body)
    await expect(verifyDeviceCertificate(p, forged)).rejects.toThrow(WrongSignerError)
    await expect(certifyDevice(p, other, cert.body)).rejects.toThrow(WrongSignerError)
  })
  it('refuses another envelope type, a malformed body and a non-object', async () => {
    const cert = await make()
    const wrongType = await signEnvelope(p, secret, 'chit', cert.body)
    await expect(verifyDeviceCertificate(p, wrongType)).rejects.toThrow(WrongTypeError)
    const extra = await signEnvelope(p, secret, 'device-cert', { ...cert.body, admin: true })
    await expect(verifyDeviceCertificate(p, extra)).rejects.toThrow(MalformedError)
    await expect(verifyDeviceCertificate(p, 'nope')).rejects.toThrow(MalformedError)
  })
})
