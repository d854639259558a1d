// The page's small pure helpers: backoff, error words, contact-link precheck, settings, query
// options, persistence, and the QR code (decoded back with jsQR).
import { describe, expect, it } from 'vitest'
import jsQR from 'jsqr'
import { backoffDelay } from '../../../../src/ui/lib/backoff'
import { describeError, precheckContactLink } from '../../../../src/ui/lib/errors'
import { addRelay, loadSettings, removeRelay, saveSettings } from '../../../../src/ui/lib/settings'
import { readPageOptions } from '../../../../src/ui/lib/query'
import { requestPersistence } from '../../../../src/ui/lib/storage-persist'
import { qrPath } from '../../../../src/ui/lib/qr'

const PEER = '12D3KooWRe1ayAbCdEfGhIjKlMnOpQrStUvWxYz1234567'

describe('backoffDelay', () => {
  it('doubles from 1 s up to the 60 s cap, with bounded jitter', () => {
    const mid = (): number => 0.5
    expect([0, 1, 2, 3, 5, 6, 7, 100].map(n => backoffDelay(n, mid))).toEqual([1_000, 2_000, 4_000, 8_000, 32_000, 60_000, 60_000, 60_000])
    expect(backoffDelay(0, () => 0)).toBe(800)
    expect(backoffDelay(0, () => 0.999999)).toBe(1_200)
    expect(backoffDelay(-3, mid)).toBe(1_000)
  })
})

describe('describeError', () => {
  it('keeps a ChipsError-shaped code and message, without prefixes or stack', () => {
    expect(describeError({ code: 'MALFORMED', message: 'MalformedError: bad link\n    at foo (x.js:1)' })).toEqual({ code: 'MALFORMED', message: 'Bad link' })
    expect(describeError(new Error('relay unreachable'))).toEqual({ message: 'Relay unreachable' })
  })
  it('never shows an empty message', () => {
    for (const e of [undefined, null, 42, {}, { message: '' }, '', 'Error: ']) expect(describeError(e).message.length).toBeGreaterThan(5)
  })
  it('bounds very long messages', () => {
    expect(describeError('x'.repeat(1000)).message.length).toBeLessThanOrEqual(300)
  })
})

describe('precheckContactLink', () => {
  it('accepts links with a payload and raw card JSON', () => {
    expect(precheckContactLink('https://wallet.example/#c=abc')).toBeUndefined()
    expect(precheckContactLink('http://127.0.0.1:8080/?c=abc')).toBeUndefined()
    expect(precheckContactLink('{"v":1}')).toBeUndefined()
  })
  it.each([
    ['', 'Paste'],
    ['   ', 'Paste'],
    ['hello there', 'not a contact link'],
    ['ftp://x.example/#c=1', 'https://'],
    ['https://wallet.example/', 'no contact in it']
  ])('refuses %j clearly', (input, words) => {
    expect(precheckContactLink(input)).toContain(words)
  })
})

describe('settings', () => {
  class Mem { m = new Map<string, string>(); getItem (k: string) { return this.m.get(k) ?? null } setItem (k: string, v: string) { this.m.set(k, v) } }
  const addr = `/dns4/r.example/tcp/443/tls/ws/p2p/${PEER}`

  it('round-trips extra relays through storage', () => {
    const s = new Mem()
    const added = addRelay(loadSettings(s), addr)
    expect(added.ok).toBe(true)
    if (!added.ok) return
    saveSettings(s, added.settings)
    expect(loadSettings(s).extraRelays).toEqual([addr])
    expect(removeRelay(loadSettings(s), addr).extraRelays).toEqual([])
  })
  it('refuses duplicates and invalid addresses', () => {
    const once = addRelay({ extraRelays: [] }, addr)
    if (!once.ok) throw new Error('expected ok')
    expect(addRelay(once.settings, addr)).toEqual({ ok: false, error: 'That relay is already in the list.' })
    expect(addRelay(once.settings, 'nope').ok).toBe(false)
  })
  it('falls back to defaults on corrupt storage and drops invalid entries', () => {
    const s = new Mem()
    s.setItem('mychips.settings', '{oops')
    expect(loadSettings(s)).toEqual({ extraRelays: [] })
    s.setItem('mychips.settings', JSON.stringify({ extraRelays: [addr, '/bad'] }))
    expect(loadSettings(s)).toEqual({ extraRelays: [addr] })
    expect(loadSettings(undefined)).toEqual({ extraRelays: [] })
  })
})

describe('readPageOptions', () => {
  it('?webrtc=0 turns WebRTC off; default on', () => {
    expect(readPageOptions('').webrtc).toBe(true)
    expect(readPageOptions('?webrtc=0').webrtc).toBe(false)
    expect(readPageOptions('?x=1&webrtc=off').webrtc).toBe(false)
    expect(readPageOptions('?webrtc=1').webrtc).toBe(true)
  })
})

describe('requestPersistence', () => {
  it('reports granted, denied and unsupported', async () => {
    expect(await requestPersistence(undefined)).toBe('unsupported')
    expect(await requestPersistence({})).toBe('unsupported')
    expect(await requestPersistence({ persisted: async () => true, persist: async () => { throw new Error('not called') } })).toBe('granted')
    expect(await requestPersistence({ persisted: async () => false, persist: async () => true })).toBe('granted')
    expect(await requestPersistence({ persisted: async () => false, persist: async () => false })).toBe('denied')
    expect(await requestPersistence({ persist: async () => { throw new Error('boom') } })).toBe('denied')
  })
})

describe('qrPath', () => {
  /** Rasterizes the path (runs of h-lines) at 4 px per module and decodes it with jsQR. */
  function decode (text: string): string | undefined {
    const qr = qrPath(text)
    const scale = 4
    const side = qr.viewBox * scale
    const rgba = new Uint8ClampedArray(side * side * 4).fill(255)
    for (const m of qr.d.matchAll(/M(\d+) (\d+)h(\d+)v1h-?\d+z/g)) {
      const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])]
      for (let py = y * scale; py < (y + 1) * scale; py++) {
        for (let px = x * scale; px < (x + w) * scale; px++) {
          const i = (py * side + px) * 4
          rgba[i] = 0; rgba[i + 1] = 0; rgba[i + 2] = 0
        }
      }
    }
    return jsQR(rgba, side, side)?.data
  }

  it('encodes a contact link that decodes back exactly', () => {
    const link = `http://127.0.0.1:8080/#c=${'eyJ2IjoxLCJ1c2VySWQiOiJxM0p4OGNWWXRHMG1LMnA5d1FlNFJ6TGhON3NVYUIxZEY2b0l5VDV2WGtFIn0'.repeat(3)}`
    expect(decode(link)).toBe(link)
  })
  it('has a 4-module quiet zone', () => {
    const qr = qrPath('hi')
    expect(qr.viewBox).toBe(qr.size + 8)
  })
  it('throws for text too long for any QR code', () => {
    expect(() => qrPath('x'.repeat(5000))).toThrow()
  })
})
