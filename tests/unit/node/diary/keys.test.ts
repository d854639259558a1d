// Member keys ↔ libp2p keys and peer ids: a node's member key, its peer id and its signing secret all come
// from its Ed25519 device key, and an answer it signs verifies under its member key.
import { describe, expect, it } from 'vitest'
import { generateKeyPair, generateKeyPairFromSeed, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { fromBase64url, toBase64url } from '../../../../src/core/codec/base64url'
import { memberIdentityFromPeerKey, memberOfPeer, peerIdOfMember } from '../../../../src/node/services/diary'

describe('diary member keys', () => {
  it('derives the member key, peer id and signing secret from one device key', async () => {
    const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7))
    const id = memberIdentityFromPeerKey(privateKeyToProtobuf(key))
    const peerId = peerIdFromPrivateKey(key).toString()
    expect(id.key).toBe(toBase64url(key.publicKey.raw))
    expect(id.secret).toHaveLength(32)
    expect(toBase64url(await nobleProvider.publicKey(id.secret))).toBe(id.key)
    expect(peerIdOfMember(id.key)).toBe(peerId)
    expect(memberOfPeer(peerId)).toBe(id.key)
    const msg = new TextEncoder().encode('answer')
    expect(await nobleProvider.verify(fromBase64url(id.key), msg, await nobleProvider.sign(id.secret, msg))).toBe(true)
  })

  it('refuses non-Ed25519 device keys and maps non-Ed25519 or garbage peer ids to no member', async () => {
    const k1 = await generateKeyPair('secp256k1')
    expect(() => memberIdentityFromPeerKey(privateKeyToProtobuf(k1))).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    expect(memberOfPeer(peerIdFromPrivateKey(k1).toString())).toBeUndefined()
    expect(memberOfPeer('not a peer id')).toBeUndefined()
    expect(() => peerIdOfMember('short')).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })
})
