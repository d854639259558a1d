// Reactive view of the update prompt: a new build is waiting (and its id), and where the
// coordinated reload stands.
import type { UpdatePhase } from './update-coordinator'

export class UpdateState {
  /** Set when a new build waits for the user's consent. */
  waiting = $state<{ buildId: string | undefined } | undefined>(undefined)
  phase = $state<UpdatePhase>('idle')
}
