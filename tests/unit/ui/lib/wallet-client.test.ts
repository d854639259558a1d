// wallet-client.ts on its own: how failures become WalletRpcError. The full client ↔ worker round trip
// (startup order, subscriptions, lifecycle) is in tests/unit/worker/rpc/wallet-rpc.test.ts.
import { describe, expect, it } from 'vitest'
import { toWalletRpcError, WalletRpcError } from '../../../../src/ui/lib/wallet-client'

describe('toWalletRpcError', () => {
  it('keeps the worker\'s { code, message }', () => {
    const e = toWalletRpcError({ code: 'STALE_WRITER', message: 'the wallet was taken over by another tab' })
    expect(e).toBeInstanceOf(WalletRpcError)
    expect(e).toBeInstanceOf(Error)
    expect(e).toMatchObject({ name: 'WalletRpcError', code: 'STALE_WRITER', message: 'the wallet was taken over by another tab' })
  })

  it('turns a transport Error (e.g. DataCloneError) into RPC_FAILED with its name, keeping the cause', () => {
    const cause = new DOMException('function could not be cloned', 'DataCloneError')
    const e = toWalletRpcError(cause)
    expect(e).toMatchObject({ code: 'RPC_FAILED', message: 'DataCloneError: function could not be cloned' })
    expect(e.cause).toBe(cause)
  })

  it('never trusts an Error that merely carries a code (only plain objects come from the worker)', () => {
    const e = toWalletRpcError(Object.assign(new Error('boom'), { code: 'FAKE' }))
    expect(e.code).toBe('RPC_FAILED')
  })

  it('handles odd values', () => {
    expect(toWalletRpcError('just text')).toMatchObject({ code: 'RPC_FAILED', message: 'just text' })
    expect(toWalletRpcError(undefined)).toMatchObject({ code: 'RPC_FAILED', message: 'undefined' })
    expect(toWalletRpcError({ code: 1, message: 'x' })).toMatchObject({ code: 'RPC_FAILED' })
    const same = new WalletRpcError('X', 'y')
    expect(toWalletRpcError(same)).toBe(same)
  })
})
