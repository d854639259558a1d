import { describe, expect, it } from 'vitest'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { verifyDeviceCertificate } from '../../../../src/core/keys/device'
import { MalformedError } from '../../../../src/core/errors'
import { openMemoryStore } from '../../../../src/node/store/memory'
import { seededRandom } from '../../../../src/node/net/sim/random'
import {
  createIdentity, devicePrivateKey, identityInfo, loadIdentity, loadRecoveryPhrase, restoreIdentity
} from '../../../../src/node/identity/identity'
import type { IdentityDeps } from '../../../../src/node/identity/identity'

const clock = { now: () => 1_750_000_000_000 }

async function deps (seed: number): Promise<IdentityDeps> {
  return { store: await openMemoryStore(), crypto: nobleProvider, clock, random: seededRandom(seed) }
}

describe('identity', () => {
  it('creates a wallet: 12-word phrase, user id, random device key and a certificate binding them; loads it back', async () => {
    const d = await deps(1)
    const { identity, phrase } = await createIdentity(d, '  Alice  ')
    expect(phrase.split(' ')).toHaveLength(12)
    expect(identity.name).toBe('Alice')
    expect(identity.userId).toHaveLength(43)
    expect(peerIdFromPrivateKey(devicePrivateKey(identity)).toString()).toBe(identity.peerId)
    const cert = await verifyDeviceCertificate(nobleProvider, identity.deviceCert)
    expect(cert).toEqual({ userId: identity.userId, peerId: identity.peerId, name: 'Alice', issuedAt: clock.now() })
    expect(await loadIdentity(d.store)).toEqual(identity)
    expect(await loadRecoveryPhrase(d.store)).toBe(phrase)
    expect(identityInfo(identity)).toEqual({ userId: identity.userId, name: 'Alice', peerId: identity.peerId, createdAt: clock.now() })
  })

  it('restores the same user id from the phrase (typed loosely) on a new device key', async () => {
    const { identity, phrase } = await createIdentity(await deps(2), 'Alice')
    const other = await deps(3)
    const restored = await restoreIdentity(other, `  ${phrase.toUpperCase().replace(/ /g, '   ')} `, 'Alice laptop')
    expect(restored.userId).toBe(identity.userId)
    expect(restored.peerId).not.toBe(identity.peerId)
    expect(await verifyDeviceCertificate(nobleProvider, restored.deviceCert)).toMatchObject({ userId: identity.userId, peerId: restored.peerId })
    expect(await loadRecoveryPhrase(other.store)).toBe(phrase)
  })

  it('refuses to create or restore over an existing wallet, and leaves it intact', async () => {
    const d = await deps(4)
    const { identity, phrase } = await createIdentity(d, 'Alice')
    await expect(createIdentity(d, 'Bob')).rejects.toMatchObject({ code: 'IDENTITY_EXISTS' })
    await expect(restoreIdentity(d, phrase, 'Alice again')).rejects.toMatchObject({ code: 'IDENTITY_EXISTS' })
    expect(await loadIdentity(d.store)).toEqual(identity)
  })

  it('refuses a wrong phrase and a bad name with named errors, writing nothing', async () => {
    const d = await deps(5)
    await expect(restoreIdentity(d, 'abandon abandon abandon', 'A')).rejects.toMatchObject({ code: 'INVALID_PHRASE' })
    await expect(createIdentity(d, '   ')).rejects.toBeInstanceOf(MalformedError)
    await expect(createIdentity(d, 'x'.repeat(101))).rejects.toThrow(/at most 100/)
    expect(await loadIdentity(d.store)).toBeUndefined()
    await expect(loadRecoveryPhrase(d.store)).rejects.toMatchObject({ code: 'NO_IDENTITY' })
  })

  it('is deterministic for injected randomness (the simulator replays wallets from a seed)', async () => {
    const a = await createIdentity(await deps(7), 'A')
    const b = await createIdentity(await deps(7), 'A')
    expect(b.phrase).toBe(a.phrase)
    expect(b.identity.peerId).toBe(a.identity.peerId)
    const c = await createIdentity(await deps(8), 'A')
    expect(c.identity.userId).not.toBe(a.identity.userId)
  })

  it('reports a damaged stored identity as MalformedError', async () => {
    const d = await deps(9)
    await d.store.write(tx => tx.put('identity', 'self', { userId: 'short' }))
    await expect(loadIdentity(d.store)).rejects.toThrow(/stored wallet identity is damaged/)
  })
})
