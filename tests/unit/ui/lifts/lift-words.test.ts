// Every sentence the lift screens show, from views: statuses, titles, effects per tally, auto-clearing,
// refusals by code, progress steps and a lift chit's state in the tally history.
import { describe, expect, it } from 'vitest'
import {
  agoText, autoClearText, effectText, liftChitState, liftErrorText, liftStatusText, liftStatusWord, liftTitle, netEffect, payStepText, periodText
} from '../../../../src/ui/lib/lift-words'
import { liftView } from './fake-lifts'

describe('lift words', () => {
  it('says each status plainly', () => {
    expect(['seeking', 'pending', 'good', 'void', 'failed'].map(s => liftStatusWord(s as 'good'))).toEqual(['Seeking', 'Pending', 'Good', 'Void', 'Failed'])
    expect(liftStatusText('pending')).toBe('pending: waiting for the referees\' decision')
    expect(liftStatusText('void')).toBe('cancelled: nothing moved')
    expect(liftStatusText('good')).toBe('done')
  })

  it('titles a lift by its kind and my part in it', () => {
    expect(liftTitle({ kind: 'circular', role: 'originator' })).toBe('Clearing you started (circular lift)')
    expect(liftTitle({ kind: 'circular', role: 'intermediary' })).toBe('Clearing through you (circular lift)')
    expect(liftTitle({ kind: 'linear', role: 'originator' }, 'Dora')).toBe('You paid Dora through a route')
    expect(liftTitle({ kind: 'linear', role: 'originator' })).toBe('You paid someone through a route')
    expect(liftTitle({ kind: 'linear', role: 'payee' })).toBe('You were paid through a route')
    expect(liftTitle({ kind: 'linear', role: 'intermediary' })).toBe('A payment passed through you')
  })

  it('words the effect on each tally with the partner\'s name, by status', () => {
    expect(effectText({ partner: 'Bob', units: 7000, status: 'good' })).toBe('Your balance with Bob rose by 7.000 CHIPs')
    expect(effectText({ partner: 'Bob', units: -2500, status: 'pending' })).toBe('Your balance with Bob falls by 2.500 CHIPs once the lift is decided')
    expect(effectText({ units: 1, status: 'void' })).toBe('Your balance with a partner would have risen by 0.001 CHIPs')
    expect(effectText({ partner: 'Bob', units: 0, status: 'good' })).toBe('Your balance with Bob does not change')
    expect(netEffect(liftView('x', { effects: [{ tally: 'a', units: 7000, status: 'good' }, { tally: 'b', units: -7000, status: 'good' }] }))).toBe(0)
  })

  it('captions the auto-clearing switch with its period and last run', () => {
    expect(periodText(30_000)).toBe('every 30 seconds')
    expect(periodText(60_000)).toBe('every 1 minute')
    expect(periodText(7_200_000)).toBe('every 2 hours')
    expect(agoText(1_000, 20_000)).toBe('just now')
    expect(agoText(0, 180_000)).toBe('3 minutes ago')
    expect(agoText(0, 3 * 86_400_000)).toBe('3 days ago')
    expect(autoClearText({ on: false, intervalMs: 60_000 }, 0)).toBe('Off')
    expect(autoClearText({ on: false, intervalMs: 60_000, lastRun: 0 }, 120_000)).toBe('Off · last looked 2 minutes ago')
    expect(autoClearText({ on: true, intervalMs: 60_000 }, 0)).toBe('On: looks for debts to clear every 1 minute · has not looked yet')
  })

  it('words refusals by code, keeps the detail of a malformed input, and falls back to the message', () => {
    expect(liftErrorText({ code: 'NO_ROUTE', message: 'no route with enough free lading was found' })).toBe('No route to this person with enough credit.')
    expect(liftErrorText({ code: 'FEE_TOO_HIGH', message: 'x' })).toMatch(/more in fees than you accepted/)
    expect(liftErrorText({ code: 'OWN_PAYEE', message: 'x' })).toMatch(/your own wallet/)
    expect(liftErrorText({ code: 'MALFORMED', message: 'invalid request: the amount must be at least 1 unit' })).toBe('This is not valid: Invalid request: the amount must be at least 1 unit')
    expect(liftErrorText({ code: 'SOMETHING_NEW', message: 'the referee is asleep' })).toBe('The referee is asleep')
    expect(liftErrorText(new Error('boom'))).toBe('Boom')
  })

  it('describes each step of a payment', () => {
    expect(payStepText('seeking', 'Ann')).toBe('Looking for a route to Ann…')
    expect(payStepText('good', 'Ann')).toBe('Paid: Ann received it.')
    expect(payStepText('void', 'Ann')).toMatch(/nothing moved/)
  })

  it('shows a lift chit as "lift" with its lift\'s outcome on that tally', () => {
    const lift = liftView('l1', { kind: 'circular', status: 'good', effects: [{ tally: 't1', units: 5, status: 'good' }] })
    expect(liftChitState({ tally: 't1', status: 'final' }, lift)).toEqual({ status: 'good', text: 'lift (clearing) · good: done' })
    expect(liftChitState({ tally: 't1', status: 'final' }, { ...lift, kind: 'linear', status: 'pending', effects: [{ tally: 't1', units: 5, status: 'pending' }] }))
      .toEqual({ status: 'pending', text: 'lift (payment through a route) · pending: waiting for the referees' })
    expect(liftChitState({ tally: 't9', status: 'final' }, { ...lift, status: 'void' })).toEqual({ status: 'void', text: 'lift (clearing) · void: nothing moved' })
    expect(liftChitState({ tally: 't1', status: 'final' }, undefined)).toEqual({ status: 'unknown', text: 'lift · recorded' })
    expect(liftChitState({ tally: 't1', status: 'pending' }, undefined)).toEqual({ status: 'unknown', text: 'lift · being recorded' })
    expect(liftChitState({ tally: 't1', status: 'refused' }, undefined).status).toBe('void')
  })
})
