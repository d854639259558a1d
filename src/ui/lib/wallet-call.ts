// One call from a screen to the wallet worker: its value, or the refusal in words with its code. A call
// that finds the wallet taken by another tab hands over to the session (deps.onLost).
import type { Remote } from 'comlink'
import type { WalletApi } from '../../worker/api'
import { describeError } from './errors'

export type CallResult<T> = { ok: true, value: T } | { ok: false, error: string, code?: string }

export interface WalletCallDeps {
  /** Called when a call shows this tab no longer owns the wallet (another tab took it). */
  onLost: () => void
  isLost: (err: unknown) => boolean
}

export async function callWallet<T> (
  api: Remote<WalletApi> | undefined, deps: WalletCallDeps, body: (api: Remote<WalletApi>) => Promise<T>, words: (err: unknown) => string
): Promise<CallResult<T>> {
  if (api === undefined) return { ok: false, error: 'The wallet is still starting; try again in a moment.' }
  try {
    return { ok: true, value: await body(api) }
  } catch (err) {
    if (deps.isLost(err)) { deps.onLost(); return { ok: false, error: 'This wallet moved to another tab.' } }
    const code = describeError(err).code
    return code !== undefined ? { ok: false, error: words(err), code } : { ok: false, error: words(err) }
  }
}
