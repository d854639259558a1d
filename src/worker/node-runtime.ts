// The real WalletRuntime: src/node and the core, wired with the browser's system ports. Imported
// dynamically by the worker entry after the RTC bridge is installed (DESIGN.md §4).
import { chooseProvider } from '../core/crypto/select'
import type { SignatureProvider } from '../core/crypto/provider'
import {
  contactLink, createIdentity, loadIdentity, loadRecoveryPhrase, openIdbStore, parseContactLink, restoreIdentity,
  startWalletNode, systemClock, systemRandom, systemTimers
} from '../node/index'
import type { Logger } from '../node/ports'
import { consoleLogger } from './logger'
import type { WalletRuntime } from './runtime'

export function createNodeRuntime (logger: Logger = consoleLogger()): WalletRuntime {
  // Native WebCrypto Ed25519 where it works (Chromium, Node), noble otherwise; probed once.
  let provider: Promise<SignatureProvider> | undefined
  const crypto = async (): Promise<SignatureProvider> => await (provider ??= chooseProvider(globalThis.crypto?.subtle))
  const deps = async (store: Parameters<WalletRuntime['loadIdentity']>[0]) => ({ store, crypto: await crypto(), clock: systemClock, random: systemRandom })

  return {
    openStore: async (name, onClose) => await openIdbStore({
      name,
      onClose,
      onBlocked: () => { logger.log('warn', 'store.blocked', { name }) }
    }),
    loadIdentity: async (store) => await loadIdentity(store),
    createIdentity: async (store, name) => await createIdentity(await deps(store), name),
    restoreIdentity: async (store, phrase, name) => await restoreIdentity(await deps(store), phrase, name),
    loadRecoveryPhrase: async (store) => await loadRecoveryPhrase(store),
    startNode: async (request) => await startWalletNode({
      identity: request.identity,
      store: request.store,
      crypto: await crypto(),
      clock: systemClock,
      timers: systemTimers,
      random: systemRandom,
      logger,
      network: {
        kind: 'libp2p',
        host: 'browser',
        relays: request.relays,
        webrtc: request.webrtc,
        iceServers: request.iceServers,
        allowInsecureLoopback: request.allowInsecureLoopback
      },
      ...(request.liftAutoClearMs !== undefined ? { lifts: { config: { autoClearMs: request.liftAutoClearMs } } } : {})
    }),
    contactLink,
    parseContactLink
  }
}
