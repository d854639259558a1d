// The referee (/mychips/referee/1.0.0, docs/lifts.md §5): one decision per lift, persisted ('lifts' table,
// `ref/<id>`) before it is answered. `good` on a call with a valid record and a promise from every leg's key
// before expiry; `void` on a valid refusal, or on any request at or after expiry when not already good.
// A query before expiry with no decision answers `pending`. Decisions are sticky.
import type { Signed } from '../../../core/codec/envelope'
import type { SignatureProvider } from '../../../core/crypto/provider'
import { signLiftDecision } from '../../../core/chit/sign'
import type { LiftDecisionBody } from '../../../core/chit/types'
import type { RefereeAnswer, RefereeRequest } from '../../../core/lift/types'
import type { Network, PeerLink } from '../../net/network'
import type { Clock, Logger } from '../../ports'
import type { Store } from '../../store/store'
import { REFEREE_PROTOCOL, serveReferee } from '../../protocols/referee'
import type { LiftKeys } from './contracts'
import { BadPromiseError, NotARefereeError } from './errors'
import { refereeKey } from './records'
import { promisesComplete, verifyPromise, verifyRecord } from './verify'

export interface RefereeEntry {
  lift: string
  decision: Signed<LiftDecisionBody>
  at: number
}

/**
 * Test-only misbehaviour (research scenario 36): a referee that answers these requesters with a signed
 * decision opposite to the one it keeps. Never set in production.
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

  constructor (private readonly deps: RefereeServiceDeps) {}

  start (): void {
    serveReferee(this.deps.network, async (request, from) => await this.answer(request, from))
  }

  stop (): void {
    this.deps.network.unhandle(REFEREE_PROTOCOL)
  }

  /** Decides (at most once per lift, persisted first) and answers one request. */
  async answer (request: RefereeRequest, from: Pick<PeerLink, 'peerId'>): Promise<RefereeAnswer> {
    const { crypto, keys } = this.deps
    const record = await verifyRecord(crypto, request.record)
    const body = record.body
    if (!body.referees.some(r => r.key === keys.referee.key)) throw new NotARefereeError()
    // Check what the request carries before taking the lift's turn (signatures are the slow part).
    let proposed: 'good' | 'void' | undefined
    const expired = this.deps.clock.now() >= body.expires
    if (request.type === 'call') {
      if (!expired && !(await promisesComplete(crypto, record, request.promises))) throw new BadPromiseError('a call needs a valid promise from every leg')
      proposed = expired ? 'void' : 'good'
    } else if (request.type === 'refuse') {
      await verifyPromise(crypto, record, request.refusal)
      if (request.refusal.body.verdict !== 'refuse') throw new BadPromiseError('a refusal must have the verdict refuse')
      proposed = 'void'
    } else if (expired) {
      proposed = 'void'
    }
    const entry = await this.#decide(body.id, proposed)
    if (entry === undefined) return { v: 1, status: 'pending' }
    let decision = entry.decision
    if (this.deps.behaviour?.equivocate?.(from.peerId) === true) {
      decision = await signLiftDecision(crypto, keys.referee.secret, { lift: body.id, outcome: decision.body.outcome === 'good' ? 'void' : 'good' })
    }
    this.deps.logger.log('debug', 'referee.answer', { lift: body.id, type: request.type, outcome: decision.body.outcome })
    return { v: 1, status: 'decided', decision }
  }

  /** The stored decision; else, when `proposed`, the new one (signed and persisted before it is returned). */
  async #decide (lift: string, proposed: 'good' | 'void' | undefined): Promise<RefereeEntry | undefined> {
    const prior = this.#queues.get(lift) ?? Promise.resolve()
    const run = prior.catch(() => undefined).then(async () => {
      const key = refereeKey(lift)
      const kept = await this.deps.store.read(async tx => await tx.get<RefereeEntry>('lifts', key))
      if (kept !== undefined || proposed === undefined) return kept
      const decision = await signLiftDecision(this.deps.crypto, this.deps.keys.referee.secret, { lift, outcome: proposed })
      const entry: RefereeEntry = { lift, decision, at: this.deps.clock.now() }
      await this.deps.store.write(async tx => {
        // A decision is never replaced: if another writer got there first, keep theirs.
        const again = await tx.get<RefereeEntry>('lifts', key)
        if (again === undefined) await tx.put('lifts', key, entry)
      })
      return (await this.deps.store.read(async tx => await tx.get<RefereeEntry>('lifts', key))) ?? entry
    })
    this.#queues.set(lift, run)
    try {
      return await run
    } finally {
      if (this.#queues.get(lift) === run) this.#queues.delete(lift)
    }
  }
}
