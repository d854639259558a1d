import { describe, expect, it } from 'vitest'
import { describeError } from '../../../../src/node/net/errors'

describe('describeError', () => {
  it('turns a bare Event (a refused WebSocket in a browser) into words', () => {
    expect(describeError(new Event('error'))).toBe('the connection failed (error)')
    expect(describeError(new Error('[object Event]'))).toBe('the connection failed')
    expect(describeError(new Error('[object Event]', { cause: new Event('close') }))).toBe('the connection failed (close)')
  })

  it('opens AggregateErrors and drops repeats', () => {
    const err = new AggregateError([new Error('ECONNREFUSED'), new Error('ECONNREFUSED'), new Error('timeout')], 'All promises were rejected')
    expect(describeError(err)).toBe('ECONNREFUSED; timeout')
  })

  it('keeps ordinary messages', () => {
    expect(describeError(new Error('dial timed out'))).toBe('dial timed out')
    expect(describeError('plain')).toBe('plain')
  })
})
