import { describe, expect, it } from 'vitest'

describe('test setup', () => {
  it('has the Node 20 shims libp2p needs', () => {
    expect(typeof Promise.withResolvers).toBe('function')
    expect(typeof globalThis.WebSocket).toBe('function')
  })
})
