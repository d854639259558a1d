// Simulated users' identities: the same records createIdentity makes (user key, random device key, the
// user's certificate of the device), except that the user secret is drawn from the run's seeded Random
// instead of being derived from a recovery phrase: PBKDF2 costs ~15 ms per user, which a 1,000-user run
// cannot afford, and a simulated user never restores from a phrase. Keys and signatures are real.
import { generateKeyPairFromSeed, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { SignatureProvider } from '../../src/core/crypto/provider'
import { certifyDevice } from '../../src/core/keys/device'
import { userIdFromPublicKey } from '../../src/core/keys/user'
import type { Identity } from '../../src/node/api'
import { IDENTITY_KEY } from '../../src/node/identity/schema'
import type { Random } from '../../src/node/ports'
import type { Store } from '../../src/node/store/store'

export async function simIdentity (deps: { store: Store, crypto: SignatureProvider, random: Random, now: number }, name: string): Promise<Identity> {
  const userSecret = deps.random.bytes(32)
  const userId = userIdFromPublicKey(await deps.crypto.publicKey(userSecret))
  const deviceKey = await generateKeyPairFromSeed('Ed25519', deps.random.bytes(32))
  const peerId = peerIdFromPrivateKey(deviceKey).toString()
  const deviceCert = await certifyDevice(deps.crypto, userSecret, { userId, peerId, name, issuedAt: deps.now })
  const identity: Identity = { userId, name, userSecret, peerKey: privateKeyToProtobuf(deviceKey), peerId, deviceCert, createdAt: deps.now }
  await deps.store.write(async tx => { await tx.put('identity', IDENTITY_KEY, identity) })
  return identity
}
