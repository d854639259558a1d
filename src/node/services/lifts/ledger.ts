// The LiftLedger (contracts.ts) over the tally service and the tally diary: the open tallies as the lift
// services see them, lift chits certified with my chain key (TallyService.certifyOp), decisions recorded in
// the diary, and a hook on every certificate. Everything is read from the certified diary state, so the
// view is synchronous and always the one the tally rules will check against.
import type { Signed } from '../../../core/codec/envelope'
import { isChipsError } from '../../../core/errors'
import type { LiftDecisionBody, LiftOp, Op } from '../../../core/chit/types'
import type { TallyState } from '../../../core/tally/state'
import type { Side } from '../../../core/tally/types'
import type { Timers } from '../../ports'
import type { CertifiedEntry } from '../diary/service'
import { peerIdOfMember } from '../diary/keys'
import type { TallyDiary } from '../tallies/deps'
import type { LedgerOutcome, LedgerTally, LiftLedger } from './contracts'

/** What the ledger needs of the tally service (TallyService.certifyOp). */
export interface LiftChitSigner {
  certifyOp (tally: string, op: Op): Promise<CertifiedEntry>
}

export interface TallyLedgerDeps {
  diary: TallyDiary
  tallies: LiftChitSigner
  /** This node's member key and its user id: which side of a tally is mine. */
  memberKey: string
  userId: string
  timers: Timers
}

export class TallyLedger implements LiftLedger {
  /**
   * The view of each tally, kept until its certified state changes: a diary state is replaced (never
   * changed in place) when the head moves, so the same state object means the same view. Route and lift
   * services read every tally on every query; rebuilding views (and peer ids) each time dominated their CPU.
   */
  readonly #views = new Map<string, { state: TallyState, view: LedgerTally | undefined }>()

  constructor (private readonly deps: TallyLedgerDeps) {}

  tallies (): LedgerTally[] {
    const out: LedgerTally[] = []
    for (const id of this.deps.diary.tallies()) {
      const t = this.tally(id)
      if (t !== undefined) out.push(t)
    }
    return out
  }

  tally (id: string): LedgerTally | undefined {
    const state = this.deps.diary.state(id)
    if (state === undefined) {
      this.#views.delete(id)
      return undefined
    }
    const cached = this.#views.get(id)
    if (cached !== undefined && cached.state === state) return cached.view
    const view = this.#view(id, state)
    this.#views.set(id, { state, view })
    return view
  }

  #view (id: string, state: TallyState): LedgerTally | undefined {
    if (state.status === 'closed') return undefined
    const side = this.#sideOf(state)
    if (side === undefined) return undefined
    const partner = state[side === 'stock' ? 'foil' : 'stock']
    const peers: string[] = []
    for (const m of partner.members) {
      const peer = peerOf(m.key)
      if (peer !== undefined) peers.push(peer)
    }
    return { id, side, partner: { userId: partner.userId, peers }, state }
  }

  async submitLift (tally: string, op: LiftOp, waitMs: number): Promise<LedgerOutcome> {
    return await this.#bounded(this.deps.tallies.certifyOp(tally, op), waitMs)
  }

  async submitDecision (tally: string, lift: string, decisions: Array<Signed<LiftDecisionBody>>, waitMs: number): Promise<LedgerOutcome> {
    const state = this.deps.diary.state(tally)
    // Idempotent: once no chit of this lift is pending here, the decision is already recorded (or moot).
    if (state === undefined || !holdsPending(state, lift)) return { certified: true }
    return await this.#bounded(this.deps.diary.submit(tally, [{ kind: 'decision', lift, decisions }]), waitMs)
  }

  onCertified (listener: (tally: string) => void): () => void {
    return this.deps.diary.on('certified', e => { listener(e.tally) })
  }

  onDecision (listener: (tally: string, lift: string, decisions: Array<Signed<LiftDecisionBody>>) => void): () => void {
    return this.deps.diary.on('certified', e => {
      e.actions.forEach((a, index) => {
        if (a.kind !== 'decision' || e.refused.some(r => r.index === index)) return
        listener(e.tally, a.lift, a.decisions)
      })
    })
  }

  #sideOf (state: TallyState): Side | undefined {
    for (const side of ['stock', 'foil'] as const) {
      if (state[side].members.some(m => m.key === this.deps.memberKey)) return side
    }
    if (state.stock.userId === this.deps.userId) return 'stock'
    if (state.foil.userId === this.deps.userId) return 'foil'
    return undefined
  }

  async #bounded (submitted: Promise<CertifiedEntry>, waitMs: number): Promise<LedgerOutcome> {
    let timer: ReturnType<Timers['setTimeout']> | undefined
    const wait = new Promise<undefined>(resolve => { timer = this.deps.timers.setTimeout(() => { resolve(undefined) }, waitMs) })
    submitted.catch(() => undefined)
    try {
      const entry = await Promise.race([submitted, wait])
      if (entry === undefined) return { certified: false }
      const refused = entry.outcomes[0]?.refused
      return refused !== undefined ? { certified: true, refused } : { certified: true }
    } catch (err) {
      // A final diary failure (e.g. PROPOSAL_REJECTED): nothing was certified, and it never will be.
      return { certified: false, refused: isChipsError(err) ? err.code : 'INTERNAL' }
    } finally {
      if (timer !== undefined) this.deps.timers.clearTimeout(timer)
    }
  }
}

/** Member key → peer id (protobuf, CID and base58 work per call), remembered; undefined when not a node key. */
const peerIds = new Map<string, string | undefined>()
const PEER_ID_CACHE = 65_536

function peerOf (memberKey: string): string | undefined {
  if (peerIds.has(memberKey)) return peerIds.get(memberKey)
  let peer: string | undefined
  try { peer = peerIdOfMember(memberKey) } catch { peer = undefined /* not a node key: never reachable */ }
  if (peerIds.size >= PEER_ID_CACHE) peerIds.delete(peerIds.keys().next().value!)
  peerIds.set(memberKey, peer)
  return peer
}

export function holdsPending (state: TallyState, lift: string): boolean {
  for (const c of Object.values(state.pending)) if (c.kind === 'lift' && c.lift === lift) return true
  return false
}
