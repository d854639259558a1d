// "Pay anyone" as a state machine over the page's lift store: checks before asking the node, the payee read
// from a link, the quote, confirm with the quote's fee as the limit, progress seeking → pending → good
// followed live, a void or still-pending result, and named refusals (NO_ROUTE, FEE_TOO_HIGH, OWN_PAYEE) in words.
import { describe, expect, it } from 'vitest'
import type { LiftView } from '../../../../src/worker/api'
import { LiftStore } from '../../../../src/ui/lib/lifts.svelte'
import { PayFlow } from '../../../../src/ui/lib/pay-flow.svelte'
import { FakeLifts, liftApi, PAYEE, slowHellos, STRANGER } from './fake-lifts'

async function setup (lifts = new FakeLifts()) {
  const store = new LiftStore({ onLost: () => {}, isLost: () => false })
  await store.attach(liftApi(lifts))
  return { lifts, store, flow: new PayFlow(store, () => lifts.clock) }
}

const tick = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 1))

describe('PayFlow', () => {
  it('checks the payee and the amount before asking the node', async () => {
    const { flow, lifts } = await setup()
    await flow.review()
    expect(flow.phase).toBe('edit')
    expect(flow.payeeError).toMatch(/contact link or user id/)
    expect(flow.amountError).toBe('Enter an amount.')
    flow.payeeText = PAYEE
    flow.amountText = '1.0005'
    await flow.review()
    expect(flow.amountError).toMatch(/3 decimals/)
    expect(flow.phase).toBe('edit')
    expect(lifts.paid).toEqual([])
  })

  it('quotes (fee and legs), pays with the quote\'s fee as the limit, and follows the lift to good', async () => {
    const { flow, lifts, store } = await setup()
    flow.setPayee(`  https://w.example/#contact=${PAYEE} `)
    flow.amountText = '2.5'
    const reviewing = flow.review()
    expect(flow.phase).toBe('quoting')
    await reviewing
    expect(flow.phase).toBe('quoted')
    expect(flow.quote).toEqual({ to: PAYEE, units: 2500, fee: 10, legs: 3 })
    expect(flow.payeeName).toBe('Bob')
    expect(store.names[PAYEE]).toBe('Bob')

    lifts.holdPayments = true
    const paying = flow.confirm()
    expect(flow.phase).toBe('paying')
    expect(flow.step).toBe('seeking')
    await tick()
    // Before the call returns, the live list shows the payment pending.
    expect(flow.step).toBe('pending')
    expect(lifts.paid).toEqual([{ to: PAYEE, units: 2500, maxFee: 10 }])
    lifts.decide?.()
    await paying
    expect(flow.phase).toBe('done')
    expect(flow.step).toBe('good')
    expect(flow.lift).toMatchObject({ status: 'good', units: 2500, fee: 10 })
    expect(flow.error).toBeUndefined()
    flow.reset()
    expect([flow.phase, flow.payeeText, flow.amountText, flow.quote, flow.liftId]).toEqual(['edit', '', '', undefined, undefined])
  })

  it('a payment still pending when the call returns keeps following the live list until decided', async () => {
    const lifts = new FakeLifts()
    lifts.outcome = 'pending'
    const { flow } = await setup(lifts)
    flow.setPayee(PAYEE)
    flow.amountText = '1'
    await flow.review()
    await flow.confirm()
    expect(flow.phase).toBe('done')
    expect(flow.step).toBe('pending')
    const id = flow.liftId as string
    const pending = lifts.views.get(id)
    lifts.emit({ ...pending!, status: 'void', error: { code: 'LIFT_EXPIRED', message: 'expired' } })
    expect(flow.step).toBe('void')
    expect(flow.lift?.error?.code).toBe('LIFT_EXPIRED')
  })

  it('does not take someone else\'s lift for this payment (another payee, or one started before the click)', async () => {
    const lifts = new FakeLifts()
    const store = new LiftStore({ onLost: () => {}, isLost: () => false })
    await store.attach(liftApi(lifts, { liftPay: async () => await new Promise(() => {}) })) // the node is still seeking
    const flow = new PayFlow(store, () => lifts.clock)
    flow.setPayee(PAYEE)
    flow.amountText = '1'
    await flow.review()
    const base: Omit<LiftView, 'id' | 'createdAt'> = { kind: 'linear', role: 'originator', status: 'pending', units: 1, fee: 0, legs: 2, effects: [], expires: 0 }
    store.onLift({ ...base, id: 'older-lift', to: PAYEE, createdAt: lifts.clock - 60_000 })
    store.onLift({ ...base, id: 'other-lift', to: STRANGER, createdAt: lifts.clock })
    store.onLift({ ...base, id: 'circle-lift', kind: 'circular', to: PAYEE, createdAt: lifts.clock })
    store.onLift({ ...base, id: 'passing-lift', role: 'intermediary', to: PAYEE, createdAt: lifts.clock })
    void flow.confirm()
    expect(flow.phase).toBe('paying')
    expect(flow.lift).toBeUndefined()
    expect(flow.step).toBe('seeking')
    store.onLift({ ...base, id: 'this-lift', to: PAYEE, createdAt: lifts.clock + 3 })
    expect(flow.lift?.id).toBe('this-lift')
    expect(flow.step).toBe('pending')
  })

  it('names refusals in words: no route at the quote, a fee grown since, my own wallet', async () => {
    const { flow, lifts } = await setup()
    flow.setPayee(STRANGER)
    flow.amountText = '3'
    await flow.review()
    expect(flow.phase).toBe('edit')
    expect(flow.error).toEqual({ text: 'No route to this person with enough credit.', code: 'NO_ROUTE' })

    flow.setPayee('mine')
    await flow.review()
    expect(flow.payeeError).toMatch(/your own wallet/)
    expect(flow.phase).toBe('edit')

    flow.setPayee(PAYEE)
    await flow.review()
    expect(flow.phase).toBe('quoted')
    lifts.payFee = 40
    await flow.confirm()
    expect(flow.phase).toBe('done')
    expect(flow.error).toEqual({ text: 'The route now costs more in fees than you accepted. Get a new quote.', code: 'FEE_TOO_HIGH' })
    expect(flow.step).toBe('failed')
    flow.edit()
    expect(flow.phase).toBe('edit')
    expect(flow.amountText).toBe('3')
  })

  it('ignores a confirm without a quote and double submits while busy', async () => {
    const { flow, lifts } = await setup()
    await flow.confirm()
    expect(flow.phase).toBe('edit')
    flow.setPayee(PAYEE)
    flow.amountText = '1'
    const a = flow.review()
    const b = flow.review()
    await Promise.all([a, b])
    expect(flow.phase).toBe('quoted')
    lifts.holdPayments = true
    const paying = flow.confirm()
    void flow.confirm()
    flow.reset() // ignored while paying
    expect(flow.phase).toBe('paying')
    await tick()
    lifts.decide?.()
    await paying
    expect(lifts.paid).toHaveLength(1)
  })
})

describe('PayFlow: the payee\'s wallet greeted from a contact link', () => {
  it('checks in the background while the route is priced: online, offline, or nothing for a bare user id', async () => {
    const { flow } = await setup()
    flow.setPayee(`https://w.example/#contact=${PAYEE}`)
    flow.amountText = '1'
    await flow.review()
    expect(flow.phase).toBe('quoted')
    await tick()
    expect(flow.reach).toBe('online')

    flow.edit()
    flow.setPayee(`https://w.example/#contact=offline${PAYEE}`)
    await flow.review()
    await tick()
    expect(flow.reach).toBe('offline')

    flow.edit()
    flow.setPayee(PAYEE)
    await flow.review()
    expect(flow.reach).toBeUndefined()
  })

  it('a late hello for an earlier payee does not mark the current one', async () => {
    const { flow } = await setup()
    flow.setPayee(`https://w.example/#contact=slow${STRANGER}`)
    flow.amountText = '1'
    await flow.review() // NO_ROUTE for STRANGER, but the hello is under way
    expect(flow.reach).toBe('checking')
    flow.setPayee(`https://w.example/#contact=offline${PAYEE}`)
    await flow.review()
    await tick()
    expect(flow.reach).toBe('offline')
    slowHellos.shift()?.()
    await tick()
    expect(flow.reach).toBe('offline')
  })
})
