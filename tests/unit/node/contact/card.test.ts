import { describe, expect, it } from 'vitest'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MalformedError, TooLargeError } from '../../../../src/core/errors'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { contactLink, parseContactLink, validateCard } from '../../../../src/node/contact/card'
import type { ContactCard } from '../../../../src/node/api'

const peerId = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(1))).toString()
const relayId = peerIdFromPrivateKey(await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(2))).toString()
const card: ContactCard = {
  v: 1,
  userId: toBase64url(new Uint8Array(32).fill(7)),
  name: 'Bob',
  peerId,
  addrs: [`/ip4/127.0.0.1/tcp/4001/ws/p2p/${relayId}/p2p-circuit/webrtc/p2p/${peerId}`, `/ip4/127.0.0.1/tcp/4001/ws/p2p/${relayId}/p2p-circuit/p2p/${peerId}`]
}
const encode = (value: unknown): string => `https://wallet.example/#contact=${toBase64url(new TextEncoder().encode(JSON.stringify(value)))}`

describe('contact links', () => {
  it('round-trips a card through an https link fragment, ignoring the base URL\'s own fragment', () => {
    const link = contactLink('https://wallet.example/app/#old', card)
    expect(link.startsWith('https://wallet.example/app/#contact=')).toBe(true)
    expect(parseContactLink(`  ${link}\n`)).toEqual(card)
    expect(parseContactLink(JSON.stringify(card))).toEqual(card)
  })

  it.each([
    ['https://wallet.example/', /not a contact link/],
    ['https://wallet.example/#contact=', /not a contact link/],
    ['https://wallet.example/#contact=***', /not base64url/],
    ['https://wallet.example/#contact=' + toBase64url(new Uint8Array([0xff, 0xfe])), /not text/],
    ['https://wallet.example/#contact=' + toBase64url(new TextEncoder().encode('nope')), /not a contact card/]
  ])('refuses a damaged link %s with a clear MalformedError', (link, message) => {
    expect(() => parseContactLink(link)).toThrow(MalformedError)
    expect(() => parseContactLink(link)).toThrow(message)
  })

  it.each([
    ['a wrong version', { ...card, v: 2 }],
    ['a bad user id', { ...card, userId: 'abc' }],
    ['an empty name', { ...card, name: ' ' }],
    ['a bad peer id', { ...card, peerId: 'QmNope' }],
    ['a bad address', { ...card, addrs: ['/not/a/multiaddr'] }],
    ['too many addresses', { ...card, addrs: Array.from({ length: 17 }, () => card.addrs[0]) }],
    ['an extra field', { ...card, admin: true }]
  ])('refuses a card with %s', (_what, bad) => {
    expect(() => parseContactLink(encode(bad))).toThrow(/the contact card is not valid/)
  })

  it('refuses a card whose address leads to another node', () => {
    const other = { ...card, addrs: [`/ip4/127.0.0.1/tcp/4001/ws/p2p/${relayId}`] }
    expect(() => validateCard(other)).toThrow(/leads to another node/)
  })

  it('refuses an overlong link with TooLargeError', () => {
    expect(() => parseContactLink('https://x/#contact=' + 'A'.repeat(5000))).toThrow(TooLargeError)
  })
})
