// The tally machine's authentication rules: signature, forward key chain, membership, re-seat quorum.
import { beforeEach, describe, expect, it } from 'vitest'
import { Device, TALLY_ID, chitId, machine, nodeKey, openWorld, p, type World } from './fixtures'
import { replay } from '../../../../src/core/tally/machine'
import { memberSet, type TallyState } from '../../../../src/core/tally/state'
import { signPartyAction } from '../../../../src/core/chit/sign'
import { signEnvelope } from '../../../../src/core/codec/envelope'
import { KeyUsedError, UnknownKeyError, chainPublicKey, deriveChainSecret } from '../../../../src/core/keys/chain'
import type { PartyAction, TallyAction } from '../../../../src/core/chit/types'
import { InvalidSignatureError, MalformedError } from '../../../../src/core/errors'
import { MembershipNotSignedByBothError, WrongTallyError } from '../../../../src/core/tally/errors'
import { hashOf } from '../../../../src/core/codec/hash'

let w: World
let alice: Device
let bob: Device
let s: TallyState

beforeEach(async () => {
  w = await openWorld()
  alice = new Device(w.alice, 'foil')
  bob = new Device(w.bob, 'stock')
  s = w.state
})

const party = (a: TallyAction): PartyAction => (a as { action: PartyAction }).action

describe('signatures', () => {
  it('rejects an action with a bad signature (InvalidSignatureError) and changes nothing', async () => {
    const a = party(await alice.sign({ op: 'pay', chit: chitId(), units: 5 }))
    const sig = Buffer.from(a.sig, 'base64url'); sig[1]! ^= 4
    await expect(machine.apply(s, { kind: 'party', action: { ...a, sig: sig.toString('base64url') } })).rejects.toThrow(InvalidSignatureError)
  })
  it('rejects a tampered field: units, chit id, side, next key', async () => {
    const a = party(await alice.sign({ op: 'pay', chit: chitId(), units: 5 }))
    const tamper = (body: object) => machine.apply(s, { kind: 'party', action: { ...a, body: { ...a.body, ...body } } as PartyAction })
    await expect(tamper({ op: { ...a.body.op, units: 50 } })).rejects.toThrow(InvalidSignatureError)
    await expect(tamper({ op: { ...a.body.op, chit: 'chit-tampered' } })).rejects.toThrow(InvalidSignatureError)
    await expect(tamper({ next: a.signer.replace(/^./, a.signer[0] === 'A' ? 'B' : 'A') })).rejects.toThrow(InvalidSignatureError)
    await expect(tamper({ side: 'stock' })).rejects.toThrow(UnknownKeyError) // not the stock's chain key
  })
  it('rejects an action for another tally and a malformed action', async () => {
    const other = new Device(w.alice, 'foil', 0, 'another-tally-id')
    await expect(machine.apply(s, await other.sign({ op: 'pay', chit: chitId(), units: 5 }))).rejects.toThrow(WrongTallyError)
    await expect(machine.apply(s, { kind: 'party', action: { nope: 1 } } as unknown as TallyAction)).rejects.toThrow(MalformedError)
    await expect(machine.apply(s, { kind: 'whatever' } as unknown as TallyAction)).rejects.toThrow(MalformedError)
    await expect(machine.apply(s, await alice.sign({ op: 'pay', chit: chitId(), units: 0 }))).rejects.toThrow(MalformedError)
  })
})

describe('forward key chain', () => {
  it('every action names the next key; the chain advances per party', async () => {
    const a = party(await alice.sign({ op: 'pay', chit: chitId(), units: 5 }))
    expect(a.signer).toBe(await chainPublicKey(p, w.alice.secret, TALLY_ID, 0))
    expect(a.body.next).toBe(await chainPublicKey(p, w.alice.secret, TALLY_ID, 1))
    s = (await machine.apply(s, { kind: 'party', action: a })).state
    expect(s.foil.chain).toEqual({ index: 1, next: a.body.next })
  })
  it('refuses a reused key (KEY_USED, naming the key to use) and an unknown or future key (UNKNOWN_KEY)', async () => {
    const first = await alice.sign({ op: 'pay', chit: chitId(), units: 5 })
    s = (await machine.apply(s, first)).state
    const reused = await alice.sign({ op: 'pay', chit: chitId(), units: 5 }, 0)
    await expect(machine.apply(s, reused)).rejects.toMatchObject({ code: 'KEY_USED', used: 0, expected: 1 })
    await expect(machine.apply(s, await alice.sign({ op: 'pay', chit: chitId(), units: 5 }, 2))).rejects.toThrow(UnknownKeyError)
    // the right index signed with a key that is not the announced one (e.g. Bob's secret)
    const wrong = await signPartyAction(p, w.bob.secret, { tally: TALLY_ID, side: 'foil', index: 1, op: { op: 'pay', chit: chitId(), units: 5 } })
    await expect(machine.apply(s, { kind: 'party', action: wrong })).rejects.toThrow(UnknownKeyError)
  })
  it('refuses an action whose next key repeats the signing key', async () => {
    const secret = deriveChainSecret(w.alice.secret, TALLY_ID, 0)
    const signer = await chainPublicKey(p, w.alice.secret, TALLY_ID, 0)
    const env = await signEnvelope(p, secret, 'tally-action', { tally: TALLY_ID, side: 'foil', index: 0, next: signer, op: { op: 'pay', chit: chitId(), units: 1 } })
    await expect(machine.apply(s, { kind: 'party', action: env as PartyAction })).rejects.toThrow(MalformedError)
  })
  it('any device holding the recovery secret continues the chain (derivation by tally and index)', async () => {
    s = (await machine.apply(s, await alice.sign({ op: 'pay', chit: chitId(), units: 5 }))).state
    s = (await machine.apply(s, await alice.sign({ op: 'pay', chit: chitId(), units: 5 }))).state
    const restored = new Device(w.alice, 'foil', s.foil.chain.index) // a new device restored from the phrase
    expect((await machine.apply(s, await restored.sign({ op: 'pay', chit: chitId(), units: 5 }))).refusal).toBeUndefined()
  })
  it('an old key cannot sign anything new', async () => {
    for (let i = 0; i < 3; i++) s = (await machine.apply(s, await alice.sign({ op: 'pay', chit: chitId(), units: 1 }))).state
    for (const old of [0, 1, 2]) {
      await expect(machine.apply(s, await alice.sign({ op: 'pay', chit: chitId(), units: 1 }, old))).rejects.toThrow(KeyUsedError)
    }
  })
})

describe('tally network membership', () => {
  const newSet = () => ({ stock: [{ key: nodeKey(4), weight: 1 }, { key: nodeKey(5), weight: 2 }], foil: [{ key: nodeKey(1), weight: 1 }] })

  it('starts with the members negotiated in the tally', () => {
    expect(machine.members(s)).toEqual({ stock: [{ key: nodeKey(4), weight: 1 }], foil: [1, 2, 3].map(n => ({ key: nodeKey(n), weight: 1 })) })
  })
  it('changes when both parties sign the same member set; both chains advance', async () => {
    const stock = party(await bob.sign({ op: 'members', members: newSet() }))
    const foil = party(await alice.sign({ op: 'members', members: newSet() }))
    const r = await machine.apply(s, { kind: 'members', stock, foil })
    expect(r.refusal).toBeUndefined()
    expect(memberSet(r.state)).toEqual(newSet())
    expect([r.state.stock.chain.index, r.state.foil.chain.index]).toEqual([1, 1])
  })
  it('refuses a change not signed by both parties (MEMBERSHIP_NOT_SIGNED_BY_BOTH)', async () => {
    const stock = party(await bob.sign({ op: 'members', members: newSet() }))
    await expect(machine.apply(s, { kind: 'members', stock })).rejects.toThrow(MembershipNotSignedByBothError)
    await expect(machine.apply(s, { kind: 'party', action: stock })).rejects.toThrow(MembershipNotSignedByBothError)
    const foilOther = party(await alice.sign({ op: 'members', members: { ...newSet(), foil: [{ key: nodeKey(2), weight: 1 }] } }))
    await expect(machine.apply(s, { kind: 'members', stock, foil: foilOther })).rejects.toThrow(MembershipNotSignedByBothError)
    // Bob's signature placed in the foil's slot
    await expect(machine.apply(s, { kind: 'members', stock, foil: stock })).rejects.toThrow(MalformedError)
  })
  it('refuses an invalid member set (INVALID_MEMBERS) while consuming both keys', async () => {
    const bad = { stock: [{ key: nodeKey(4), weight: 1 }], foil: [{ key: nodeKey(4), weight: 1 }] }
    const r = await machine.apply(s, { kind: 'members', stock: party(await bob.sign({ op: 'members', members: bad })), foil: party(await alice.sign({ op: 'members', members: bad })) })
    expect(r.refusal?.code).toBe('INVALID_MEMBERS')
    expect(r.state.stock.chain.index).toBe(1)
    expect(memberSet(r.state)).toEqual(memberSet(s))
  })
  it('re-seat: a party replaces its own members with its next chain key; the partner\'s majority alone certifies it', async () => {
    const reseat = await alice.sign({ op: 'reseat', members: [{ key: nodeKey(9), weight: 1 }] })
    expect(await machine.quorum!(s, [reseat])).toEqual(['stock'])
    const r = await machine.apply(s, reseat)
    expect(r.refusal).toBeUndefined()
    expect(r.state.foil.members).toEqual([{ key: nodeKey(9), weight: 1 }])
    expect(r.state.stock.members).toEqual(s.stock.members)
    // anything else, or mixed with a re-seat, needs both parties
    const pay = await bob.sign({ op: 'pay', chit: chitId(), units: 1 })
    expect(await machine.quorum!(s, [pay])).toEqual(['stock', 'foil'])
    expect(await machine.quorum!(s, [reseat, pay])).toEqual(['stock', 'foil'])
    expect(await machine.quorum!(s, [reseat, await bob.sign({ op: 'reseat', members: [{ key: nodeKey(8), weight: 1 }] })])).toEqual(['stock', 'foil'])
  })
  it('a closed tally refuses membership changes and re-seats (FORBIDDEN_TRANSITION)', async () => {
    s = (await machine.apply(s, await alice.sign({ op: 'set', chit: chitId(), close: true }))).state
    expect(s.status).toBe('closed')
    const r = await machine.apply(s, { kind: 'members', stock: party(await bob.sign({ op: 'members', members: newSet() })), foil: party(await alice.sign({ op: 'members', members: newSet() })) })
    expect(r.refusal?.code).toBe('FORBIDDEN_TRANSITION')
    expect((await machine.apply(r.state, await alice.sign({ op: 'reseat', members: [{ key: nodeKey(9), weight: 1 }] }))).refusal?.code).toBe('FORBIDDEN_TRANSITION')
  })
  it('a re-seat that collides with the partner\'s members is refused', async () => {
    const r = await machine.apply(s, await alice.sign({ op: 'reseat', members: [{ key: nodeKey(4), weight: 1 }] }))
    expect(r.refusal?.code).toBe('INVALID_MEMBERS')
  })
})

describe('replay and digest', () => {
  it('computes the state from a sequence of actions, collecting refusals; equal histories give equal state hashes', async () => {
    const actions = [
      await alice.sign({ op: 'pay', chit: chitId(), units: 100 }),
      await bob.sign({ op: 'pay', chit: chitId(), units: 99_999 }),
      await bob.sign({ op: 'invoice', chit: chitId(), units: 50 })
    ]
    const r1 = await replay(machine, w.state, actions)
    const r2 = await replay(machine, w.state, JSON.parse(JSON.stringify(actions)) as TallyAction[])
    expect(r1.refusals).toEqual([{ at: 1, code: 'OVER_LIMIT' }])
    expect(r1.state.balance).toBe(100)
    expect(hashOf(r1.state)).toBe(hashOf(r2.state))
    expect(r1.state.actions).toBe(3)
  })
})

describe('preverifyAction', () => {
  it('checks the signatures of an action without state; with a shared verify-once cache apply() verifies nothing twice', async () => {
    const { preverifyAction, tallyMachine } = await import('../../../../src/core/tally/machine')
    const { verifyOnceCache } = await import('../../../../src/core/crypto/cache')
    const cached = verifyOnceCache(p)
    const m = tallyMachine(cached)
    const a = await alice.sign({ op: 'pay', chit: chitId(), units: 5 })
    await preverifyAction(cached, a)
    expect(cached.stats().misses).toBe(1)
    expect((await m.apply(s, a)).refusal).toBeUndefined()
    expect(cached.stats()).toMatchObject({ misses: 1, hits: 1 })
    const bad = party(a); const sig = Buffer.from(bad.sig, 'base64url'); sig[0]! ^= 1
    await expect(preverifyAction(cached, { kind: 'party', action: { ...bad, sig: sig.toString('base64url') } })).rejects.toThrow(InvalidSignatureError)
    await expect(preverifyAction(cached, { kind: 'nope' })).rejects.toThrow(MalformedError)
  })
})
