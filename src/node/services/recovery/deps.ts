// What the recovery service is built from (injected, like every node service).
import type { NodeServiceDeps } from '../deps'
import type { TallyDiary } from '../tallies/deps'

export interface RecoveryConfig {
  /** How often partners' presence is polled at the rendezvous (ms); doubled on failure up to maxPollMs. */
  pollMs: number
  maxPollMs: number
  /** How often this node re-publishes its presence (well under the relay's TTL). */
  refreshMs: number
  /** How long before the same (device, tally) is offered recovery again if it did not take its seat. */
  reofferMs: number
  /** How long a partner waits for a re-seat's certificate before answering RESEAT_PENDING. */
  reseatWaitMs: number
}

export const DEFAULT_RECOVERY_CONFIG: RecoveryConfig = {
  pollMs: 10_000, maxPollMs: 120_000, refreshMs: 20 * 60_000, reofferMs: 60_000, reseatWaitMs: 8_000
}

export interface RecoveryDeps extends NodeServiceDeps {
  diary: TallyDiary
  /** This node's member key (its Ed25519 device public key, base64url). */
  memberKey: string
  /** Peer ids of the rendezvous servers (the relays this node is connected to) right now. */
  rendezvous: () => string[]
  config?: Partial<RecoveryConfig>
}
