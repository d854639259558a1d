// The hello protocol on the simulated network: a good exchange, and every refusal with its named error
// while the node keeps serving the next good hello.
import { beforeAll, describe, expect, it } from 'vitest'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { signEnvelope } from '../../../../src/core/codec/envelope'
import { toBase64url } from '../../../../src/core/codec/base64url'
import {
  HELLO_MAX_SKEW_MS, HELLO_PROTOCOL, HELLO_TYPE, MAX_HELLO_BYTES, makeHello, verifyHello
} from '../../../../src/node/protocols/hello'
import type { HelloBody } from '../../../../src/node/protocols/hello'
import { RemoteError } from '../../../../src/node/net/errors'
import { seededRandom } from '../../../../src/node/net/sim/random'
import type { SimWallet } from '../sim-wallets'
import { simWorld } from '../sim-wallets'

const world = simWorld(7)
const { time } = world
let alice: SimWallet
let bob: SimWallet
let mallory: SimWallet

/** Alice's raw hello to Bob, with fields overridden, signed by `secret` (Alice's user key by default). */
async function aliceHello (patch: Partial<HelloBody> = {}, secret?: Uint8Array): Promise<Uint8Array> {
  const id = alice.identity
  const body: HelloBody = {
    userId: id.userId, name: id.name, from: id.peerId, to: bob.identity.peerId,
    nonce: toBase64url(seededRandom(1).bytes(16)), time: time.now, cert: id.deviceCert, ...patch
  }
  const env = await signEnvelope(nobleProvider, secret ?? id.userSecret, HELLO_TYPE, body)
  return new TextEncoder().encode(JSON.stringify(env))
}

async function sendRaw (from: SimWallet, to: SimWallet, bytes: Uint8Array): Promise<unknown> {
  return await time.run(from.net.request(to.identity.peerId, HELLO_PROTOCOL, bytes)).catch((e: unknown) => e)
}

async function goodHelloStillWorks (): Promise<void> {
  const res = await time.run(alice.node.hello(bob.identity.peerId))
  expect(res).toMatchObject({ hello: 'verified', name: 'Bob' })
}

beforeAll(async () => {
  alice = await world.wallet('Alice')
  bob = await world.wallet('Bob')
  mallory = await world.wallet('Mallory')
})

describe('hello protocol', () => {
  it('both sides verify each other: "connected to <name>", over a memory link', async () => {
    const peer = await time.run(alice.node.connect(bob.node.contact()))
    expect(peer).toMatchObject({ peerId: bob.identity.peerId, userId: bob.identity.userId, name: 'Bob', hello: 'verified', link: 'memory', lastHelloAt: time.now })
    const seenByBob = bob.node.status().peers.find(p => p.peerId === alice.identity.peerId)
    expect(seenByBob).toMatchObject({ userId: alice.identity.userId, name: 'Alice', hello: 'verified', link: 'memory' })
    // both remember the verified contact
    expect(await alice.store.read(tx => tx.get('contacts', `${bob.identity.userId}/${bob.identity.peerId}`))).toMatchObject({ name: 'Bob', addrs: bob.node.contact().addrs })
    await time.advance(10)
    expect(await bob.store.read(tx => tx.get('contacts', `${alice.identity.userId}/${alice.identity.peerId}`))).toMatchObject({ name: 'Alice' })
  })

  it('refuses a bad signature with INVALID_SIGNATURE and keeps serving', async () => {
    const good = JSON.parse(new TextDecoder().decode(await aliceHello())) as { sig: string }
    const flipped = good.sig.startsWith('A') ? 'B' + good.sig.slice(1) : 'A' + good.sig.slice(1)
    const err = await sendRaw(alice, bob, new TextEncoder().encode(JSON.stringify({ ...good, sig: flipped })))
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ code: 'INVALID_SIGNATURE' })
    expect(bob.node.status().peers.find(p => p.peerId === alice.identity.peerId)).toMatchObject({ hello: 'failed', error: expect.stringMatching(/invalid signature/) })
    await goodHelloStillWorks()
    expect(bob.node.status().peers.find(p => p.peerId === alice.identity.peerId)).toMatchObject({ hello: 'verified' })
    expect(bob.node.status().peers.find(p => p.peerId === alice.identity.peerId)?.error).toBeUndefined()
  })

  it('refuses an oversized hello with TOO_LARGE and keeps serving', async () => {
    expect(await sendRaw(alice, bob, new Uint8Array(MAX_HELLO_BYTES + 1))).toMatchObject({ code: 'TOO_LARGE', name: 'RemoteError' })
    await goodHelloStillWorks()
  })

  it('refuses garbage bytes with MALFORMED and keeps serving', async () => {
    expect(await sendRaw(alice, bob, new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0xff]))).toMatchObject({ code: 'MALFORMED', message: 'the hello is not a JSON document' })
    expect(await sendRaw(alice, bob, new TextEncoder().encode('{"v":1}'))).toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/malformed signed envelope/) })
    expect(await sendRaw(alice, bob, await aliceHello({ name: '' }))).toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/malformed hello/) })
    await goodHelloStillWorks()
  })

  it('refuses a hello whose certificate is for another device than the connection (a stolen certificate)', async () => {
    // Mallory replays Alice's certificate and a hello claiming to be Alice, from Mallory's own node.
    const forged = await aliceHello({ from: alice.identity.peerId })
    expect(await sendRaw(mallory, bob, forged)).toMatchObject({ code: 'HELLO_MISMATCH', message: expect.stringMatching(/another device/) })
    await goodHelloStillWorks()
  })

  it('refuses a hello addressed to another node, signed by another user, or with a far-off time', async () => {
    expect(await sendRaw(alice, bob, await aliceHello({ to: mallory.identity.peerId }))).toMatchObject({ code: 'HELLO_MISMATCH', message: expect.stringMatching(/addressed to another node/) })
    expect(await sendRaw(alice, bob, await aliceHello({}, mallory.identity.userSecret))).toMatchObject({ code: 'WRONG_SIGNER' })
    expect(await sendRaw(alice, bob, await aliceHello({ time: time.now - HELLO_MAX_SKEW_MS - 60_000 }))).toMatchObject({ code: 'HELLO_STALE' })
    await goodHelloStillWorks()
  })

  it('an answer must echo our nonce', async () => {
    const theirs = await makeHello({ identity: bob.identity, crypto: nobleProvider, clock: time.clock, random: seededRandom(3) }, alice.identity.peerId, toBase64url(new Uint8Array(16)))
    const ctx = { remotePeerId: bob.identity.peerId, localPeerId: alice.identity.peerId, now: time.now }
    await expect(verifyHello(nobleProvider, theirs.bytes, { ...ctx, re: toBase64url(new Uint8Array(16).fill(1)) })).rejects.toMatchObject({ code: 'HELLO_MISMATCH' })
    await expect(verifyHello(nobleProvider, theirs.bytes, { ...ctx, re: toBase64url(new Uint8Array(16)) })).resolves.toMatchObject({ name: 'Bob' })
  })
})
