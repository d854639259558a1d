// Event plumbing of the stand-ins: listeners and on-handlers both run; a throwing handler is reported
// like a browser reports it and never stops delivery.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BridgedDataChannel } from '../../../../src/worker/rtc-bridge/data-channel'

const sink = { post: vi.fn() }
function channel (): BridgedDataChannel {
  return new BridgedDataChannel('m1', sink, { label: '', protocol: '', id: 1, ordered: true, negotiated: false, maxPacketLifeTime: null, maxRetransmits: null, readyState: 'open' })
}

afterEach(() => { delete (globalThis as { reportError?: unknown }).reportError })

describe('stand-in events', () => {
  it('runs listeners then the on-handler; a throwing handler is reported and delivery goes on', () => {
    const reported: unknown[] = []
    ;(globalThis as { reportError?: unknown }).reportError = (e: unknown) => { reported.push(e) }
    const ch = channel()
    const order: string[] = []
    ch.addEventListener('message', (e) => { order.push(`listener:${String((e as MessageEvent).data)}`) })
    ch.onmessage = (e) => { order.push(`handler:${String(e.data)}`); throw new Error('handler bug') }
    ch.receive({ t: 'dc.message', dc: 'm1', data: 'a' })
    ch.receive({ t: 'dc.message', dc: 'm1', data: 'b' })
    expect(order).toEqual(['listener:a', 'handler:a', 'listener:b', 'handler:b'])
    expect(reported).toHaveLength(2)
    expect((reported[0] as Error).message).toBe('handler bug')
  })

  it('reports a rejected async handler too (libp2p\'s onmessage is async)', async () => {
    const reported: unknown[] = []
    ;(globalThis as { reportError?: unknown }).reportError = (e: unknown) => { reported.push(e) }
    const ch = channel()
    ch.onmessage = async () => { throw new Error('async bug') }
    ch.receive({ t: 'dc.message', dc: 'm1', data: 'x' })
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(reported).toHaveLength(1)
  })

  it('announces a remote channel that arrives open with exactly one open event, and none after close', () => {
    const ch = channel()
    let opens = 0
    ch.onopen = () => { opens++ }
    ch.receive({ t: 'dc.open', dc: 'm1', id: 3 })
    ch.receive({ t: 'dc.open', dc: 'm1', id: 3 })
    expect(opens).toBe(1)
    expect(ch.id).toBe(3)
    expect(ch.receive({ t: 'dc.close', dc: 'm1' })).toBe(true)
    const got: unknown[] = []
    ch.onmessage = (e) => { got.push(e.data) }
    ch.receive({ t: 'dc.message', dc: 'm1', data: 'late' })
    expect(got).toEqual([])
  })

  it('ignores an unknown binaryType like the real attribute, and clamps the threshold', () => {
    const ch = channel()
    ch.binaryType = 'nonsense' as BinaryType
    expect(ch.binaryType).toBe('arraybuffer')
    ch.bufferedAmountLowThreshold = -7
    expect(ch.bufferedAmountLowThreshold).toBe(0)
    ch.bufferedAmountLowThreshold = 1.9
    expect(ch.bufferedAmountLowThreshold).toBe(1)
  })
})
