// /mychips/diary/1.0.0 at the boundary: every message validated and size-limited; a tampered, replayed,
// oversized or garbage message is refused with a named error and changes nothing.
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { sha256 } from '../../../../src/core/codec/hash'
import { applyActions, entryHash, signEntry, type Certificate, type Entry, type Genesis } from '../../../../src/core/diary'
import {
  DIARY_PROTOCOL, MAX_DIARY_MESSAGE_BYTES, decodeDiaryRequest, decodeDiaryResponse, encodeDiaryMessage, type DiaryRequest
} from '../../../../src/node/protocols/diary'
import { toyMachine, type ToyAction, type ToyState } from '../../core/diary/fixtures'
import { DiarySim, memberSetOf, provider, type SimDiaryNode } from './sim'

type Node = SimDiaryNode<ToyState, ToyAction>
const enc = (x: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(x))

async function world (seed: number): Promise<{ sim: DiarySim<ToyState, ToyAction>, s: Node, f: Node, x: Node, genesis: Genesis<ToyState> }> {
  const sim = new DiarySim<ToyState, ToyAction>(toyMachine, seed)
  const s = await sim.add('s')
  const f = await sim.add('f')
  const x = await sim.add('outsider')
  const genesis: Genesis<ToyState> = {
    tally: 'proto-tally', hash: toBase64url(sha256(new TextEncoder().encode('proto'))),
    state: { count: 0, limit: 100, members: memberSetOf([s], [f]), seen: [], next: { stock: 'k', foil: 'k' } }
  }
  await s.service.open(genesis)
  await f.service.open(genesis)
  return { sim, s, f, x, genesis }
}

/** Everything the node has stored (to show a refused message changed nothing). */
function snapshot (n: Node): string {
  return JSON.stringify([...n.db.tables].map(([t, rows]) => [t, [...rows].filter(([k]) => k !== 'writer-epoch')]))
}

async function entryBy (n: Node, genesis: Genesis<ToyState>, actions: ToyAction[]): Promise<Entry<ToyAction>> {
  const { refused } = await applyActions(toyMachine, genesis.state, actions)
  return await signEntry(provider, n.keys.identity.secret, { tally: genesis.tally, seq: 1, prev: genesis.hash, author: n.key, attempt: 0, actions, refused })
}

async function raw (sim: DiarySim<ToyState, ToyAction>, from: Node, to: Node, body: Uint8Array): Promise<unknown> {
  const r = await sim.settle(from.net.request(to.keys.peerId, DIARY_PROTOCOL, body, { maxResponseBytes: MAX_DIARY_MESSAGE_BYTES }))
  return decodeDiaryResponse(r.body)
}

async function refused (sim: DiarySim<ToyState, ToyAction>, from: Node, to: Node, body: Uint8Array): Promise<string> {
  try {
    await raw(sim, from, to, body)
  } catch (e) {
    return (e as { code: string }).code
  }
  throw new Error('the message was accepted')
}

describe('diary wire codec', () => {
  const entry = { v: 1 }
  it('accepts each well-formed request and response', () => {
    const reqs: DiaryRequest[] = [
      { t: 'propose', tally: 't', entry, answers: [] },
      { t: 'propose', tally: 't', entry, answers: [entry], round: { n: 1 }, promises: [entry], votes: [] },
      { t: 'prepare', tally: 't', seq: 1, round: { n: 1 } },
      { t: 'certificate', tally: 't', certificate: entry },
      { t: 'release', tally: 't', proof: entry },
      { t: 'query', tally: 't', seq: 1 },
      { t: 'fetch', tally: 't', after: 0, limit: 10 },
      { t: 'handoff', tally: 't', actions: [1] }
    ]
    for (const r of reqs) expect(decodeDiaryRequest(encodeDiaryMessage(r))).toEqual(r)
    expect(decodeDiaryResponse(enc({ t: 'accepted', count: 1 }))).toEqual({ t: 'accepted', count: 1 })
  })

  it.each([
    ['not UTF-8', new Uint8Array([0xff, 0xfe, 0x00])],
    ['not JSON', new TextEncoder().encode('{"t":')],
    ['an unknown message', enc({ t: 'gossip', tally: 't' })],
    ['an unknown field', enc({ t: 'query', tally: 't', seq: 1, extra: true })],
    ['a fractional seq', enc({ t: 'query', tally: 't', seq: 1.5 })],
    ['seq 0 in a query', enc({ t: 'query', tally: 't', seq: 0 })],
    ['an empty handoff', enc({ t: 'handoff', tally: 't', actions: [] })],
    ['a too long fetch', enc({ t: 'fetch', tally: 't', after: 0, limit: 100_000 })],
    ['an over-long tally id', enc({ t: 'query', tally: 'x'.repeat(200), seq: 1 })],
    ['too many answers', enc({ t: 'propose', tally: 't', entry, answers: Array.from({ length: 257 }, () => entry) })]
  ])('refuses %s as MALFORMED', (_what, bytes) => {
    expect(() => decodeDiaryRequest(bytes)).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })

  it('refuses an oversized message as TOO_LARGE, both ways', () => {
    const big = { t: 'handoff' as const, tally: 't', actions: ['x'.repeat(MAX_DIARY_MESSAGE_BYTES)] }
    expect(() => encodeDiaryMessage(big)).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }))
    expect(() => decodeDiaryRequest(enc(big))).toThrow(expect.objectContaining({ code: 'TOO_LARGE' }))
  })
})

describe('diary protocol handler (sim network)', () => {
  it('refuses garbage, oversized, outsiders and unknown tallies with named errors; nothing changes', async () => {
    const { sim, s, f, x } = await world(21)
    const before = snapshot(s)
    expect(await refused(sim, f, s, new TextEncoder().encode('garbage'))).toBe('MALFORMED')
    expect(await refused(sim, f, s, new Uint8Array(MAX_DIARY_MESSAGE_BYTES + 1))).toBe('TOO_LARGE')
    expect(await refused(sim, x, s, encodeDiaryMessage({ t: 'query', tally: 'proto-tally', seq: 1 }))).toBe('NOT_A_TALLY_MEMBER')
    expect(await refused(sim, x, s, encodeDiaryMessage({ t: 'fetch', tally: 'proto-tally', after: 0, limit: 10 }))).toBe('NOT_A_TALLY_MEMBER')
    expect(await refused(sim, f, s, encodeDiaryMessage({ t: 'query', tally: 'other', seq: 1 }))).toBe('UNKNOWN_TALLY')
    expect(snapshot(s)).toBe(before)
  })

  it('refuses a tampered entry (INVALID_SIGNATURE) and an entry by an outsider; nothing changes', async () => {
    const { sim, s, f, x, genesis } = await world(22)
    const before = snapshot(s)
    const good = await entryBy(f, genesis, [{ type: 'add', id: 'a', n: 5 }])
    const tampered = { ...good, body: { ...good.body, actions: [{ type: 'add', id: 'a', n: 50 }] } }
    expect(await refused(sim, f, s, enc({ t: 'propose', tally: genesis.tally, entry: tampered, answers: [] }))).toBe('INVALID_SIGNATURE')
    const byOutsider = await entryBy(x, genesis, [{ type: 'add', id: 'a', n: 5 }])
    const r = await raw(sim, f, s, enc({ t: 'propose', tally: genesis.tally, entry: byOutsider, answers: [] })) as { t: string, answer: { body: { verdict: string, reason: { code: string } } } }
    // An outsider's entry is answered with a signed reject (deterministic, nothing stored).
    expect(r.answer.body).toMatchObject({ verdict: 'reject', reason: { code: 'NOT_A_MEMBER' } })
    expect(snapshot(s)).toBe(before)
  })

  it('a replayed proposal gets the very same answer and changes nothing more', async () => {
    const { sim, s, f, genesis } = await world(23)
    const entry = await entryBy(f, genesis, [{ type: 'add', id: 'a', n: 5 }])
    const msg = encodeDiaryMessage({ t: 'propose', tally: genesis.tally, entry: entry as unknown as Record<string, unknown>, answers: [] })
    const first = await raw(sim, f, s, msg) as { t: string, answer: { body: { verdict: string } } }
    expect(first.answer.body.verdict).toBe('approve')
    const after = snapshot(s)
    expect(await raw(sim, f, s, msg)).toEqual(first)
    expect(snapshot(s)).toBe(after)
  })

  it('refuses a tampered or under-approved certificate; a replayed one changes nothing', async () => {
    const { sim, s, f, genesis } = await world(24)
    // A real certificate at seq 1, taken from the foil.
    await sim.settle(f.service.submit(genesis.tally, [{ type: 'add', id: 'a', n: 5 }]))
    await sim.until(() => s.service.head(genesis.tally)!.seq === 1)
    const [cert] = await f.service.entries(genesis.tally)
    const c = cert!
    // A fresh stock node that missed it (lost its data) is offered bad versions first.
    await s.crash(); s.wipe(); await s.start(); await s.service.open(genesis)
    const before = snapshot(s)
    const send = async (certificate: unknown): Promise<string> => await refused(sim, f, s, enc({ t: 'certificate', tally: genesis.tally, certificate }))
    const changedAction: Certificate<ToyAction> = { ...c, entry: { ...c.entry, body: { ...c.entry.body, actions: [{ type: 'add', id: 'a', n: 99 }] } } }
    expect(await send(changedAction)).toBe('INVALID_SIGNATURE')
    expect(await send({ ...c, approvals: c.approvals.slice(0, 1) })).toBe('NO_QUORUM')
    expect(await send({ ...c, approvals: [c.approvals[0], c.approvals[0]] })).toBe('DUPLICATE_ANSWER')
    const badSig = { ...c.approvals[1]!, sig: c.approvals[0]!.sig }
    expect(await send({ ...c, approvals: [c.approvals[0], badSig] })).toBe('INVALID_SIGNATURE')
    expect(await send({ ...c, extra: 1 })).toBe('MALFORMED')
    expect(snapshot(s)).toBe(before)
    expect(s.service.head(genesis.tally)!.seq).toBe(0)
    // The genuine one applies; replaying it changes nothing.
    const ok = await raw(sim, f, s, enc({ t: 'certificate', tally: genesis.tally, certificate: c })) as { t: string, head: { seq: number } }
    expect(ok).toMatchObject({ t: 'applied', head: { seq: 1 } })
    const after = snapshot(s)
    expect(await raw(sim, f, s, enc({ t: 'certificate', tally: genesis.tally, certificate: c }))).toEqual(ok)
    expect(snapshot(s)).toBe(after)
    expect(entryHash((await s.service.entries(genesis.tally))[0]!.entry)).toBe(entryHash(c.entry))
  })

  it('refuses a handoff carrying a malformed action; nothing is queued', async () => {
    const { sim, s, f, genesis } = await world(25)
    expect(await refused(sim, s, f, enc({ t: 'handoff', tally: genesis.tally, actions: [{ type: 'explode', id: 'x' }] }))).toBe('MALFORMED')
    await sim.advance(10_000)
    expect(f.service.head(genesis.tally)!.seq).toBe(0)
    // A good handoff is accepted once; a replay adds nothing.
    const good = enc({ t: 'handoff', tally: genesis.tally, actions: [{ type: 'add', id: 'h', n: 1 }] })
    expect(await raw(sim, s, f, good)).toEqual({ t: 'accepted', count: 1 })
    await sim.until(() => f.service.head(genesis.tally)!.seq === 1)
    expect(await raw(sim, s, f, good)).toEqual({ t: 'accepted', count: 0 })
    await sim.advance(10_000)
    expect(f.service.head(genesis.tally)!.seq).toBe(1)
  })

  it('catch-up refuses a tampered history from a peer and applies nothing from it', async () => {
    const { sim, s, f, genesis } = await world(26)
    for (let i = 0; i < 3; i++) await sim.settle(f.service.submit(genesis.tally, [{ type: 'add', id: `c${i}`, n: 1 }]))
    const certs = await f.service.entries(genesis.tally)
    await s.crash(); s.wipe(); await s.start(); await s.service.open(genesis)
    // The foil's node now serves a history whose second entry was altered.
    f.net.handle(DIARY_PROTOCOL, async () => {
      const bad = certs.map((c, i) => i === 1 ? { ...c, entry: { ...c.entry, body: { ...c.entry.body, actions: [{ type: 'add', id: 'c1', n: 90 }] } } } : c)
      return enc({ t: 'certificates', head: { seq: 3, hash: entryHash(certs[2]!.entry) }, certificates: bad })
    }, { maxRequestBytes: MAX_DIARY_MESSAGE_BYTES })
    const before = snapshot(s)
    await expect(sim.settle(s.service.catchUp(genesis.tally, f.key))).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' })
    expect(snapshot(s)).toBe(before)
    expect(s.service.head(genesis.tally)!.seq).toBe(0)
    // A history cut at a missing approval (no quorum) is refused the same way.
    f.net.handle(DIARY_PROTOCOL, async () => enc({ t: 'certificates', head: { seq: 3, hash: entryHash(certs[2]!.entry) }, certificates: certs.map(c => ({ ...c, approvals: c.approvals.slice(1) })) }), { maxRequestBytes: MAX_DIARY_MESSAGE_BYTES })
    await expect(sim.settle(s.service.catchUp(genesis.tally, f.key))).rejects.toMatchObject({ code: 'NO_QUORUM' })
    expect(snapshot(s)).toBe(before)
  })
})
