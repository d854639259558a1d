// What the tally service is built from (injected, like every node service).
import type { SignatureProvider } from '../../../core/crypto/provider'
import type { TallyAction } from '../../../core/chit/types'
import type { TallyState } from '../../../core/tally/state'
import type { Identity } from '../../api'
import type { Network } from '../../net/network'
import type { Clock, Logger, Random, Timers } from '../../ports'
import type { Store } from '../../store/store'
import type { DiaryService } from '../diary/service'
import type { BackoffPolicy } from '../../net/backoff'

export type TallyDiary = DiaryService<TallyState, TallyAction>

export interface TallyServiceDeps {
  identity: Identity
  store: Store
  crypto: SignatureProvider
  clock: Clock
  timers: Timers
  random: Random
  logger: Logger
  network: Network
  /** The certified diary of open tallies; without it, tallies negotiate and open but no chit can be issued. */
  diary?: TallyDiary
  /** This node's diary member key (its Ed25519 device public key, base64url). */
  memberKey: string
  /** Retry schedule for undelivered negotiation messages (default 1 s … 60 s). */
  retry?: BackoffPolicy
  /** How long an action call waits for its certificate before resolving as pending (default 4 s). */
  certifyWaitMs?: number
}
