// The consumer that matters: @libp2p/webrtc's own WebRTCStream (the per-stream code of the muxer) running
// on bridged data channels, with a slow page-side channel so its backpressure path (bufferedAmount →
// canSendMore=false → 'bufferedamountlow' → 'drain') is exercised. The module is not exported by the
// package, so it is imported by path; the test pins the behaviour the bridge was built against (6.0.x).
import { afterEach, describe, expect, it } from 'vitest'
import { createStream } from '../../../../node_modules/@libp2p/webrtc/dist/src/stream.js'
import type { BridgedDataChannel } from '../../../../src/worker/rtc-bridge/data-channel'
import type { FakeDataChannel } from './fake-rtc'
import { FakeRtc } from './fake-rtc'
import type { Side } from './harness'
import { closeSides, makeSide, negotiate, until } from './harness'

interface Log { (...args: unknown[]): void, trace: Log, error: Log, enabled: boolean, newScope: (name: string) => Log }
const log: Log = Object.assign(() => {}, { enabled: false }) as unknown as Log
log.trace = log
log.error = log
log.newScope = () => log

interface Stream extends EventTarget, AsyncIterable<{ subarray: () => Uint8Array }> {
  send: (data: Uint8Array) => boolean
  onDrain: () => Promise<void>
  close: () => Promise<void>
  writableNeedsDrain: boolean
}

let sides: Side[] = []
let pump: ReturnType<typeof setInterval> | undefined
afterEach(() => {
  if (pump !== undefined) clearInterval(pump)
  closeSides(...sides)
  sides = []
})

describe('@libp2p/webrtc WebRTCStream over the bridge', () => {
  it('moves 1 MiB through a slow channel with backpressure, in order, then closes with FIN/FIN_ACK', async () => {
    const rtc = new FakeRtc()
    const a = makeSide(rtc)
    const b = makeSide(rtc)
    sides.push(a, b)
    const pa = new a.PC()
    const pb = new b.PC()
    const incoming: BridgedDataChannel[] = []
    pb.ondatachannel = ({ channel }) => { if (channel.label === '') incoming.push(channel) }
    await negotiate(pa, pb, a.bridge.classes.RTCIceCandidate)

    // The page-side channel drains only every few ms: data piles up in its bufferedAmount.
    rtc.autoDrain = false
    pump = setInterval(() => { for (const pc of rtc.peers) for (const dc of pc.channels) (dc as FakeDataChannel).drain() }, 3)

    const maxBufferedAmount = 64 * 1024
    const channel = pa.createDataChannel('')
    const outbound = createStream({ channel: channel as unknown as RTCDataChannel, direction: 'outbound', log: log as never, maxBufferedAmount }) as unknown as Stream
    await until(() => incoming.length === 1, 'remote channel')
    const inbound = createStream({ channel: incoming[0] as unknown as RTCDataChannel, direction: 'inbound', log: log as never }) as unknown as Stream

    const total = 1024 * 1024
    const source = new Uint8Array(total).map((_, i) => (i * 31 + 7) & 0xff)
    let maxSeen = 0
    let waits = 0
    const received: Uint8Array[] = []
    const reading = (async () => { for await (const chunk of inbound) received.push(chunk.subarray().slice()) })()

    for (let offset = 0; offset < total; offset += 32 * 1024) {
      const more = outbound.send(source.subarray(offset, offset + 32 * 1024))
      maxSeen = Math.max(maxSeen, channel.bufferedAmount)
      if (!more) {
        waits++
        await outbound.onDrain()
      }
    }
    await outbound.close()
    await reading

    const got = new Uint8Array(received.reduce((n, c) => n + c.byteLength, 0))
    let at = 0
    for (const c of received) { got.set(c, at); at += c.byteLength }
    expect(got.byteLength).toBe(total)
    // (element-wise toEqual on 1 MiB takes seconds; compare bytes directly)
    expect(Buffer.compare(got, source)).toBe(0)
    expect(waits).toBeGreaterThan(0) // backpressure really engaged
    // Bounded by the limit plus what one send can add beyond it (a 32 KiB write split into ≤16 KiB messages).
    expect(maxSeen).toBeLessThanOrEqual(maxBufferedAmount + 48 * 1024)
    expect(a.bridge.stats().dropped + b.bridge.stats().dropped + a.host.stats().dropped + b.host.stats().dropped).toBe(0)
  }, 5_000)
})
