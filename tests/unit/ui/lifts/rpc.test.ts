// The lift calls of the wallet RPC end to end in Node: page client ↔ comlink over a real MessageChannel ↔
// worker facade ↔ LiftRpcService ↔ a fake lift service. Arguments are validated at the boundary, refusals
// cross as { code, message }, changes reach subscribers, and a payee is read from a link, a card or an id.
import { proxy } from 'comlink'
import { afterEach, describe, expect, it } from 'vitest'
import type { LiftApi, LiftView, NodeStatus, TallyApi, TallyView } from '../../../../src/node/api'
import { WalletRpcError } from '../../../../src/ui/lib/wallet-client'
import type { NodeStartRequest } from '../../../../src/worker/runtime'
import { FakeNode, fakeRuntime } from '../../worker/rpc/fake-runtime'
import type { TestWorker } from '../../worker/rpc/harness'
import { START, startWorker, until } from '../../worker/rpc/harness'
import { FakeLifts, PAYEE, STRANGER } from './fake-lifts'

const OWN = 'O'.repeat(43)

class LiftNode extends FakeNode {
  lifts?: LiftApi
  tallies?: TallyApi
  constructor (request: NodeStartRequest, lifts: LiftApi | undefined) {
    super(request)
    this.lifts = lifts
    const partner: Partial<TallyView> = { id: 'tally-one', partner: { userId: PAYEE, name: 'Bob from a tally' } }
    this.tallies = { list: async () => [partner as TallyView] } as unknown as TallyApi
  }

  override status (): NodeStatus { return { ...super.status(), userId: OWN } }
}

let workers: TestWorker[] = []
afterEach(() => { for (const w of workers) w.end(); workers = [] })

async function started (lifts: FakeLifts | undefined = new FakeLifts()) {
  const runtime = fakeRuntime()
  runtime.startNode = async (request) => new LiftNode(request, lifts)
  const w = startWorker(runtime)
  workers.push(w)
  const { api } = w.client
  await api.open()
  await api.create('Alice')
  await api.start(START)
  return { api, lifts }
}

async function failure (p: Promise<unknown>): Promise<WalletRpcError> {
  const err = await p.then(() => { throw new Error('expected a failure') }, (e: unknown) => e)
  expect(err).toBeInstanceOf(WalletRpcError)
  return err as WalletRpcError
}

describe('wallet RPC: lifts', () => {
  it('quotes, pays, clears, lists, gets and switches auto-clearing through the node\'s lift service', async () => {
    const { api, lifts } = await started()
    expect(await api.liftQuote({ to: PAYEE, units: 2000 })).toEqual({ to: PAYEE, units: 2000, fee: 10, legs: 3 })
    const paid = await api.liftPay({ to: PAYEE, units: 2000, maxFee: 10 })
    expect(paid).toMatchObject({ kind: 'linear', status: 'good', units: 2000, fee: 10, to: PAYEE })
    expect(lifts?.paid).toEqual([{ to: PAYEE, units: 2000, maxFee: 10 }])
    const cleared = await api.liftClear()
    expect(cleared).toMatchObject({ kind: 'circular', units: 7000 })
    expect((await api.lifts()).map(l => l.id)).toEqual([cleared?.id, paid.id])
    expect(await api.lift(paid.id)).toEqual(paid)
    expect(await api.autoClear()).toMatchObject({ on: false, lastRun: 5_000 })
    expect(await api.setAutoClear(true)).toMatchObject({ on: true, intervalMs: 60_000 })
  })

  it('refuses bad arguments as MALFORMED before the lift service sees them', async () => {
    const { api, lifts } = await started()
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['user id', () => api.liftQuote({ to: 'not-a-user', units: 10 })],
      ['amount', () => api.liftQuote({ to: PAYEE, units: 0 })],
      ['amount', () => api.liftPay({ to: PAYEE, units: 1.5 })],
      ['amount', () => api.liftPay({ to: PAYEE, units: -3 })],
      ['fee limit', () => api.liftPay({ to: PAYEE, units: 3, maxFee: -1 })],
      ['amount', () => api.liftPay({ to: PAYEE, units: '3' } as unknown as { to: string, units: number })],
      ['lift id', () => api.lift('../x')],
      ['auto-clearing', () => api.setAutoClear('yes' as unknown as boolean)],
      ['payee', () => api.liftPayee('   ')],
      ['user id', () => api.liftQuote({ to: `${PAYEE}x`, units: 10 })]
    ]
    for (const [what, call] of bad) {
      const err = await failure(call())
      expect(err.code).toBe('MALFORMED')
      expect(err.message).toMatch(new RegExp(`invalid request: .*${what.split(' ')[0] ?? ''}`))
    }
    expect(lifts?.paid).toEqual([])
  })

  it('passes the lift service\'s refusals as { code, message }: NO_ROUTE, FEE_TOO_HIGH, LIFT_NOT_FOUND', async () => {
    const { api, lifts } = await started()
    expect((await failure(api.liftQuote({ to: STRANGER, units: 5 }))).code).toBe('NO_ROUTE')
    lifts!.payFee = 50
    const tooHigh = await failure(api.liftPay({ to: PAYEE, units: 5, maxFee: 10 }))
    expect(tooHigh.code).toBe('FEE_TOO_HIGH')
    expect(tooHigh.message).toContain('50 units')
    expect((await failure(api.lift('lift-none-here'))).code).toBe('LIFT_NOT_FOUND')
  })

  it('says LIFTS_UNAVAILABLE on a node without lifts and NODE_NOT_STARTED before start', async () => {
    const runtime = fakeRuntime()
    const w = startWorker(runtime)
    workers.push(w)
    await w.client.api.open()
    await w.client.api.create('Alice')
    expect((await failure(w.client.api.lifts())).code).toBe('NODE_NOT_STARTED')
    expect((await failure(w.client.api.liftPayee(PAYEE))).code).toBe('NODE_NOT_STARTED')
    await w.client.api.start(START)
    expect((await failure(w.client.api.liftQuote({ to: PAYEE, units: 1 }))).code).toBe('LIFTS_UNAVAILABLE')
    expect((await failure(w.client.api.autoClear())).code).toBe('LIFTS_UNAVAILABLE')
    // Subscribing is harmless without a lift service (nothing will come).
    expect(await w.client.api.subscribeLifts(proxy(() => {}))).toBeGreaterThan(0)
  })

  it('delivers every lift change to subscribers until they unsubscribe', async () => {
    const { api } = await started()
    const seen: Array<[string, string]> = []
    const id = await api.subscribeLifts(proxy((l: LiftView) => { seen.push([l.id, l.status]) }))
    const paid = await api.liftPay({ to: PAYEE, units: 1000 })
    await until(() => seen.length >= 3, 'three changes')
    expect(seen).toEqual([[paid.id, 'seeking'], [paid.id, 'pending'], [paid.id, 'good']])
    await api.unsubscribeLifts(id)
    await api.liftClear()
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(seen).toHaveLength(3)
  })

  it('reads the payee from a contact link, a contact card or a user id; names them from a tally; refuses my own', async () => {
    const { api } = await started()
    const card = { v: 1, userId: STRANGER, name: 'Sam', peerId: 'peer-sam', addrs: [] }
    expect(await api.liftPayee(`https://wallet.example/#contact=${encodeURIComponent(JSON.stringify(card))}`)).toEqual({ userId: STRANGER, name: 'Sam' })
    expect(await api.liftPayee(`  ${STRANGER}  `)).toEqual({ userId: STRANGER })
    expect(await api.liftPayee(PAYEE)).toEqual({ userId: PAYEE, name: 'Bob from a tally', partner: true })
    expect((await failure(api.liftPayee(OWN))).code).toBe('OWN_PAYEE')
    const mine = { ...card, userId: OWN }
    expect((await failure(api.liftPayee(`https://w.example/#contact=${encodeURIComponent(JSON.stringify(mine))}`))).code).toBe('OWN_PAYEE')
    const notLink = await failure(api.liftPayee('hello there'))
    expect(notLink.code).toBe('MALFORMED')
    expect(notLink.message).toMatch(/contact link/)
    expect((await failure(api.liftPayee('https://w.example/#invite=abc'))).code).toBe('MALFORMED')
  })
})
