// The wallet's identity: the user's root key from a BIP-39 phrase, a random libp2p key for this device,
// and the user's certificate binding the two (DESIGN.md §5–6: device keys are random per install, so a
// restored wallet is a new device). Created, restored and loaded here; kept in the 'identity' table,
// written in one transaction.
import * as v from 'valibot'
import { generateKeyPairFromSeed, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { SignatureProvider } from '../../core/crypto/provider'
import { MalformedError } from '../../core/errors'
import { generatePhrase, normalizePhrase, phraseToSeed } from '../../core/keys/recovery'
import { deriveUserSecret, userIdFromPublicKey } from '../../core/keys/user'
import { certifyDevice } from '../../core/keys/device'
import type { Identity, IdentityInfo } from '../api'
import type { Clock, Random } from '../ports'
import type { Store } from '../store/store'
import { IdentityExistsError, NoIdentityError } from './errors'
import { IDENTITY_KEY, IdentityRecordSchema, NameSchema, RECOVERY_KEY, RecoveryRecordSchema } from './schema'

export interface IdentityDeps {
  store: Store
  crypto: SignatureProvider
  clock: Clock
  /** Entropy for the phrase and the device key: crypto-strong in production, seeded in the simulator. */
  random: Random
}

export interface CreatedIdentity {
  identity: Identity
  /** Shown once so the user can write it down; also kept for the backup screen. */
  phrase: string
}

/** A new wallet: a new 12-word phrase, its user key, and a new device. Refuses if one exists. */
export async function createIdentity (deps: IdentityDeps, name: string): Promise<CreatedIdentity> {
  const phrase = generatePhrase(deps.random.bytes(16))
  return { identity: await establish(deps, phrase, name), phrase }
}

/** The same user (same user id) from its phrase, on a new device with a new device key. */
export async function restoreIdentity (deps: IdentityDeps, phrase: string, name: string): Promise<Identity> {
  return await establish(deps, normalizePhrase(phrase), name)
}

/** The identity kept in this store, if any. */
export async function loadIdentity (store: Store): Promise<Identity | undefined> {
  const raw = await store.read(tx => tx.get('identity', IDENTITY_KEY))
  if (raw === undefined) return undefined
  const parsed = v.safeParse(IdentityRecordSchema, raw)
  if (!parsed.success) throw new MalformedError(`the stored wallet identity is damaged: ${v.summarize(parsed.issues)}`)
  return parsed.output
}

/** The recovery phrase, for the backup screen. */
export async function loadRecoveryPhrase (store: Store): Promise<string> {
  const raw = await store.read(tx => tx.get('identity', RECOVERY_KEY))
  if (raw === undefined) throw new NoIdentityError()
  const parsed = v.safeParse(RecoveryRecordSchema, raw)
  if (!parsed.success) throw new MalformedError('the stored recovery phrase is damaged')
  return parsed.output.phrase
}

/** The libp2p private key of this device. */
export function devicePrivateKey (identity: Identity): PrivateKey {
  return privateKeyFromProtobuf(identity.peerKey)
}

export function identityInfo (identity: Identity): IdentityInfo {
  return { userId: identity.userId, name: identity.name, peerId: identity.peerId, createdAt: identity.createdAt }
}

async function establish (deps: IdentityDeps, phrase: string, rawName: string): Promise<Identity> {
  const named = v.safeParse(NameSchema, rawName)
  if (!named.success) throw new MalformedError(named.issues[0].message)
  const name = named.output
  // Derive and sign first: an IndexedDB transaction must not wait on anything but itself.
  const userSecret = deriveUserSecret(await phraseToSeed(phrase))
  const userId = userIdFromPublicKey(await deps.crypto.publicKey(userSecret))
  const deviceKey = await generateKeyPairFromSeed('Ed25519', deps.random.bytes(32))
  const peerId = peerIdFromPrivateKey(deviceKey).toString()
  const createdAt = deps.clock.now()
  const deviceCert = await certifyDevice(deps.crypto, userSecret, { userId, peerId, name, issuedAt: createdAt })
  const identity: Identity = { userId, name, userSecret, peerKey: privateKeyToProtobuf(deviceKey), peerId, deviceCert, createdAt }
  await deps.store.write(async tx => {
    const existing = await tx.get<{ userId?: string }>('identity', IDENTITY_KEY)
    if (existing !== undefined) throw new IdentityExistsError(existing.userId ?? '')
    await tx.put('identity', IDENTITY_KEY, identity)
    await tx.put('identity', RECOVERY_KEY, { phrase })
  })
  return identity
}
