// What the tally service is built from (injected, like every node service).
import type { TallyAction } from '../../../core/chit/types'
import type { TallyState } from '../../../core/tally/state'
import type { NodeServiceDeps } from '../deps'
import type { DiaryService } from '../diary/service'
import type { BackoffPolicy } from '../../net/backoff'

export type TallyDiary = DiaryService<TallyState, TallyAction>

export interface TallyServiceDeps extends NodeServiceDeps {
  /** The certified diary of open tallies; without it, tallies negotiate and open but no chit can be issued. */
  diary?: TallyDiary
  /** This node's diary member key (its Ed25519 device public key, base64url). */
  memberKey: string
  /** Retry schedule for undelivered negotiation messages (default 1 s … 60 s). */
  retry?: BackoffPolicy
  /** How long an action call waits for its certificate before resolving as pending (default 4 s). */
  certifyWaitMs?: number
}
