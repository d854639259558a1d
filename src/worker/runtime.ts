// What the worker's services need from the node runtime (src/node) and the core, as one injected
// port: the real one (node-runtime.ts) is loaded with a dynamic import after the RTC bridge is
// installed, and unit tests pass a fake.
import type { ContactCard, Identity, WalletNode } from '../node/api'
import type { Store } from '../node/store/store'

export interface NodeStartRequest {
  identity: Identity
  store: Store
  relays: string[]
  iceServers: RTCIceServer[]
  webrtc: boolean
  allowInsecureLoopback: boolean
  /** The node's auto-clearing period, ms (default the node's). */
  liftAutoClearMs?: number
}

export type StoreCloseCause = 'versionchange' | 'terminated'

export interface WalletRuntime {
  /** Opens the wallet's store and claims its writer epoch (a take-over makes the old writer stale). */
  openStore (name: string, onClose: (cause: StoreCloseCause) => void): Promise<Store>
  loadIdentity (store: Store): Promise<Identity | undefined>
  createIdentity (store: Store, name: string): Promise<{ identity: Identity, phrase: string }>
  restoreIdentity (store: Store, phrase: string, name: string): Promise<Identity>
  loadRecoveryPhrase (store: Store): Promise<string>
  startNode (request: NodeStartRequest): Promise<WalletNode>
  contactLink (baseUrl: string, card: ContactCard): string
  /** Parses and validates an untrusted contact link or card JSON (MalformedError / TooLargeError). */
  parseContactLink (input: string): ContactCard
}
