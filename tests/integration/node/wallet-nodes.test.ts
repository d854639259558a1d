// Two Node WalletNodes and a relay on loopback WebSockets (real libp2p): both reserve, A connects to B
// by B's contact link, both verify hellos; the hello handler refuses a bad signature, an oversized
// message and garbage bytes with clear errors and keeps serving; an unreachable relay in a link is named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { nobleProvider } from '../../../src/core/crypto/noble'
import { signEnvelope } from '../../../src/core/codec/envelope'
import { toBase64url } from '../../../src/core/codec/base64url'
import { contactLink, parseContactLink } from '../../../src/node/contact/card'
import { HELLO_PROTOCOL, HELLO_TYPE, MAX_HELLO_BYTES } from '../../../src/node/protocols/hello'
import type { HelloBody } from '../../../src/node/protocols/hello'
import { createLibp2pNode } from '../../../src/node/net/libp2p/node'
import { Libp2pNetwork } from '../../../src/node/net/libp2p/network'
import { RemoteError } from '../../../src/node/net/errors'
import { silentLogger, systemRandom, systemTimers } from '../../../src/node/ports'
import { startTestRelay, waitFor } from '../helpers/relay'
import type { TestRelay } from '../helpers/relay'
import { startTestWallet } from '../helpers/wallets'
import type { TestWallet } from '../helpers/wallets'

let relay: TestRelay
let alice: TestWallet
let bob: TestWallet
/** A bare libp2p peer that speaks the hello protocol badly on purpose. */
let mallory: Libp2pNetwork

beforeAll(async () => {
  relay = await startTestRelay()
  ;[alice, bob] = await Promise.all([startTestWallet('Alice', [relay.addr]), startTestWallet('Bob', [relay.addr])])
  mallory = new Libp2pNetwork(await createLibp2pNode({ host: 'node', privateKey: await generateKeyPair('Ed25519'), reservations: 0, allowInsecureLoopback: true }), { timers: systemTimers, logger: silentLogger })
  await mallory.start()
  await waitFor(() => [alice, bob].every(w => w.node.status().relays[0]?.state === 'reserved' && w.node.contact().addrs.length > 0), 15_000, 'both reserved')
})

afterAll(async () => {
  await Promise.all([alice?.node.stop(), bob?.node.stop(), mallory?.stop()])
  await relay?.stop()
})

async function rawHello (bytes: Uint8Array): Promise<unknown> {
  return await mallory.request(bob.identity.peerId, HELLO_PROTOCOL, bytes, { addrs: bob.node.contact().addrs }).catch((e: unknown) => e)
}

async function bobStillServes (): Promise<void> {
  await expect(alice.node.hello(bob.identity.peerId)).resolves.toMatchObject({ name: 'Bob', hello: 'verified' })
}

describe('wallet nodes through a relay', () => {
  it('both hold a reservation and publish circuit addresses', () => {
    for (const w of [alice, bob]) {
      const s = w.node.status()
      expect(s.phase).toBe('running')
      expect(s.relays).toEqual([{ addr: relay.addr, state: 'reserved' }])
      expect(s.addrs.some(a => a.includes(`/p2p/${relay.peerId}/p2p-circuit/p2p/${w.identity.peerId}`))).toBe(true)
    }
  })

  it('A connects to B by B\'s contact link; both verify hellos ("connected to <name>") on a relayed link', async () => {
    const link = contactLink('https://wallet.example/', bob.node.contact())
    const peer = await alice.node.connect(parseContactLink(link))
    expect(peer).toMatchObject({ peerId: bob.identity.peerId, userId: bob.identity.userId, name: 'Bob', hello: 'verified', link: 'relayed' })
    const seenByBob = await waitFor(() => bob.node.status().peers.find(p => p.peerId === alice.identity.peerId && p.hello === 'verified'))
    expect(seenByBob).toMatchObject({ name: 'Alice', userId: alice.identity.userId, link: 'relayed' })
  })

  it('refuses a bad signature with INVALID_SIGNATURE and keeps serving the next good hello', async () => {
    // Mallory signs a hello claiming Alice's certificate with Mallory's own key: the signature check fails first.
    const body: HelloBody = {
      userId: alice.identity.userId, name: 'Alice', from: mallory.peerId, to: bob.identity.peerId,
      nonce: toBase64url(systemRandom.bytes(16)), time: Date.now(), cert: alice.identity.deviceCert
    }
    const env = await signEnvelope(nobleProvider, alice.identity.userSecret, HELLO_TYPE, body)
    const tampered = { ...env, body: { ...body, name: 'Alice (tampered)' } }
    const err = await rawHello(new TextEncoder().encode(JSON.stringify(tampered)))
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ code: 'INVALID_SIGNATURE', message: expect.stringMatching(/invalid signature on 'hello'/) })
    await bobStillServes()
  })

  it('refuses a hello with a valid signature but a certificate for another device (HELLO_MISMATCH)', async () => {
    const body: HelloBody = {
      userId: alice.identity.userId, name: 'Alice', from: alice.identity.peerId, to: bob.identity.peerId,
      nonce: toBase64url(systemRandom.bytes(16)), time: Date.now(), cert: alice.identity.deviceCert
    }
    const env = await signEnvelope(nobleProvider, alice.identity.userSecret, HELLO_TYPE, body)
    expect(await rawHello(new TextEncoder().encode(JSON.stringify(env)))).toMatchObject({ code: 'HELLO_MISMATCH' })
    await bobStillServes()
  })

  it('refuses an oversized hello with TOO_LARGE and keeps serving', async () => {
    const err = await rawHello(new Uint8Array(MAX_HELLO_BYTES * 4))
    expect(err).toMatchObject({ code: 'TOO_LARGE', message: `request of ${MAX_HELLO_BYTES * 4} bytes exceeds the limit of ${MAX_HELLO_BYTES} bytes` })
    await bobStillServes()
  })

  it('refuses garbage bytes (framed and unframed) with MALFORMED and keeps serving', async () => {
    expect(await rawHello(systemRandom.bytes(200).map(b => b | 0x80))).toMatchObject({ code: 'MALFORMED' })
    // Raw bytes straight on a stream, not even length-prefixed.
    const conn = await mallory.node.dial(peerIdFromString(bob.identity.peerId))
    const stream = await conn.newStream(HELLO_PROTOCOL, { runOnLimitedConnection: true })
    stream.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]))
    const chunks: Uint8Array[] = []
    for await (const chunk of stream) chunks.push(chunk instanceof Uint8Array ? chunk : chunk.subarray())
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toMatch(/"code":"MALFORMED","message":"the request is not a length-prefixed frame"/)
    await bobStillServes()
  })

  it('a link naming an unreachable relay gives PEER_UNREACHABLE, and the node keeps working', async () => {
    const ghostRelay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const card = { ...bob.node.contact(), addrs: [`/ip4/127.0.0.1/tcp/9/ws/p2p/${ghostRelay}/p2p-circuit/p2p/${bob.identity.peerId}`] }
    // A fresh wallet: Alice already has a link to Bob, which would be reused.
    const carol = await startTestWallet('Carol', [relay.addr])
    try {
      const err = await carol.node.connect(card).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'PEER_UNREACHABLE', message: expect.stringMatching(/could not reach peer/) })
      expect(carol.node.status().peers[0]).toMatchObject({ hello: 'failed', link: 'none' })
      expect(carol.node.status().phase).toBe('running')
      await waitFor(() => carol.node.contact().addrs.length > 0, 10_000, 'Carol reserved')
      await expect(carol.node.connect(bob.node.contact())).resolves.toMatchObject({ name: 'Bob', hello: 'verified' })
    } finally {
      await carol.node.stop()
    }
  })
})
