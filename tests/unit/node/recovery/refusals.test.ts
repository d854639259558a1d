// Forged presence records, forged or borrowed device certificates, and attempts to rewrite history through
// recovery: each is refused with a named error and changes nothing.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { certifyDevice, type DeviceCertificate } from '../../../../src/core/keys/device'
import { deriveUserSecret, userIdFromPublicKey } from '../../../../src/core/keys/user'
import { signPartyAction } from '../../../../src/core/chit/sign'
import { generatePhrase, phraseToSeed } from '../../../../src/core/keys/recovery'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { signEnvelope } from '../../../../src/core/codec/envelope'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { RendezvousRegistry } from '../../../../relay/p2p/rendezvous'
import { lookupPresence, MAX_RENDEZVOUS_REQUEST_BYTES, PRESENCE_TYPE, RENDEZVOUS_PROTOCOL, signPresence, encodeRendezvous } from '../../../../src/node/protocols/rendezvous'
import { sendRecovery } from '../../../../src/node/services/recovery/wire'
import { loadCertificates } from '../../../../src/node/services/diary/records'
import { tallyKey } from '../../../../src/node/services/tallies/records'
import { BASE, recoveryWorld } from './world'

const p = nobleProvider

async function user (n: number): Promise<{ userId: string, secret: Uint8Array }> {
  const secret = deriveUserSecret(await phraseToSeed(generatePhrase(new Uint8Array(16).fill(n))))
  return { userId: userIdFromPublicKey(await p.publicKey(secret)), secret }
}

async function device (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

async function presence (u: { userId: string, secret: Uint8Array }, peerId: string, time: number, certUser = u): Promise<unknown> {
  const deviceCert = await certifyDevice(p, certUser.secret, { userId: certUser.userId, peerId, name: 'phone', issuedAt: time })
  return await signPresence(p, u.secret, { userId: u.userId, peerId, addrs: ['/memory/x'], deviceCert, time })
}

describe('rendezvous registry', () => {
  it('keeps a valid record, latest wins, and refuses forged, borrowed, stale and oversized records by name', async () => {
    let now = 1_000_000
    const reg = new RendezvousRegistry({ crypto: p, now: () => now })
    const [alice, mallory] = [await user(1), await user(2)]
    const phone = await device()
    await reg.publish(await presence(alice, phone, now), phone)
    expect(reg.lookup([alice.userId]).records).toHaveLength(1)
    // Signed by another user key than the one it names (a relay or anyone forging Alice's presence).
    const forged = await signEnvelope(p, mallory.secret, PRESENCE_TYPE, { ...(await presence(alice, phone, now + 1) as { body: object }).body })
    await expect(reg.publish(forged, phone)).rejects.toMatchObject({ code: 'WRONG_SIGNER' })
    // A device certificate of another user, or of another device.
    await expect(reg.publish(await presence(alice, phone, now + 2, mallory), phone)).rejects.toMatchObject({ code: 'INVALID_PRESENCE' })
    const other = await device()
    const certForOther = await certifyDevice(p, alice.secret, { userId: alice.userId, peerId: other, name: 'x', issuedAt: now })
    const mismatched = await signPresence(p, alice.secret, { userId: alice.userId, peerId: phone, addrs: [], deviceCert: certForOther, time: now + 3 })
    await expect(reg.publish(mismatched, phone)).rejects.toMatchObject({ code: 'INVALID_PRESENCE' })
    // A device cannot publish another device's (valid) record.
    await expect(reg.publish(await presence(alice, phone, now + 4), other)).rejects.toMatchObject({ code: 'INVALID_PRESENCE' })
    // Older than the kept one, or far from the relay's clock.
    await expect(reg.publish(await presence(alice, phone, now - 1), phone)).rejects.toMatchObject({ code: 'STALE_PRESENCE' })
    await expect(reg.publish(await presence(alice, phone, now + 11 * 60_000), phone)).rejects.toMatchObject({ code: 'STALE_PRESENCE' })
    // Tampered after signing.
    const tampered = await presence(alice, phone, now + 5) as { body: { addrs: string[] } }
    tampered.body.addrs = ['/evil']
    await expect(reg.publish(tampered, phone)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    // Oversized and garbage requests.
    const big = await presence(alice, phone, now + 6) as { body: { addrs: string[] } }
    big.body.addrs = Array.from({ length: 8 }, () => 'a'.repeat(512))
    await expect(reg.publish(big, phone)).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(reg.handle(new TextEncoder().encode('{"t":"lookup","users":["nope"]}'), phone)).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(reg.handle(new Uint8Array(MAX_RENDEZVOUS_REQUEST_BYTES + 1), phone)).rejects.toMatchObject({ code: 'MALFORMED' })
    expect(reg.lookup([alice.userId]).records[0]!.body.time).toBe(now)
    // Latest wins; the cursor returns only changes; records expire.
    now += 10
    await reg.publish(await presence(alice, phone, now), phone)
    const t = reg.lookup([alice.userId]).now
    expect(reg.lookup([alice.userId], t + 1).records).toHaveLength(0)
    expect(reg.lookup([alice.userId], t).records[0]!.body.time).toBe(now)
    now += 61 * 60_000
    expect(reg.lookup([alice.userId]).records).toHaveLength(0)
    expect(reg.size).toBe(0)
  })

  it('bounds devices per user and records in all', async () => {
    let now = 5_000_000
    const reg = new RendezvousRegistry({ crypto: p, now: () => now, config: { maxRecords: 6 } })
    const [alice, bob] = [await user(3), await user(4)]
    const phones: string[] = []
    for (let i = 0; i < 6; i++) { phones.push(await device()); now++; await reg.publish(await presence(alice, phones[i]!, now), phones[i]!) }
    expect(reg.lookup([alice.userId]).records.map(r => r.body.peerId)).toEqual(phones.slice(2))
    for (let i = 0; i < 3; i++) { const d = await device(); now++; await reg.publish(await presence(bob, d, now), d) }
    expect(reg.size).toBe(6)
    expect(reg.lookup([alice.userId]).records).toHaveLength(3)
  })

  it('rate-limits each peer (publishes and lookups apart)', async () => {
    let now = 9_000_000
    const reg = new RendezvousRegistry({ crypto: p, now: () => now, config: { publishesPerMinute: 2, lookupsPerMinute: 3 } })
    const alice = await user(8)
    const phone = await device()
    const publish = async (): Promise<Uint8Array> => { now++; return await reg.handle(encodeRendezvous({ t: 'publish', record: await presence(alice, phone, now) }), phone) }
    const lookup = async (peer = phone): Promise<Uint8Array> => await reg.handle(encodeRendezvous({ t: 'lookup', users: [alice.userId] }), peer)
    await publish()
    await publish()
    await expect(publish()).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    for (let i = 0; i < 3; i++) await lookup()
    await expect(lookup()).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    await lookup(await device()) // another peer has its own bucket
    now += 30_000
    await publish()
    await expect(publish()).rejects.toMatchObject({ code: 'RATE_LIMITED' })
  })

  it('a reader drops records a lying relay returns (forged, or of a user it did not ask for)', async () => {
    const w = recoveryWorld(4101)
    const [alice, mallory] = [await user(5), await user(6)]
    const phone = await device()
    const good = await presence(alice, phone, w.time.clock.now())
    const forged = await signEnvelope(p, mallory.secret, PRESENCE_TYPE, (good as { body: object }).body)
    const unasked = await presence(mallory, await device(), w.time.clock.now())
    const liar = w.net.node('lying-relay')
    liar.handle(RENDEZVOUS_PROTOCOL, async () => encodeRendezvous({ t: 'records', records: [good, forged, unasked], now: 1 }), { maxRequestBytes: 1024 })
    await liar.start()
    const reader = w.net.node('reader')
    await reader.start()
    const res = await w.time.run(lookupPresence(p, reader, 'lying-relay', [alice.userId]))
    expect(res.records).toHaveLength(1)
    expect(res.refused).toBe(2)
  })
})

describe('recovery protocol refusals', () => {
  async function setup (seed: number) {
    const w = recoveryWorld(seed)
    const [a, b] = [await w.wallet('Alice'), await w.wallet('Bob')]
    const inv = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 3_000 })
    const { id } = await w.time.run(b.tallies.redeem(inv.link))
    await w.time.run(b.tallies.accept(id))
    await w.time.advance(2000)
    await w.time.run(b.tallies.pay(id, 1_000, 'one'))
    await w.time.run(a.tallies.pay(id, 200, 'two'))
    await w.time.advance(2000)
    // A device speaking for Alice: its own libp2p key (a restored phone, or an attacker's node).
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key).toString()
    const rogue = w.net.node(peerId)
    await rogue.start()
    const aliceSecret = deriveUserSecret(await phraseToSeed(a.phrase))
    const cert = await certifyDevice(p, aliceSecret, { userId: a.identity.userId, peerId, name: 'new phone', issuedAt: 0 })
    const memberKey = toBase64url(key.publicKey.raw)
    return { w, a, b, id, rogue, peerId, cert, aliceSecret, memberKey }
  }

  it('a forged device certificate, or a genuine one presented by another device, gets neither history nor a seat', async () => {
    const { w, b, id, rogue, peerId, cert } = await setup(4201)
    const mallory = await user(7)
    const forged = await certifyDevice(p, mallory.secret, { userId: mallory.userId, peerId, name: 'x', issuedAt: 0 })
    const relabelled = { ...forged, body: { ...forged.body, userId: cert.body.userId } }
    const ask = (c: unknown) => w.time.run(sendRecovery(rogue, b.identity.peerId, { t: 'history', cert: c, tally: id, after: 0, limit: 10 }))
    await expect(ask(relabelled)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    await expect(ask(forged)).rejects.toMatchObject({ code: 'NOT_TALLY_PARTNER' })
    const thief = w.net.node('thief-device')
    await thief.start()
    await expect(w.time.run(sendRecovery(thief, b.identity.peerId, { t: 'history', cert, tally: id, after: 0, limit: 10 }))).rejects.toMatchObject({ code: 'NOT_TALLY_PARTNER' })
    // The genuine device gets the history.
    expect(await ask(cert)).toMatchObject({ t: 'certificates', head: 2 })
  })

  it('a re-seat cannot rewrite history: a used chain key, another operation, other members or another side are refused and nothing changes', async () => {
    const { w, b, id, rogue, cert, aliceSecret, memberKey } = await setup(4202)
    const before = JSON.stringify(await b.store.read(tx => loadCertificates(tx, id, 1, 100)))
    const reseat = async (index: number, op: Parameters<typeof signPartyAction>[2]['op'], side: 'stock' | 'foil' = 'stock') =>
      await w.time.run(sendRecovery(rogue, b.identity.peerId, { t: 'reseat', cert, tally: id, action: await signPartyAction(p, aliceSecret, { tally: id, side, index, op }) }))
    // Alice's chain stands at 1 (she paid once): key 0 is used — replaying it to replace her payment is refused.
    await expect(reseat(0, { op: 'reseat', members: [{ key: memberKey, weight: 1 }] })).rejects.toMatchObject({ code: 'PROPOSAL_REJECTED' })
    await expect(reseat(1, { op: 'pay', chit: 'x'.repeat(22), units: 1 })).rejects.toMatchObject({ code: 'INVALID_RESEAT' })
    await expect(reseat(1, { op: 'reseat', members: [{ key: memberKey, weight: 1 }, { key: b.memberKey.replace(/^./, 'A'), weight: 1 }] })).rejects.toMatchObject({ code: 'INVALID_RESEAT' })
    await expect(reseat(1, { op: 'reseat', members: [{ key: b.memberKey, weight: 1 }] })).rejects.toMatchObject({ code: 'INVALID_RESEAT' })
    await expect(reseat(1, { op: 'reseat', members: [{ key: memberKey, weight: 1 }] }, 'foil')).rejects.toMatchObject({ code: 'INVALID_RESEAT' })
    expect(JSON.stringify(await b.store.read(tx => loadCertificates(tx, id, 1, 100)))).toBe(before)
    expect(await b.tallies.get(id)).toMatchObject({ seq: 2, balance: -800 })
    // The right one is certified, appended after the history (seq 3), which stays as it was.
    expect(await reseat(1, { op: 'reseat', members: [{ key: memberKey, weight: 1 }] })).toMatchObject({ t: 'reseated', seq: 3 })
    const after = await b.store.read(tx => loadCertificates(tx, id, 1, 100))
    expect(after).toHaveLength(3)
    expect(JSON.stringify(after.slice(0, 2))).toBe(before)
  })

  it('a restored device refuses a tampered history from a partner device and stores nothing', async () => {
    const { w, a, b, id } = await setup(4203)
    await a.node.stop()
    const a2 = await w.restore(a.phrase, 'Alice')
    // A device of Bob's user that serves a doctored history (an amount changed in entry 1).
    const bobSecret = deriveUserSecret(await phraseToSeed(b.phrase))
    const key = await generateKeyPair('Ed25519')
    const peerId = peerIdFromPrivateKey(key).toString()
    const evil = w.net.node(peerId)
    await evil.start()
    const cert = await certifyDevice(p, bobSecret, { userId: b.identity.userId, peerId, name: 'evil', issuedAt: 0 }) as DeviceCertificate
    const certs = await b.store.read(tx => loadCertificates(tx, id, 1, 100))
    const doctored = JSON.parse(JSON.stringify(certs)) as Array<{ entry: { body: { actions: Array<{ action: { body: { op: { units: number } } } }> } } }>
    doctored[0]!.entry.body.actions[0]!.action.body.op.units = 1
    evil.handle('/mychips/recovery/1.0.0', async () => new TextEncoder().encode(JSON.stringify({ t: 'certificates', head: 2, certificates: doctored })), { maxRequestBytes: 1 << 20 })
    const rec = await b.store.read(tx => tx.get<{ negotiation: { doc: unknown, sigs: unknown } }>('tallies', tallyKey(id)))
    const failed = new Promise<string>(resolve => { a2.recovery.on('failed', e => { resolve(e.code) }) })
    const res = await w.time.run(sendRecovery(evil, a2.identity.peerId, { t: 'offer', cert, addrs: [], tallies: [{ tally: { doc: rec!.negotiation.doc, sigs: rec!.negotiation.sigs }, role: 'invitee' }] }))
    expect(res).toMatchObject({ t: 'ok', accepted: 1 })
    expect(await w.time.run(failed)).toBe('INVALID_SIGNATURE')
    expect(await a2.tallies.list()).toEqual([])
    expect(await a2.store.read(tx => tx.list('entries'))).toEqual([])
  })
})

describe('recovery messages at the boundary', () => {
  it('garbage, oversized and unknown messages are refused MALFORMED and change nothing', async () => {
    const { decodeRecoveryRequest, MAX_RECOVERY_BYTES, RECOVERY_PROTOCOL } = await import('../../../../src/node/services/recovery/wire')
    const enc = (x: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(x))
    for (const bad of [new Uint8Array([0xff, 0xfe]), enc({ t: 'steal' }), enc({ t: 'history', cert: {}, tally: 'x', after: -1, limit: 5 }),
      enc({ t: 'history', cert: {}, tally: 'x'.repeat(22), after: 0, limit: 100_000 }), enc({ t: 'offer', cert: {}, addrs: [], tallies: [] }),
      new Uint8Array(MAX_RECOVERY_BYTES + 1)]) {
      expect(() => decodeRecoveryRequest(bad)).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
    }
    const w = recoveryWorld(4301)
    const b = await w.wallet('Bob')
    const stranger = w.net.node('stranger')
    await stranger.start()
    const before = JSON.stringify([...b.db.tables.entries()].filter(([t]) => t !== 'meta'))
    await expect(w.time.run(stranger.request(b.identity.peerId, RECOVERY_PROTOCOL, enc({ t: 'offer', cert: 'x', addrs: [], tallies: [{ tally: {}, role: 'inviter' }] })))).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(w.time.run(stranger.request(b.identity.peerId, RECOVERY_PROTOCOL, new Uint8Array([1, 2, 3])))).rejects.toMatchObject({ code: 'MALFORMED' })
    expect(JSON.stringify([...b.db.tables.entries()].filter(([t]) => t !== 'meta'))).toBe(before)
  })

  it('an offer is refused from a device of our own user, for a tally that does not name us, or with a tampered document', async () => {
    const { w, a, b, id, rogue, cert } = await (async () => {
      const w = recoveryWorld(4302)
      const [a, b] = [await w.wallet('Alice'), await w.wallet('Bob')]
      const inv = await a.tallies.invite(BASE, { kind: 'extend', myLimit: 10_000, partnerLimit: 3_000 })
      const { id } = await w.time.run(b.tallies.redeem(inv.link))
      await w.time.run(b.tallies.accept(id))
      await w.time.advance(2000)
      const key = await generateKeyPair('Ed25519')
      const peerId = peerIdFromPrivateKey(key).toString()
      const rogue = w.net.node(peerId)
      await rogue.start()
      const bobSecret = deriveUserSecret(await phraseToSeed(b.phrase))
      const cert = await certifyDevice(p, bobSecret, { userId: b.identity.userId, peerId, name: 'Bob 2', issuedAt: 0 })
      return { w, a, b, id, rogue, cert }
    })()
    const rec = await b.store.read(tx => tx.get<{ negotiation: { doc: { id: string }, sigs: { stock: string, foil: string } } }>('tallies', tallyKey(id)))
    const tally = { doc: rec!.negotiation.doc, sigs: rec!.negotiation.sigs }
    const offer = (to: string, c: unknown, t: unknown) => w.time.run(sendRecovery(rogue, to, { t: 'offer', cert: c, addrs: [], tallies: [{ tally: t, role: 'inviter' }] }))
    // To Bob himself (a device of the same user): not a partner.
    await expect(offer(b.identity.peerId, cert, tally)).rejects.toMatchObject({ code: 'NOT_TALLY_PARTNER' })
    // To a third wallet that is not a party.
    const carol = await w.wallet('Carol')
    await expect(offer(carol.identity.peerId, cert, tally)).rejects.toMatchObject({ code: 'NOT_OUR_TALLY' })
    // A tampered document (limits changed after both signed).
    const tampered = JSON.parse(JSON.stringify(tally)) as { doc: { stock: { terms: { limit: number } } } }
    tampered.doc.stock.terms.limit = 1
    await expect(offer(a.identity.peerId, cert, tampered)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    expect(await carol.tallies.list()).toEqual([])
  })
})
