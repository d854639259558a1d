// What the lift services keep in the 'lifts' table (docs/lifts.md §6):
//   `rec/<lift id>`  LiftLocal: this node's view of a lift it takes part in
//   `ref/<lift id>`  RefereeEntry: this node's decision as a referee of that lift
//   `auto`           AutoClearSetting
// Every change of a record is one store transaction; a cache keeps them for the synchronous views, and
// updates of one lift run one after another so none is lost.
import type { Signed } from '../../../core/codec/envelope'
import type { LiftDecisionBody } from '../../../core/chit/types'
import type { FraudProof, LiftKind, LiftPromise, LiftRecord } from '../../../core/lift/types'
import type { Side } from '../../../core/tally/types'
import type { LiftRole } from '../../api'
import type { Store } from '../../store/store'

export const RECORD_PREFIX = 'rec/'
export const REFEREE_PREFIX = 'ref/'
export const AUTO_KEY = 'auto'

export type LiftLocalStatus = 'seeking' | 'pending' | 'good' | 'void' | 'failed'

/** One leg of the lift on a tally of mine. */
export interface HeldLeg {
  tally: string
  leg: number
  /** My side of the tally; `giver`: I give on this leg (my lift chit), else I receive. */
  side: Side
  giver: boolean
  units: number
}

export interface LiftLocal {
  id: string
  kind: LiftKind
  role: LiftRole
  /** Absent while seeking (no record yet). */
  record?: LiftRecord
  legs: HeldLeg[]
  status: LiftLocalStatus
  /** Circular: units per leg; linear: what the payee receives. */
  units: number
  /** Originator of a payment: route fee; intermediary: fee kept. */
  fee: number
  /** Legs of the whole route when known (originator), else what this node sees. */
  routeLegs: number
  to?: string
  promises: LiftPromise[]
  /** Every referee decision seen (kept for the fraud check). */
  decisions: Array<Signed<LiftDecisionBody>>
  fraud?: FraudProof[]
  createdAt: number
  expires: number
  decidedAt?: number
  error?: { code: string, message: string }
  /** Recovery: referee queries made after expiry, and when the next is due. */
  queries: number
  nextQueryAt?: number
}

export interface AutoClearSetting { on: boolean, lastRun?: number }

export const recordKey = (id: string): string => `${RECORD_PREFIX}${id}`
export const refereeKey = (id: string): string => `${REFEREE_PREFIX}${id}`

export function isFinal (status: LiftLocalStatus): boolean {
  return status === 'good' || status === 'void' || status === 'failed'
}

/** The lift records of this node, cached, with serialized per-lift updates. */
export class LiftRecords {
  readonly #cache = new Map<string, LiftLocal>()
  readonly #queues = new Map<string, Promise<unknown>>()

  constructor (private readonly store: Store, private readonly changed: (lift: LiftLocal) => void) {}

  async load (): Promise<void> {
    const rows = await this.store.read(async tx => await tx.list<LiftLocal>('lifts', RECORD_PREFIX))
    for (const { value } of rows) this.#cache.set(value.id, value)
  }

  get (id: string): LiftLocal | undefined { return this.#cache.get(id) }

  all (): LiftLocal[] { return [...this.#cache.values()] }

  /**
   * Applies `fn` to the lift's record (undefined when new) and stores the result in one transaction;
   * `fn` returning undefined leaves it unchanged. Updates of one lift are serialized.
   */
  async update (id: string, fn: (current: LiftLocal | undefined) => LiftLocal | undefined): Promise<LiftLocal | undefined> {
    const prior = this.#queues.get(id) ?? Promise.resolve()
    const run = prior.catch(() => undefined).then(async () => {
      const current = this.#cache.get(id)
      const next = fn(current)
      if (next === undefined || next === current) return current
      await this.store.write(async tx => { await tx.put('lifts', recordKey(id), next) })
      this.#cache.set(id, next)
      this.changed(next)
      return next
    })
    this.#queues.set(id, run)
    try {
      return await run
    } finally {
      if (this.#queues.get(id) === run) this.#queues.delete(id)
    }
  }
}
