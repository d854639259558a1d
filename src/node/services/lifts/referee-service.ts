// The referee (/mychips/referee/1.0.0, docs/lifts.md §5) over the core's rules (core/lift/referee.ts
// refereeStep): one decision per lift, persisted ('lifts' table, `ref/<id>`) in one transaction BEFORE it
// is answered, so a crash can never make it sign a second, different decision. Requests for one lift are
// taken one at a time.
import { signLiftDecision } from '../../../core/chit/sign'
import type { LiftDecisionBody } from '../../../core/chit/types'
import type { Signed } from '../../../core/codec/envelope'
import type { SignatureProvider } from '../../../core/crypto/provider'
import { refereeRequestLift, refereeStep, type RefereeEntry } from '../../../core/lift/referee'
import type { RefereeAnswer, RefereeRequest } from '../../../core/lift/types'
import type { Network, PeerLink } from '../../net/network'
import type { Clock, Logger } from '../../ports'
import type { Store } from '../../store/store'
import { REFEREE_PROTOCOL, serveReferee } from '../../protocols/referee'
import type { LiftKeys } from './contracts'
import { refereeKey } from './records'

/**
 * Test-only misbehaviour (research scenario 36): a referee that answers these requesters with a signed
 * decision opposite to the one it keeps — it equivocates. Never set in production.
 */
export interface RefereeBehaviour {
  equivocate?: (requester: string) => boolean
}

export interface RefereeServiceDeps {
  network: Network
  store: Store
  crypto: SignatureProvider
  clock: Clock
  logger: Logger
  keys: LiftKeys
  behaviour?: RefereeBehaviour
}

export class RefereeService {
  readonly #queues = new Map<string, Promise<unknown>>()
  readonly #decided = new Set<(lift: string, decision: Signed<LiftDecisionBody>) => void>()

  /** Called with every decision this referee makes (after it is persisted). */
  onDecided (listener: (lift: string, decision: Signed<LiftDecisionBody>) => void): () => void {
    this.#decided.add(listener)
    return () => { this.#decided.delete(listener) }
  }

  constructor (private readonly deps: RefereeServiceDeps) {}

  start (): void {
    serveReferee(this.deps.network, async (request, from) => await this.answer(request, from))
  }

  stop (): void {
    this.deps.network.unhandle(REFEREE_PROTOCOL)
  }

  /** This referee's entry for a lift, if it decided. */
  async entry (lift: string): Promise<RefereeEntry | undefined> {
    return await this.deps.store.read(async tx => await tx.get<RefereeEntry>('lifts', refereeKey(lift)))
  }

  /** Decides (at most once per lift, persisted first) and answers one request. Throws the core's named errors. */
  async answer (request: RefereeRequest, from: Pick<PeerLink, 'peerId'>): Promise<RefereeAnswer> {
    const lift = refereeRequestLift(request) ?? ''
    const prior = this.#queues.get(lift) ?? Promise.resolve()
    const run = prior.catch(() => undefined).then(async () => await this.#answer(lift, request, from))
    this.#queues.set(lift, run)
    try {
      return await run
    } finally {
      if (this.#queues.get(lift) === run) this.#queues.delete(lift)
    }
  }

  async #answer (lift: string, request: RefereeRequest, from: Pick<PeerLink, 'peerId'>): Promise<RefereeAnswer> {
    const { crypto, keys, store } = this.deps
    const step = await refereeStep(crypto, keys.referee.secret, await this.entry(lift), request, this.deps.clock.now())
    if (step.entry !== undefined) {
      const entry = step.entry
      await store.write(async tx => { await tx.put('lifts', refereeKey(entry.lift), entry) })
      this.deps.logger.log('info', 'referee.decided', { lift: entry.lift, outcome: entry.outcome, type: request.type })
      for (const l of this.#decided) l(entry.lift, entry.decision)
    }
    const answer = step.answer
    if (answer.status === 'decided' && this.deps.behaviour?.equivocate?.(from.peerId) === true) {
      const outcome = answer.decision.body.outcome === 'good' ? 'void' : 'good'
      return { v: 1, status: 'decided', decision: await signLiftDecision(crypto, keys.referee.secret, { lift: step.record.id, outcome }) }
    }
    return answer
  }
}
