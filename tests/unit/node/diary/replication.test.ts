// Diary replication between nodes on the simulated network (virtual time, seeded): certification, both
// sides at once, the partner offline, crashes mid-commit, catch-up verified offline, tampered certificates.
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { sha256 } from '../../../../src/core/codec/hash'
import type { Certificate, Genesis } from '../../../../src/core/diary'
import { toyMachine, type ToyAction, type ToyState } from '../../core/diary/fixtures'
import { DiarySim, memberSetOf, type SimDiaryNode } from './sim'

type Node = SimDiaryNode<ToyState, ToyAction>

async function world (seed: number, stock = 1, foil = 1, limit = 1_000_000): Promise<{ sim: DiarySim<ToyState, ToyAction>, s: Node[], f: Node[], genesis: Genesis<ToyState> }> {
  const sim = new DiarySim<ToyState, ToyAction>(toyMachine, seed)
  const s: Node[] = []
  const f: Node[] = []
  for (let i = 0; i < stock; i++) s.push(await sim.add(`s${i}`))
  for (let i = 0; i < foil; i++) f.push(await sim.add(`f${i}`))
  const tally = `tally-${seed}`
  const genesis: Genesis<ToyState> = {
    tally,
    hash: toBase64url(sha256(new TextEncoder().encode(`genesis:${tally}`))),
    state: { count: 0, limit, members: memberSetOf(s, f), seen: [], next: { stock: 'k', foil: 'k' } }
  }
  for (const n of [...s, ...f]) await n.service.open(genesis)
  return { sim, s, f, genesis }
}

let counter = 0
const add = (n: number, who: string): ToyAction => ({ type: 'add', id: `${who}-${++counter}`, n })

async function diary (n: Node, tally: string): Promise<Array<Certificate<ToyAction>>> {
  return await n.service.entries(tally)
}

/** Every node holds the same certified entries and the same state. */
async function expectConverged (nodes: Node[], tally: string): Promise<Array<Certificate<ToyAction>>> {
  const first = await diary(nodes[0]!, tally)
  for (const n of nodes.slice(1)) {
    expect(await diary(n, tally)).toEqual(first)
    expect(n.service.state(tally)).toEqual(nodes[0]!.service.state(tally))
    expect(n.service.head(tally)).toEqual(nodes[0]!.service.head(tally))
  }
  return first
}

describe('diary replication (sim network)', () => {
  it('two nodes certify entries proposed by either side (the stock hands its actions to the foil)', async () => {
    const { sim, s, f, genesis } = await world(1)
    const a = await sim.settle(f[0]!.service.submit(genesis.tally, [add(5, 'f')]))
    expect(a.outcomes).toHaveLength(1)
    expect(a.outcomes[0]!.refused).toBeUndefined()
    const b = await sim.settle(s[0]!.service.submit(genesis.tally, [add(-2, 's'), add(1, 's')]))
    expect(b.outcomes.map(o => o.seq)).toEqual([2, 2])
    await sim.until(() => s[0]!.service.head(genesis.tally)!.seq === 2 && f[0]!.service.head(genesis.tally)!.seq === 2)
    const certs = await expectConverged([...s, ...f], genesis.tally)
    // Both entries were authored by the preferred proposer (the foil's node): the stock handed off.
    expect(certs.map(c => c.entry.body.author)).toEqual([f[0]!.key, f[0]!.key])
    expect(f[0]!.service.state(genesis.tally)!.count).toBe(4)
    expect(await s[0]!.service.queued(genesis.tally)).toEqual([])
  })

  it('records a refused action with its code and resolves the submit with it', async () => {
    const { sim, f, s, genesis } = await world(2, 1, 1, 10)
    const r = await sim.settle(s[0]!.service.submit(genesis.tally, [add(8, 's'), add(8, 's')]))
    expect(r.outcomes.map(o => o.refused)).toEqual([undefined, 'OVER_LIMIT'])
    await sim.until(() => f[0]!.service.head(genesis.tally)!.seq === 1 && s[0]!.service.head(genesis.tally)!.seq === 1)
    expect(s[0]!.service.state(genesis.tally)!.count).toBe(8)
  })

  it('rejects a malformed action with a named error, drops it from the outbox, and certifies the rest of its batch', async () => {
    const { sim, f, genesis } = await world(3)
    const bad = sim.settle(f[0]!.service.submit(genesis.tally, [{ type: 'explode', id: 'x' }]))
    await expect(bad).rejects.toMatchObject({ code: 'PROPOSAL_REJECTED' })
    expect(await f[0]!.service.queued(genesis.tally)).toEqual([])
    const good = f[0]!.service.submit(genesis.tally, [add(1, 'f')])
    const worse = f[0]!.service.submit(genesis.tally, [{ type: 'explode', id: 'y' }])
    const failed = worse.catch((e: unknown) => e)
    expect((await sim.settle(good)).outcomes[0]!.refused).toBeUndefined()
    expect(await sim.settle(failed)).toMatchObject({ code: 'PROPOSAL_REJECTED' })
    expect(f[0]!.service.state(genesis.tally)!.count).toBe(1)
  })

  it('both sides issuing concurrently end with identical certified diaries (seeds 11, 12, 13)', async () => {
    for (const seed of [11, 12, 13]) {
      const { sim, s, f, genesis } = await world(seed)
      const subs: Array<Promise<unknown>> = []
      let expected = 0
      for (let i = 0; i < 20; i++) {
        expected += 3 - 2
        subs.push(s[0]!.service.submit(genesis.tally, [add(3, 's')]))
        subs.push(f[0]!.service.submit(genesis.tally, [add(-2, 'f')]))
      }
      await sim.settle(Promise.all(subs))
      await sim.until(() => s[0]!.service.head(genesis.tally)!.seq === f[0]!.service.head(genesis.tally)!.seq)
      const certs = await expectConverged([...s, ...f], genesis.tally)
      expect(certs.flatMap(c => c.entry.body.actions)).toHaveLength(40)
      expect(s[0]!.service.state(genesis.tally)!.count).toBe(expected)
      // Batching: far fewer entries than actions.
      expect(certs.length).toBeLessThan(40)
    }
  })

  it('partner offline: actions stay queued (waiting for the partner), survive a reload, and certify when it is back', async () => {
    const { sim, s, f, genesis } = await world(4)
    await s[0]!.crash()
    const queued: string[] = []
    f[0]!.service.on('queued', e => { for (const q of e.queued) queued.push(q.reason) })
    const p = f[0]!.service.submit(genesis.tally, [add(7, 'f')])
    p.catch(() => undefined)
    await sim.until(() => queued.includes('partner'))
    expect((await f[0]!.service.queued(genesis.tally))[0]).toMatchObject({ reason: 'partner' })
    // The foil reloads while waiting: the outbox is in its store.
    await f[0]!.crash()
    await expect(p).rejects.toMatchObject({ code: 'DIARY_STOPPED' })
    await f[0]!.start()
    expect(await f[0]!.service.resume()).toEqual([genesis.tally])
    expect(await f[0]!.service.queued(genesis.tally)).toHaveLength(1)
    await sim.advance(30_000)
    expect(f[0]!.service.head(genesis.tally)!.seq).toBe(0)
    // The partner comes back.
    await s[0]!.start()
    await s[0]!.service.resume()
    await sim.until(() => f[0]!.service.head(genesis.tally)!.seq === 1 && s[0]!.service.head(genesis.tally)!.seq === 1, 5 * 60_000)
    await expectConverged([...s, ...f], genesis.tally)
    expect(await f[0]!.service.queued(genesis.tally)).toEqual([])
    expect(f[0]!.service.state(genesis.tally)!.count).toBe(7)
  })

  it('the preferred proposer offline: the stock proposes itself and it certifies once the foil is back', async () => {
    const { sim, s, f, genesis } = await world(5)
    await f[0]!.crash()
    const p = s[0]!.service.submit(genesis.tally, [add(2, 's')])
    p.catch(() => undefined)
    await sim.advance(20_000)
    await f[0]!.start()
    await f[0]!.service.resume()
    const r = await sim.settle(p, 5 * 60_000)
    expect(r.outcomes[0]!.seq).toBe(1)
    await sim.until(() => f[0]!.service.head(genesis.tally)!.seq === 1)
    await expectConverged([...s, ...f], genesis.tally)
  })

  it('a member crashing between its reservation and its answer converges after a restart', async () => {
    const { sim, s, f, genesis } = await world(6)
    s[0]!.crashAt({ when: 'after', match: puts => puts.some(p => p.table === 'pending' && (p.value as { reservation?: unknown }).reservation !== undefined) })
    const p = f[0]!.service.submit(genesis.tally, [add(4, 'f')])
    p.catch(() => undefined)
    await sim.until(() => !s[0]!.up)
    await sim.advance(5_000)
    await s[0]!.start()
    await s[0]!.service.resume()
    await sim.settle(p, 5 * 60_000)
    await sim.until(() => s[0]!.service.head(genesis.tally)!.seq === 1)
    await expectConverged([...s, ...f], genesis.tally)
    expect(s[0]!.service.state(genesis.tally)!.count).toBe(4)
  })

  it('a member crashing between a certificate and its apply converges after a restart', async () => {
    const { sim, s, f, genesis } = await world(7)
    s[0]!.crashAt({ when: 'before', match: puts => puts.some(p => p.table === 'entries') })
    const p = f[0]!.service.submit(genesis.tally, [add(4, 'f')])
    await sim.settle(p)
    await sim.until(() => !s[0]!.up)
    expect(await s[0]!.service.entries(genesis.tally).catch(() => [])).toEqual([])
    await s[0]!.start()
    await s[0]!.service.resume()
    expect(s[0]!.service.head(genesis.tally)!.seq).toBe(0)
    await sim.until(() => s[0]!.service.head(genesis.tally)!.seq === 1, 5 * 60_000)
    await expectConverged([...s, ...f], genesis.tally)
  })

  it('the proposer crashing after the approvals but before applying its own certificate converges after a restart', async () => {
    const { sim, s, f, genesis } = await world(8)
    f[0]!.crashAt({ when: 'before', match: puts => puts.some(p => p.table === 'entries') })
    const p = f[0]!.service.submit(genesis.tally, [add(9, 'f')])
    p.catch(() => undefined)
    await sim.until(() => !f[0]!.up)
    await f[0]!.start()
    await f[0]!.service.resume()
    await sim.until(() => f[0]!.service.head(genesis.tally)!.seq === 1 && s[0]!.service.head(genesis.tally)!.seq === 1, 5 * 60_000)
    await expectConverged([...s, ...f], genesis.tally)
    expect(f[0]!.service.state(genesis.tally)!.count).toBe(9)
    expect(await f[0]!.service.queued(genesis.tally)).toEqual([])
  })

  it('a member that lost its data catches up from the partner, verified offline', async () => {
    const { sim, s, f, genesis } = await world(9)
    for (let i = 0; i < 5; i++) await sim.settle(f[0]!.service.submit(genesis.tally, [add(1, `f${i}`), add(2, `f${i}`)]))
    await sim.until(() => s[0]!.service.head(genesis.tally)!.seq === 5)
    await s[0]!.crash()
    s[0]!.wipe()
    await s[0]!.start()
    expect((await s[0]!.service.open(genesis)).seq).toBe(0)
    const head = await sim.settle(s[0]!.service.catchUp(genesis.tally, f[0]!.key))
    expect(head.seq).toBe(5)
    await expectConverged([...s, ...f], genesis.tally)
    expect(s[0]!.service.state(genesis.tally)!.count).toBe(15)
  })

  it('a member lagging one entry after a crash catches up when asked (or by itself)', async () => {
    const { sim, s, f, genesis } = await world(10)
    s[0]!.crashAt({ when: 'before', match: puts => puts.some(p => p.table === 'entries') })
    await sim.settle(f[0]!.service.submit(genesis.tally, [add(3, 'g')]))
    await sim.until(() => !s[0]!.up)
    await s[0]!.start()
    await s[0]!.service.resume()
    const head = await sim.settle(s[0]!.service.catchUp(genesis.tally))
    expect(head.seq).toBe(1)
    // The next entry certifies normally.
    await sim.settle(s[0]!.service.submit(genesis.tally, [add(1, 'g-last')]))
    await sim.until(() => f[0]!.service.head(genesis.tally)!.seq === 2)
    await expectConverged([...s, ...f], genesis.tally)
  })
})

describe('diary replication with several members per party (sim network)', () => {
  it('certifies while a minority member is offline (recovery round), and that member catches up when back', async () => {
    const { sim, s, f, genesis } = await world(31, 3, 1)
    await s[2]!.crash()
    for (let i = 0; i < 3; i++) await sim.settle(f[0]!.service.submit(genesis.tally, [add(1, `m${i}`)]), 5 * 60_000)
    await sim.until(() => s[0]!.service.head(genesis.tally)!.seq === 3 && s[1]!.service.head(genesis.tally)!.seq === 3)
    await s[2]!.start()
    await s[2]!.service.resume()
    expect(s[2]!.service.head(genesis.tally)!.seq).toBe(0)
    const head = await sim.settle(s[2]!.service.catchUp(genesis.tally))
    expect(head.seq).toBe(3)
    await expectConverged([...s, ...f], genesis.tally)
  })

  it('two stock devices and the foil issuing at once converge (seed 32)', async () => {
    const { sim, s, f, genesis } = await world(32, 2, 1)
    const subs: Array<Promise<unknown>> = []
    for (let i = 0; i < 10; i++) {
      subs.push(s[0]!.service.submit(genesis.tally, [add(1, `a${i}`)]))
      subs.push(s[1]!.service.submit(genesis.tally, [add(2, `b${i}`)]))
      subs.push(f[0]!.service.submit(genesis.tally, [add(-1, `c${i}`)]))
    }
    await sim.settle(Promise.all(subs), 5 * 60_000)
    await sim.until(() => new Set([...s, ...f].map(n => n.service.head(genesis.tally)!.seq)).size === 1)
    const certs = await expectConverged([...s, ...f], genesis.tally)
    expect(certs.flatMap(c => c.entry.body.actions)).toHaveLength(30)
    expect(f[0]!.service.state(genesis.tally)!.count).toBe(20)
  })
})

describe('single writer', () => {
  it('a node whose store was taken over stops at its first write and changes nothing', async () => {
    const { sim, s, f, genesis } = await world(33)
    // Another tab of the stock's wallet claims the store (a higher writer epoch).
    const { MemoryStore } = await import('../../../../src/node/store/memory')
    await new MemoryStore(s[0]!.db).claimWriter()
    const p = f[0]!.service.submit(genesis.tally, [add(1, 'w')])
    p.catch(() => undefined)
    await sim.advance(3_000)
    expect(await s[0]!.service.entries(genesis.tally)).toEqual([])
    await expect(s[0]!.service.submit(genesis.tally, [add(1, 'x')])).rejects.toMatchObject({ code: 'DIARY_STOPPED' })
    expect(f[0]!.service.head(genesis.tally)!.seq).toBe(0)
  })
})

describe('entry size', () => {
  it('never holds an entry too large for the others: batches shrink until entries fit the envelope limit', async () => {
    const sim = new DiarySim<ToyState, ToyAction>(toyMachine, 34, { maxBatchBytes: 10 * 1024 * 1024 })
    const s = await sim.add('s')
    const f = await sim.add('f')
    const genesis: Genesis<ToyState> = { tally: 'big', hash: toBase64url(sha256(new Uint8Array(3))), state: { count: 0, limit: 1_000, members: memberSetOf([s], [f]), seen: [], next: { stock: 'k', foil: 'k' } } }
    await s.service.open(genesis)
    await f.service.open(genesis)
    const actions: ToyAction[] = Array.from({ length: 60 }, (_, i) => ({ type: 'add', id: `${i}-${'x'.repeat(2_000)}`, n: 1 }))
    const r = await sim.settle(f.service.submit(genesis.tally, actions))
    expect(r.outcomes.every(o => o.refused === undefined)).toBe(true)
    await sim.until(() => s.service.head(genesis.tally)!.seq === f.service.head(genesis.tally)!.seq)
    const certs = await s.service.entries(genesis.tally)
    expect(certs.length).toBeGreaterThan(1)
    for (const c of certs) expect(JSON.stringify(c.entry).length).toBeLessThanOrEqual(64 * 1024)
    expect(s.service.state(genesis.tally)!.count).toBe(60)
  })
})
