// The simulator's two setups (tests/sim/world.ts 'negotiated', tests/sim/setup-direct.ts 'direct') leave the same
// state: the same tally ids, the same records in every store (up to the chit ids, nonces, timestamps and the
// signatures and hashes over them, which come from the order of random draws and from time), the same views on
// both sides, certified histories that verify offline, and the same report for a run with lifts (but
// totals.setupMessages, 0 when direct).
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { nobleProvider } from '../../../src/core/crypto/noble'
import { sealPublicKeyOf, deriveSealSecret } from '../../../src/core/keys/chain'
import { tallySharedKey } from '../../../src/core/crypto/seal'
import { fromBase64url } from '../../../src/core/codec/base64url'
import { verifyHistory } from '../../../src/core/diary/verify'
import { tallyMachine } from '../../../src/core/tally/machine'
import type { Certificate } from '../../../src/core/diary/certificate'
import type { Genesis } from '../../../src/core/diary/head'
import type { TallyAction } from '../../../src/core/chit/types'
import type { TallyState } from '../../../src/core/tally/state'
import { generateNetwork, scenarioOf, staggeredClears } from '../../sim/generate'
import { simulate } from '../../sim/report'
import { parseScenario, parseScenarioText } from '../../sim/scenario'
import type { ParsedScenario } from '../../sim/scenario'
import { NEGOTIATED_UP_TO, SimSetupError, SimWorld } from '../../sim/world'
import type { SetupMode } from '../../sim/world'
import { directSetup, DirectSetupError } from '../../sim/setup-direct'
import type { DirectParty } from '../../sim/setup-direct'
import { selfSignedProvider } from '../../sim/setup-signed'
import { nativeSealPublicKeyOf, nativeTallySharedKey } from '../../sim/setup-x25519'
import { seededRandom } from '../../../src/node/net/sim/random'
import { MemoryDatabase, openMemoryStore } from '../../../src/node/store/memory'
import { simIdentity } from '../../sim/identity'
import { nativeEd25519Provider } from '../../sim/native-crypto'
import type { ChitView } from '../../../src/node/api'

/** 14 users, 24 tallies: negative, positive and zero balances, limits both ways, trading variables on either side. */
const small: ParsedScenario = parseScenario(scenarioOf(generateNetwork({ seed: 11, users: 14, tallies: 24, clusterSize: 5, trading: 0.5 }), {
  network: { latencyMs: [20, 80], loss: 0 }, until: 0
}))

async function built (scenario: ParsedScenario, setup: SetupMode): Promise<SimWorld> {
  const world = new SimWorld(scenario, { setup })
  await world.build()
  return world
}

type Rows = Record<string, Record<string, unknown>>

function tables (world: SimWorld, user: string): Rows {
  const out: Rows = {}
  for (const [table, rows] of world.user(user).db.tables) out[table] = Object.fromEntries(rows)
  return out
}

/** Fields whose values come from the order of random draws or from time (and signatures and hashes over them). */
const DRAWN = new Set(['sig', 'chit', 'prev', 'hash', 'n', 'c'])
const TIMES = new Set(['createdAt', 'updatedAt', 'usedAt'])

/** A stored value with those fields reduced to their kind and length; state.chits (keyed by chit id) to its sorted entries. */
function normal (value: unknown, key = ''): unknown {
  if (TIMES.has(key) && typeof value === 'number') return 'time'
  if ((DRAWN.has(key) || key === 'entry' || key === 'doc') && typeof value === 'string') return `drawn:${value.length}`
  if (key === 'sigs' && value !== null && typeof value === 'object') return Object.keys(value).sort()
  if (key === 'chits' && value !== null && typeof value === 'object') return leaves(value).map(v => JSON.stringify(normal(v))).sort()
  if (Array.isArray(value)) return value.map(v => normal(v))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => [k, normal(v, k)]))
  }
  return value
}

/** The chit records of a state's chit index (a trie keyed by chit id). */
function leaves (trie: object): unknown[] {
  const out: unknown[] = []
  for (const v of Object.values(trie)) {
    if (v !== null && typeof v === 'object' && 'kind' in v) out.push(v)
    else if (v !== null && typeof v === 'object') out.push(...leaves(v))
  }
  return out
}

describe('simulator setup: direct = negotiated', { timeout: 120_000 }, () => {
  it('leaves the same records in every store and the same views on both sides of every tally', async () => {
    const negotiated = await built(small, 'negotiated')
    const direct = await built(small, 'direct')
    expect(direct.setupMode).toBe('direct')
    expect(negotiated.setupMessages).toBeGreaterThan(0)
    expect(direct.setupMessages).toBe(0)
    // Tally ids and invitation tokens are the first draws of each stock's stream, in scenario order, either way.
    expect(direct.tallies.map(t => [t.spec.id, t.id])).toEqual(negotiated.tallies.map(t => [t.spec.id, t.id]))
    for (const name of small.users) {
      const [a, b] = [tables(negotiated, name), tables(direct, name)]
      for (const table of Object.keys(a)) expect(Object.keys(b[table]!).sort(), `${name} ${table}`).toEqual(Object.keys(a[table]!).sort())
      expect(normal(b), name).toEqual(normal(a))
    }
    for (const [i, t] of direct.tallies.entries()) {
      const n = negotiated.tallies[i]!
      for (const side of ['foil', 'stock'] as const) {
        const [dv, nv] = await Promise.all([direct.read(t[side].node!.tallies!.get(t.id)), negotiated.read(n[side].node!.tallies!.get(n.id))])
        const pick = (v: typeof dv): unknown => ({ status: v.status, balance: v.balance, seq: v.seq, queued: v.queued, myVars: v.myVars, partnerVars: v.partnerVars, terms: v.terms, partner: v.partner, mySide: v.mySide })
        expect(pick(dv), `${t.spec.id} ${side}`).toEqual(pick(nv))
        expect(dv.balance === (side === 'foil' ? t.spec.balance : -t.spec.balance)).toBe(true)
        // Both sides read the opening-balance memo with their own tally key (the natively computed one).
        const chits = (cs: ChitView[]): unknown => cs.map(c => ({ kind: c.kind, units: c.units, memo: c.memo, status: c.status, seq: c.seq }))
        const [dc, nc] = await Promise.all([direct.read(t[side].node!.tallies!.chits(t.id)), negotiated.read(n[side].node!.tallies!.chits(n.id))])
        expect(chits(dc), `${t.spec.id} ${side} chits`).toEqual(chits(nc))
        if (t.spec.balance !== 0) expect(dc.some(c => c.memo === 'opening balance')).toBe(true)
      }
    }
    await direct.stop()
    await negotiated.stop()
  })

  it('writes certified histories that verify offline from the genesis (chain, quorum, every action re-applied) to the stored head', async () => {
    const direct = await built(small, 'direct')
    const provider = nobleProvider
    for (const t of direct.tallies) {
      for (const side of ['foil', 'stock'] as const) {
        const rows = tables(direct, t[side].name)
        const genesis = rows.pending![`genesis/${t.id}`] as Genesis<TallyState>
        const certificates = Object.entries(rows.entries!).filter(([k]) => k.startsWith(`${t.id}/`)).sort(([a], [b]) => a < b ? -1 : 1).map(([, c]) => c as Certificate<TallyAction>)
        const history = await verifyHistory({ provider, machine: tallyMachine(provider), tally: t.id }, genesis, certificates)
        const state = rows.pending![`state/${t.id}`] as { seq: number, hash: string, state: TallyState }
        expect(history.head.seq).toBe(state.seq)
        expect(history.head.hash).toBe(state.hash)
        expect(history.head.state).toEqual(state.state)
        expect(rows.pending![`member/${t.id}`]).toEqual({ head: { seq: state.seq, hash: state.hash }, answers: {} })
        expect(history.refused).toBe(0)
      }
    }
    await direct.stop()
  })

  it.each([
    ['22-three-node-cycle.json'],
    ['23-clutch-stops-clearing.json'],
    ['36-lying-referee-minority.json']
  ])('gives the same report for %s', async (file) => {
    const scenario = parseScenarioText(readFileSync(new URL(`../../sim/scenarios/${file}`, import.meta.url), 'utf8'))
    const [n, d] = [await simulate(new SimWorld(scenario, { setup: 'negotiated' })), await simulate(new SimWorld(scenario, { setup: 'direct' }))]
    expect(n.totals.setupMessages).toBeGreaterThan(0)
    expect(d.totals.setupMessages).toBe(0)
    expect(JSON.stringify({ ...d, totals: { ...d.totals, setupMessages: 'x' } })).toBe(JSON.stringify({ ...n, totals: { ...n.totals, setupMessages: 'x' } }))
  })

  it('gives the same report for 30 generated users clearing with discovery by the nodes', async () => {
    const g = generateNetwork({ seed: 5, users: 30, tallies: 90 })
    const scenario = parseScenario(scenarioOf(g, { actions: staggeredClears(g.users, 0, 200, 6), network: { latencyMs: [30, 60], loss: 0 }, until: 15_000 }))
    const [n, d] = [await simulate(new SimWorld(scenario, { setup: 'negotiated' })), await simulate(new SimWorld(scenario, { setup: 'direct' }))]
    expect(n.totals.liftsTried).toBeGreaterThan(0)
    expect(JSON.stringify({ ...d, totals: { ...d.totals, setupMessages: 'x' } })).toBe(JSON.stringify({ ...n, totals: { ...n.totals, setupMessages: 'x' } }))
  })

  it('defaults to negotiated up to NEGOTIATED_UP_TO tallies and to direct above; SIM_SETUP or the option override it', () => {
    const saved = process.env.SIM_SETUP
    delete process.env.SIM_SETUP
    try {
      const big = parseScenario(scenarioOf(generateNetwork({ seed: 2, users: 60, tallies: NEGOTIATED_UP_TO + 1 })))
      expect(new SimWorld(small).setupMode).toBe('negotiated')
      expect(new SimWorld(big).setupMode).toBe('direct')
      expect(new SimWorld(big, { setup: 'negotiated' }).setupMode).toBe('negotiated')
      process.env.SIM_SETUP = 'direct'
      expect(new SimWorld(small).setupMode).toBe('direct')
    } finally {
      if (saved === undefined) delete process.env.SIM_SETUP; else process.env.SIM_SETUP = saved
    }
  })

  it('refuses an unknown setup mode', () => {
    expect(() => new SimWorld(small, { setup: 'magic' as SetupMode })).toThrow(SimSetupError)
  })

  it('writes the same rows whatever the batch of tallies per transaction', async () => {
    const crypto = selfSignedProvider(nativeEd25519Provider())
    const run = async (batch: number): Promise<unknown> => {
      const parties = new Map<string, DirectParty>()
      const dbs = new Map<string, MemoryDatabase>()
      for (const [i, name] of small.users.entries()) {
        const random = seededRandom(i + 1)
        const db = new MemoryDatabase()
        const store = await openMemoryStore(db)
        const identity = await simIdentity({ store, crypto, random, now: 0 }, name)
        parties.set(name, { name, identity, random, addrs: [`/memory/${identity.peerId}`], store })
        dbs.set(name, db)
      }
      await directSetup(parties, small.tallies, { crypto, now: 0, inviteBase: 'https://sim.invalid/', batch })
      return [...dbs].map(([name, db]) => [name, [...db.tables].map(([t, rows]) => [t, [...rows].sort(([a], [b]) => a < b ? -1 : 1)])])
    }
    expect(JSON.stringify(await run(3))).toBe(JSON.stringify(await run(1000)))
  })

  it('stops at a chit the tally machine refuses (an opening balance past the limit), naming the tally', async () => {
    const crypto = selfSignedProvider(nativeEd25519Provider())
    const parties = new Map<string, DirectParty>()
    for (const [i, name] of ['A', 'B'].entries()) {
      const random = seededRandom(i + 1)
      const store = await openMemoryStore(new MemoryDatabase())
      const identity = await simIdentity({ store, crypto, random, now: 0 }, name)
      parties.set(name, { name, identity, random, addrs: [`/memory/${identity.peerId}`], store })
    }
    // parseScenario refuses this; the direct setup must still not write a state the machine refuses.
    const spec = { id: 'x', foil: 'A', stock: 'B', balance: -2000, limit: { foil: 1000, stock: 0 }, trading: {} }
    await expect(directSetup(parties, [spec], { crypto, now: 0, inviteBase: 'https://sim.invalid/' })).rejects.toThrow(DirectSetupError)
    await expect(directSetup(parties, [spec], { crypto, now: 0, inviteBase: 'https://sim.invalid/' })).rejects.toThrow(/tally x: the foil's pay chit was refused/)
  })
})

describe('direct setup crypto', () => {
  it('native X25519 gives the seal keys and tally keys @noble/curves gives', () => {
    const random = seededRandom(3)
    for (let i = 0; i < 8; i++) {
      const [a, b] = [random.bytes(32), random.bytes(32)]
      const tally = `tally-${i}`
      expect(nativeSealPublicKeyOf(a, tally)).toBe(sealPublicKeyOf(a, tally))
      const theirs = sealPublicKeyOf(b, tally)
      expect(nativeTallySharedKey(a, theirs, tally)).toEqual(tallySharedKey(deriveSealSecret(a, tally), fromBase64url(theirs), tally))
      expect(nativeTallySharedKey(b, sealPublicKeyOf(a, tally), tally)).toEqual(nativeTallySharedKey(a, theirs, tally))
    }
  })

  it('answers true only for its own signature over the same bytes under the same key; anything else goes to the backend', async () => {
    const p = selfSignedProvider(nativeEd25519Provider())
    const random = seededRandom(4)
    const [secret, other] = [random.bytes(32), random.bytes(32)]
    const message = new TextEncoder().encode('a tally')
    const sig = await p.sign(secret, message)
    expect(await p.verify(await p.publicKey(secret), message, sig)).toBe(true)
    expect(p.stats).toEqual({ remembered: 1, verified: 0 })
    expect(await p.verify(await p.publicKey(other), message, sig)).toBe(false)
    expect(await p.verify(await p.publicKey(secret), new TextEncoder().encode('a tallY'), sig)).toBe(false)
    const forged = sig.slice()
    forged[0] = forged[0]! ^ 1
    expect(await p.verify(await p.publicKey(secret), message, forged)).toBe(false)
    expect(p.stats).toEqual({ remembered: 1, verified: 3 })
    // A signature it did not make but that is valid: the backend's verdict.
    const outside = await nobleProvider.sign(other, message)
    expect(await p.verify(await p.publicKey(other), message, outside)).toBe(true)
    expect(p.stats.verified).toBe(4)
  })
})
