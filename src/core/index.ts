// The curated public API of the protocol core. Import from here outside src/core.
export { ChipsError, MalformedError, InvalidSignatureError, TooLargeError, isChipsError } from './errors'

export { canonicalJson, canonicalBytes, assertIntegral } from './codec/canonical'
export { toBase64url, fromBase64url, fromBase64urlOfLength } from './codec/base64url'
export { sha256, hashOf } from './codec/hash'
export {
  type Signed, type VerifyOptions, ENVELOPE_VERSION, MAX_ENVELOPE_BYTES,
  signEnvelope, verifyEnvelope, verifyDetached, signingBytes, WrongTypeError, WrongSignerError
} from './codec/envelope'

export type { SignatureProvider } from './crypto/provider'
export { nobleProvider } from './crypto/noble'
export { webCryptoProvider } from './crypto/webcrypto'
export { chooseProvider } from './crypto/select'
export { verifyOnceCache, type CachedProvider, type VerifyCacheStats } from './crypto/cache'

export { generatePhrase, normalizePhrase, phraseToSeed, InvalidPhraseError } from './keys/recovery'
export { deriveUserSecret, userIdFromPublicKey, publicKeyFromUserId, isUserId, UserIdSchema } from './keys/user'
export {
  type DeviceCertBody, type DeviceCertificate, DEVICE_CERT_TYPE, DeviceCertBodySchema,
  certifyDevice, verifyDeviceCertificate
} from './keys/device'
