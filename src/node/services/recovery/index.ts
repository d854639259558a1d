// Wallet recovery: a restored device gets its tallies back from its partners (docs/protocol.md, Recovery).
export { RecoveryService, type RecoveryEvents } from './service'
export { DEFAULT_RECOVERY_CONFIG, type RecoveryConfig, type RecoveryDeps } from './deps'
export { RECOVERY_PROTOCOL, MAX_RECOVERY_BYTES } from './wire'
export * from './errors'
