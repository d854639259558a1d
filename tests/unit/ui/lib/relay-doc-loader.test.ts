// Loading the relay document: success caches it; failure keeps the cached copy and retries with backoff.
import { describe, expect, it } from 'vitest'
import { RelayDocLoader, type RelayDocState } from '../../../../src/ui/lib/relay-doc-loader'
import type { PageTimers } from '../../../../src/ui/lib/timers'

const PEER = '12D3KooWRe1ayAbCdEfGhIjKlMnOpQrStUvWxYz1234567'
const DOC = { v: 1, peerId: PEER, multiaddrs: ['/ip4/127.0.0.1/tcp/8080/ws'], iceServers: [] }

class MemoryStorage {
  readonly data = new Map<string, string>()
  getItem (k: string): string | null { return this.data.get(k) ?? null }
  setItem (k: string, v: string): void { this.data.set(k, v) }
}

/** Manual timers: tests fire them explicitly. */
class ManualTimers implements PageTimers {
  t = 1_000
  readonly pending = new Map<number, { fn: () => void, at: number }>()
  private next = 1
  now = (): number => this.t
  setTimeout = (fn: () => void, ms: number): unknown => { const id = this.next++; this.pending.set(id, { fn, at: this.t + ms }); return id }
  clearTimeout = (h: unknown): void => { this.pending.delete(h as number) }
  /** Delays of the scheduled retries (ignores the fetch timeouts of 8 s). */
  retries (): number[] { return [...this.pending.values()].map(p => p.at - this.t).filter(d => d !== 8_000) }
  fireRetry (): void {
    for (const [id, p] of this.pending) if (p.at - this.t !== 8_000) { this.pending.delete(id); p.fn(); return }
    throw new Error('no retry scheduled')
  }
}

const flush = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 0))

function loader (responses: Array<() => Promise<Response>>, storage = new MemoryStorage(), timers = new ManualTimers()) {
  const urls: string[] = []
  const states: RelayDocState[] = []
  const l = new RelayDocLoader({
    fetch: async (url) => {
      urls.push(url)
      const next = responses.shift()
      if (next === undefined) throw new Error('no more responses')
      return await next()
    },
    storage,
    timers,
    random: () => 0.5, // no jitter
    origin: 'http://127.0.0.1:8080'
  })
  l.onChange(s => states.push(s))
  return { l, urls, states, storage, timers }
}

const json = (body: unknown, status = 200) => async () => new Response(JSON.stringify(body), { status })
const down = async (): Promise<Response> => { throw new TypeError('Failed to fetch') }

describe('RelayDocLoader', () => {
  it('fetches /.well-known/mychips-relay.json from the page origin and caches it', async () => {
    const { l, urls, states, storage } = loader([json(DOC)])
    l.start()
    await flush()
    expect(urls).toEqual(['http://127.0.0.1:8080/.well-known/mychips-relay.json'])
    expect(states.at(-1)).toMatchObject({ kind: 'ok', cached: false, doc: { peerId: PEER } })
    expect(JSON.parse(storage.getItem('mychips.relayDoc') ?? '{}')).toMatchObject({ peerId: PEER })
  })

  it('retries with growing delays while the relay is down, then recovers', async () => {
    const { l, states, timers } = loader([down, json({}, 503), json({ v: 9 }), json(DOC)])
    l.start()
    await flush()
    expect(states.at(-1)).toMatchObject({ kind: 'failed', error: 'could not reach the relay that serves this app', attempt: 1 })
    expect(timers.retries()).toEqual([1_000])
    timers.fireRetry(); await flush()
    expect(states.at(-1)).toMatchObject({ kind: 'failed', error: 'the relay answered 503 for its relay document' })
    expect(timers.retries()).toEqual([2_000])
    timers.fireRetry(); await flush()
    expect(states.at(-1)).toMatchObject({ kind: 'failed' })
    expect((states.at(-1) as { error: string }).error).toContain('relay document is invalid')
    expect(timers.retries()).toEqual([4_000])
    timers.fireRetry(); await flush()
    expect(states.at(-1)).toMatchObject({ kind: 'ok' })
    expect(timers.retries()).toEqual([])
  })

  it('offers the cached document while the relay is down', async () => {
    const storage = new MemoryStorage()
    storage.setItem('mychips.relayDoc', JSON.stringify(DOC))
    const { l, states } = loader([down], storage)
    l.start()
    await flush()
    expect(states.at(-1)).toMatchObject({ kind: 'failed', cached: { peerId: PEER } })
    l.stop()
  })

  it('ignores a corrupt cache', () => {
    const storage = new MemoryStorage()
    storage.setItem('mychips.relayDoc', '{not json')
    expect(loader([], storage).l.cached()).toBeUndefined()
    storage.setItem('mychips.relayDoc', JSON.stringify({ ...DOC, v: 2 }))
    expect(loader([], storage).l.cached()).toBeUndefined()
  })

  it('stop() cancels the pending retry', async () => {
    const { l, timers } = loader([down])
    l.start()
    await flush()
    l.stop()
    expect(timers.retries()).toEqual([])
  })
})
