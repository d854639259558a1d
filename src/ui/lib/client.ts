// The shape of the wallet client the worker engineer's wallet-client.ts returns: a comlink remote
// of WalletApi and a way to end the worker. Declared here so the session can take a fake in tests.
import type { Remote } from 'comlink'
import type { WalletApi } from '../../worker/api'

export interface WalletClientLike {
  api: Remote<WalletApi>
  terminate (): void
}

export type CreateClient = () => WalletClientLike
