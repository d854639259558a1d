// Certified diary replication between the member nodes of a tally (DESIGN.md §5).
export type * from './service'
export { createDiaryService, DEFAULT_DIARY_CONFIG } from './diary-service'
export { memberIdentityFromPeerKey, peerIdOfMember, memberOfPeer } from './keys'
export * from './errors'
export { orderTallyActions, tallyDiaryHooks } from './tally-hooks'
