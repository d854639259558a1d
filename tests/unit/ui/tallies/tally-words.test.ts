import { describe, expect, it } from 'vitest'
import {
  balanceText, chitStatusText, chitTitle, expiryText, myTerms, refusalText, REPLACED_TEXT, tallyErrorText, tallyState, tallyStatusText
} from '../../../../src/ui/lib/tally-words'

const t = (status: 'draft' | 'offer' | 'open' | 'closing' | 'closed' | 'void', extra: { awaiting?: 'me' | 'partner', waitingForPartner?: boolean, queued?: number } = {}) =>
  ({ status, awaiting: extra.awaiting, waitingForPartner: extra.waitingForPartner ?? false, queued: extra.queued ?? 0 })

describe('tally status', () => {
  it('names every state, negotiation from my side', () => {
    expect(tallyState(t('draft'))).toBe('invited')
    expect(tallyState(t('offer', { awaiting: 'me' }))).toBe('awaiting-me')
    expect(tallyState(t('offer', { awaiting: 'partner' }))).toBe('awaiting-partner')
    expect(tallyState(t('void'))).toBe('refused')
    expect(tallyStatusText(t('offer', { awaiting: 'me' }))).toBe('awaiting your answer')
    expect(tallyStatusText(t('offer', { awaiting: 'partner' }))).toBe('waiting for partner')
    expect(tallyStatusText(t('open'))).toBe('open')
    expect(tallyStatusText(t('open', { waitingForPartner: true, queued: 1 }))).toBe('open · waiting for partner')
    expect(tallyStatusText(t('open', { queued: 2 }))).toBe('open · sending…')
    expect(tallyStatusText(t('closed'))).toBe('closed')
  })
  it('a withdrawn offer is being revised (not an unopened invitation); a replaced device says so whatever the status', () => {
    expect(tallyState({ ...t('draft', { awaiting: 'me' }), revisedBy: 'me' })).toBe('revising')
    expect(tallyState({ ...t('draft', { awaiting: 'me' }), revisedBy: 'partner' })).toBe('revising')
    expect(tallyStatusText({ ...t('draft'), revisedBy: 'partner' })).toBe('offer withdrawn, being revised')
    expect(tallyState({ ...t('open', { waitingForPartner: true }), replaced: true })).toBe('replaced')
    expect(tallyStatusText({ ...t('open', { waitingForPartner: true, queued: 1 }), replaced: true })).toBe('replaced by another device')
    expect(tallyState({ ...t('open'), replaced: false })).toBe('open')
  })
  it('reads the limits from my side', () => {
    const terms = { stockLimit: 5, foilLimit: 7, stockCall: 0, foilCall: 0 }
    expect(myTerms('stock', terms)).toEqual({ iGrant: 5, partnerGrants: 7 })
    expect(myTerms('foil', terms)).toEqual({ iGrant: 7, partnerGrants: 5 })
  })
  it('says who owes whom', () => {
    expect(balanceText(12_500, 'Bob')).toBe('Bob owes you 12.500 CHIPs')
    expect(balanceText(-3_000, 'Bob')).toBe('You owe Bob 3.000 CHIPs')
    expect(balanceText(0, 'Bob')).toMatch(/Even/)
  })
})

describe('chits', () => {
  it('titles and states', () => {
    expect(chitTitle({ kind: 'payment', by: 'me' }, 'Bob')).toBe('You paid Bob')
    expect(chitTitle({ kind: 'invoice', by: 'partner' }, 'Bob')).toBe('Bob invoiced you')
    expect(chitTitle({ kind: 'decline', by: 'partner' }, 'Bob')).toBe('Bob declined your invoice')
    expect(chitStatusText({ status: 'pending' }, true)).toBe('queued, waiting for the partner')
    expect(chitStatusText({ status: 'pending' }, false)).toBe('pending')
    expect(chitStatusText({ status: 'final' }, false)).toBe('final')
    expect(chitStatusText({ status: 'invoice-declined' }, false)).toBe('declined')
    expect(chitStatusText({ status: 'refused', refusal: { code: 'OVER_LIMIT', message: 'needs 5, 3 available' } }, false))
      .toBe('refused: This is more than the credit available on this tally. needs 5, 3 available')
  })
})

describe('refusals in words', () => {
  it('has a sentence for each named refusal', () => {
    expect(refusalText('INVITATION_EXPIRED', 'x')).toMatch(/expired/)
    expect(refusalText('INVITATION_USED', 'x')).toMatch(/already used/)
    expect(refusalText('OWN_INVITATION', 'x')).toMatch(/your own invitation/)
    expect(refusalText('PEER_UNREACHABLE', 'x')).toMatch(/Could not reach/)
    expect(refusalText('SOMETHING_NEW', 'the detail')).toBe('the detail')
    expect(refusalText('OFFER_WITHDRAWN', 'x')).toMatch(/withdrew this offer/)
    expect(refusalText('DEVICE_REPLACED', 'x')).toBe(REPLACED_TEXT)
    expect(REPLACED_TEXT).toMatch(/This device was replaced by another one holding your wallet/)
    expect(tallyErrorText({ code: 'MALFORMED', message: 'bad units' })).toBe('This is not valid: Bad units')
    expect(tallyErrorText(new Error('boom'))).toBe('Boom')
  })
  it('counts down an expiry', () => {
    expect(expiryText(1_000, 2_000)).toBe('expired')
    expect(expiryText(30 * 60_000, 0)).toBe('expires in 30 minutes')
    expect(expiryText(48 * 3_600_000, 0)).toBe('expires in 2 days')
    expect(expiryText(5 * 3_600_000, 0)).toBe('expires in 5 hours')
  })
})
