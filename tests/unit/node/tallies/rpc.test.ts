// The tally methods of the worker RPC (src/worker/rpc/facade.ts) on real wallet nodes (simulated network,
// real timers, the real diary service): arguments validated before any service sees them, errors crossing
// as plain { code, message }, tally subscriptions.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import type { TallyView } from '../../../../src/node/api'
import { createIdentity, loadIdentity, loadRecoveryPhrase, restoreIdentity } from '../../../../src/node/identity/identity'
import { silentLogger, systemClock, systemRandom, systemTimers } from '../../../../src/node/ports'
import { MemoryDatabase, openMemoryStore } from '../../../../src/node/store/memory'
import { SimNetwork } from '../../../../src/node/net/sim/network'
import { startWalletNode } from '../../../../src/node/wallet-node'
import { contactLink, parseContactLink } from '../../../../src/node/contact/card'
import { DEFAULT_CONTRACT, DEFAULT_CONTRACT_HASH } from '../../../../src/node/services/tallies/contract'
import type { WalletApi } from '../../../../src/worker/api'
import { createWalletApi } from '../../../../src/worker/rpc/facade'
import type { WalletRuntime } from '../../../../src/worker/runtime'

const BASE = 'https://wallet.example/'
const START = { relays: [], iceServers: [], webrtc: false }

function runtime (net: SimNetwork): WalletRuntime {
  const db = new MemoryDatabase()
  const deps = (store: Parameters<WalletRuntime['loadIdentity']>[0]) => ({ store, crypto: nobleProvider, clock: systemClock, random: systemRandom })
  return {
    openStore: async () => await openMemoryStore(db),
    loadIdentity: async (store) => await loadIdentity(store),
    createIdentity: async (store, name) => await createIdentity(deps(store), name),
    restoreIdentity: async (store, phrase, name) => await restoreIdentity(deps(store), phrase, name),
    loadRecoveryPhrase: async (store) => await loadRecoveryPhrase(store),
    startNode: async (r) => await startWalletNode({
      identity: r.identity, store: r.store, crypto: nobleProvider, clock: systemClock, timers: systemTimers, random: systemRandom, logger: silentLogger,
      network: { kind: 'given', network: net.node(r.identity.peerId) }
    }),
    contactLink,
    parseContactLink
  }
}

async function wallet (net: SimNetwork, name: string): Promise<WalletApi> {
  const api = createWalletApi({ runtime: async () => runtime(net) })
  await api.open()
  await api.create(name)
  return api
}

async function until (api: WalletApi, id: string, check: (v: TallyView) => boolean): Promise<TallyView> {
  for (let i = 0; i < 500; i++) {
    const v = await api.tally(id)
    if (check(v)) return v
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error('timed out')
}

describe('tally RPC (worker facade)', { timeout: 20_000 }, () => {
  it('refuses calls before the node runs and bad arguments, as { code, message }', async () => {
    const net = new SimNetwork({ timers: systemTimers, random: systemRandom, latency: { minMs: 1, maxMs: 2 } })
    const a = await wallet(net, 'Alice')
    await expect(a.tallies()).rejects.toEqual({ code: 'NODE_NOT_STARTED', message: 'the wallet node has not been started' })
    await a.start(START)
    await expect(a.invite('ftp://x', { kind: 'extend', myLimit: 1, partnerLimit: 0 })).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/http\(s\) URL/) })
    await expect(a.invite(BASE, { kind: 'extend', myLimit: 1.5, partnerLimit: 0 })).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/whole units/) })
    await expect(a.invite(BASE, { kind: 'lend' as never, myLimit: 1, partnerLimit: 0 })).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(a.invite(BASE, { kind: 'extend', myLimit: -1, partnerLimit: 0 })).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/negative/) })
    await expect(a.pay('short', 1)).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/tally id/) })
    await expect(a.pay('a'.repeat(22), 0)).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/at least 1 unit/) })
    await expect(a.pay('a'.repeat(22), 5)).rejects.toMatchObject({ code: 'UNKNOWN_TALLY' })
    await expect(a.counterOffer('a'.repeat(22), {})).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/at least one limit/) })
    await expect(a.previewInvitation('https://wallet.example/#invite=zz')).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(a.contract(DEFAULT_CONTRACT_HASH)).resolves.toEqual(DEFAULT_CONTRACT)
    await expect(a.contract('x'.repeat(43))).resolves.toBeUndefined()
    await expect(a.defaultContract()).resolves.toEqual({ hash: DEFAULT_CONTRACT_HASH, contract: DEFAULT_CONTRACT })
    await expect(a.reviseOffer('bad id')).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/tally id/) })
    await expect(a.reviseOffer('a'.repeat(22))).rejects.toMatchObject({ code: 'UNKNOWN_TALLY' })
    await expect(a.offerAgain('a'.repeat(22), { myLimit: -5 })).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/negative/) })
    await a.shutdown()
  })

  it('invite → preview → redeem → accept → pay, with tally subscriptions and OVER_LIMIT crossing as { code, message }', async () => {
    const net = new SimNetwork({ timers: systemTimers, random: systemRandom, latency: { minMs: 1, maxMs: 2 } })
    const [a, b] = [await wallet(net, 'Alice'), await wallet(net, 'Bob')]
    await Promise.all([a.start(START), b.start(START)])
    const seen: TallyView[] = []
    const sub = await a.subscribeTallies(v => { seen.push(v) })
    const inv = await a.invite(BASE, { kind: 'extend', myLimit: 5_000, partnerLimit: 0, memo: 'hi' })
    expect(await a.invitations()).toEqual([inv])
    expect(await b.previewInvitation(inv.link)).toMatchObject({ from: { name: 'Alice' }, mySide: 'foil', memo: 'hi', contractKnown: true, terms: { stockLimit: 5_000 } })
    const offer = await b.redeemInvitation(inv.link)
    expect(offer).toMatchObject({ status: 'offer', awaiting: 'me' })
    await b.acceptOffer(offer.id)
    await until(a, offer.id, v => v.status === 'open')
    expect(seen.some(v => v.id === offer.id && v.status === 'open')).toBe(true)
    await expect(b.pay(offer.id, 2_000, 'coffee')).resolves.toMatchObject({ status: 'final', units: -2_000, memo: 'coffee' })
    await expect(b.pay(offer.id, 3_001)).rejects.toEqual({ code: 'OVER_LIMIT', message: '3001 units exceed the 3000 units of credit available' })
    await until(a, offer.id, v => v.balance === 2_000)
    expect(seen.at(-1)).toMatchObject({ id: offer.id, balance: 2_000 })
    expect(await a.tallies()).toEqual([expect.objectContaining({ id: offer.id, balance: 2_000, partner: expect.objectContaining({ name: 'Bob' }) })])
    expect((await a.chits(offer.id, { limit: 1 }))).toEqual([expect.objectContaining({ units: 2_000, memo: 'coffee', by: 'partner' })])
    await a.unsubscribeTallies(sub)
    await expect(a.reviseOffer(offer.id)).rejects.toMatchObject({ code: 'FORBIDDEN_TRANSITION' })
    const n = seen.length
    await b.pay(offer.id, 1)
    await until(a, offer.id, v => v.balance === 2_001)
    expect(seen.length).toBe(n)
    await Promise.all([a.shutdown(), b.shutdown()])
  })

  it('revise (scenario 11): reviseOffer withdraws the offer, the partner sees it withdrawn and cannot accept it; offerAgain makes a new one', async () => {
    const net = new SimNetwork({ timers: systemTimers, random: systemRandom, latency: { minMs: 1, maxMs: 2 } })
    const [a, b] = [await wallet(net, 'Alice'), await wallet(net, 'Bob')]
    await Promise.all([a.start(START), b.start(START)])
    const inv = await a.invite(BASE, { kind: 'extend', myLimit: 5_000, partnerLimit: 0 })
    const { id } = await b.redeemInvitation(inv.link)
    await until(a, id, v => v.status === 'offer')
    expect(await a.reviseOffer(id)).toMatchObject({ status: 'draft', revisedBy: 'me', revision: 2 })
    await until(b, id, v => v.status === 'draft' && v.revisedBy === 'partner')
    await expect(b.acceptOffer(id)).rejects.toMatchObject({ code: 'OFFER_WITHDRAWN' })
    expect(await a.offerAgain(id, { myLimit: 4_000 })).toMatchObject({ status: 'offer', awaiting: 'partner', terms: { stockLimit: 4_000 } })
    await until(b, id, v => v.status === 'offer' && v.awaiting === 'me')
    await b.acceptOffer(id)
    await until(a, id, v => v.status === 'open' && v.terms.stockLimit === 4_000)
    await Promise.all([a.shutdown(), b.shutdown()])
  })
})
