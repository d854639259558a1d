import { describe, expect, it } from 'vitest'
import { ChipsError, TooLargeError } from '../../../../src/core/errors'
import { errorFrame, okFrame, openFrame } from '../../../../src/node/net/frame'
import { RemoteError } from '../../../../src/node/net/errors'
import { DEFAULT_BACKOFF, backoffDelay } from '../../../../src/node/net/backoff'
import { deadline } from '../../../../src/node/net/deadline'
import { seededRandom } from '../../../../src/node/net/sim/random'
import { VirtualTime } from '../../../../src/node/net/sim/time'

describe('response frames', () => {
  it('carries a body, or a ChipsError as {code, message} rethrown as RemoteError', () => {
    expect(openFrame(okFrame(new Uint8Array([1, 2])), 'p')).toEqual(new Uint8Array([1, 2]))
    const err = (() => { try { openFrame(errorFrame(new TooLargeError(10, 5)), 'peer-x') } catch (e) { return e } })()
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ code: 'TOO_LARGE', message: 'message of 10 bytes exceeds the limit of 5 bytes', peerId: 'peer-x' })
  })

  it('never leaks a non-ChipsError\'s message', () => {
    expect(() => openFrame(errorFrame(new Error('stack secrets')), 'p')).toThrow('the peer failed to handle the request')
  })

  it.each([
    ['an empty frame', new Uint8Array(0), /empty response/],
    ['an unknown kind', new Uint8Array([7]), /unknown response frame kind 7/],
    ['unreadable error JSON', new Uint8Array([1, 0xff]), /unreadable error frame/],
    ['a bad error code', new Uint8Array([1, ...new TextEncoder().encode('{"code":"lower","message":"x"}')]), /malformed error frame/],
    ['an overlong error message', new Uint8Array([1, ...new TextEncoder().encode(JSON.stringify({ code: 'X', message: 'm'.repeat(501) }))]), /malformed error frame/]
  ])('refuses %s with PROTOCOL_VIOLATION', (_what, frame, message) => {
    expect(() => openFrame(frame, 'p')).toThrow(message)
    expect(() => openFrame(frame, 'p')).toThrow(ChipsError)
  })
})

describe('backoff', () => {
  it('doubles from the initial delay up to the maximum, with jitter in [50%, 100%)', () => {
    const random = seededRandom(1)
    for (let attempt = 0; attempt < 10; attempt++) {
      const base = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.initialMs * 2 ** attempt)
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(DEFAULT_BACKOFF, attempt, random)
        expect(d).toBeGreaterThanOrEqual(base / 2)
        expect(d).toBeLessThanOrEqual(base)
      }
    }
    expect(backoffDelay(DEFAULT_BACKOFF, 1000, random)).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs)
  })
})

describe('deadline', () => {
  it('aborts on the injected timers, or with the outer signal, and can be cleared', async () => {
    const time = new VirtualTime()
    const d = deadline(time.timers, 100)
    await time.advance(99)
    expect(d.signal.aborted).toBe(false)
    await time.advance(1)
    expect(d.signal.aborted).toBe(true)
    expect(d.timedOut()).toBe(true)
    const outer = new AbortController()
    const e = deadline(time.timers, 100, outer.signal)
    outer.abort(new Error('user'))
    expect(e.signal.aborted).toBe(true)
    expect(e.timedOut()).toBe(false)
    const f = deadline(time.timers, 100)
    f.clear()
    await time.advance(200)
    expect(f.signal.aborted).toBe(false)
  })
})
