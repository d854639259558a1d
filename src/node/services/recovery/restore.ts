// The restored device's side of recovery. A wallet restored from its phrase has the user key but a new device
// key and an empty store. A partner offers it the tallies they share; for each one this node:
//   1. checks the signed tally document (both root signatures; our user is a party, the offering device's user the other),
//   2. fetches the certified history from the partner in pages and verifies it offline from the genesis
//      (verifyHistory: chain, quorum of the member set in force at each seq, every action re-applied),
//   3. writes a recovery marker (so a crash from here on resumes), signs a re-seat with its user's NEXT chain
//      key (the index the verified history says is next) naming this device as the side's only member, and
//      has the partner certify it (the partner's majority alone certifies a re-seat),
//   4. opens the diary from the genesis and catches up from the partner (now as a member, verified again by
//      the diary), then writes the tally record and drops the marker in one transaction.
import type { Certificate } from '../../../core/diary/certificate'
import { verifyHistory, type VerifiedHistory } from '../../../core/diary/verify'
import { signPartyAction } from '../../../core/chit/sign'
import type { TallyAction } from '../../../core/chit/types'
import { tallyMachine } from '../../../core/tally/machine'
import { tallyGenesis, type TallyState } from '../../../core/tally/state'
import { SignedTallySchema } from '../../../core/tally/schema'
import { otherSide, type SignedTally, type Side } from '../../../core/tally/types'
import type { Genesis } from '../../../core/diary/head'
import { isChipsError, MalformedError } from '../../../core/errors'
import * as v from 'valibot'
import type { PeerLink } from '../../net/network'
import { RemoteError } from '../../net/errors'
import type { TimerHandle } from '../../ports'
import { tallyKey, type PartnerRef, type TallyRecord } from '../tallies/records'
import type { RecoveryDeps } from './deps'
import { IncompleteHistoryError, NotOurTallyError, NotReseatedError, NotTallyPartnerError } from './errors'
import { speakerOf } from './partner'
import { MAX_HISTORY_PAGE, sendRecovery, type RecoveryRequest, type RecoveryResponse } from './wire'

export const MARKER_PREFIX = 'rcv/'
export const markerKey = (tally: string): string => `${MARKER_PREFIX}${tally}`

/** What a recovery in progress keeps (in the 'tallies' table, next to the tally service's records). */
export interface RecoveryMarker {
  tally: SignedTally
  role: 'inviter' | 'invitee'
  side: Side
  partner: PartnerRef
  startedAt: number
}

/** The longest history a recovery fetches (pages of MAX_HISTORY_PAGE certificates). */
const MAX_HISTORY_ENTRIES = 1_000_000
const MAX_RESEAT_ATTEMPTS = 3

export interface RestoreEvents {
  restored (tally: string): void
  failed (tally: string, code: string): void
}

/** Retry schedule for an interrupted restore whose marker is kept (the partner will not offer again once we are a member). */
const RETRY_FIRST_MS = 15_000
const RETRY_MAX_MS = 10 * 60_000

export class RestoredSide {
  readonly #running = new Set<string>()
  readonly #retries = new Map<string, { attempt: number, timer: TimerHandle }>()
  #stopped = false

  constructor (private readonly deps: RecoveryDeps, private readonly events: RestoreEvents) {}

  /** An offer from a partner device: checks it, answers at once, and restores each tally we do not hold in the background. */
  async offer (req: Extract<RecoveryRequest, { t: 'offer' }>, from: PeerLink): Promise<RecoveryResponse> {
    const speaker = await speakerOf(this.deps, req.cert, from)
    if (speaker.userId === this.deps.identity.userId) throw new NotTallyPartnerError('an offer from a device of this wallet\'s own user')
    let accepted = 0
    for (const offered of req.tallies) {
      const shape = v.safeParse(SignedTallySchema, offered.tally)
      if (!shape.success) throw new MalformedError(`offered tally: ${v.summarize(shape.issues)}`)
      const signed = shape.output as SignedTally
      const genesis = await tallyGenesis(this.deps.crypto, signed)
      const side = this.#sideOf(genesis.state)
      if (genesis.state[otherSide(side)].userId !== speaker.userId) throw new NotTallyPartnerError(`the offering device's user is not the partner on tally ${genesis.tally}`)
      if (this.#running.has(genesis.tally)) continue
      if (await this.deps.store.read(tx => tx.get('tallies', tallyKey(genesis.tally))) !== undefined) continue
      const partner: PartnerRef = {
        userId: speaker.userId, name: signed.doc[otherSide(side)].party?.cert.name ?? speaker.name, peerId: from.peerId, addrs: req.addrs
      }
      const role = offered.role === 'inviter' ? 'invitee' : 'inviter'
      accepted++
      void this.#restore({ tally: signed, role, side, partner, startedAt: this.deps.clock.now() }, genesis)
    }
    return { t: 'ok', accepted }
  }

  stop (): void {
    this.#stopped = true
    for (const r of this.#retries.values()) this.deps.timers.clearTimeout(r.timer)
    this.#retries.clear()
  }

  /** Resumes recoveries a crash or reload interrupted. */
  async resume (): Promise<void> {
    const rows = await this.deps.store.read(tx => tx.list<RecoveryMarker>('tallies', MARKER_PREFIX))
    for (const { value } of rows) {
      const genesis = await tallyGenesis(this.deps.crypto, value.tally)
      void this.#restore(value, genesis)
    }
  }

  #sideOf (state: TallyState): Side {
    if (state.stock.userId === this.deps.identity.userId) return 'stock'
    if (state.foil.userId === this.deps.identity.userId) return 'foil'
    throw new NotOurTallyError(state.tally)
  }

  async #restore (marker: RecoveryMarker, genesis: Genesis<TallyState>): Promise<void> {
    const id = genesis.tally
    if (this.#running.has(id)) return
    this.#running.add(id)
    try {
      await this.restoreTally(marker, genesis)
      this.#retries.delete(id)
      this.events.restored(id)
    } catch (err) {
      const code = isChipsError(err) ? err.code : 'INTERNAL'
      this.deps.logger.log('warn', 'recovery.restore-failed', { tally: id, code, error: err instanceof Error ? err.message : String(err) })
      this.events.failed(id, code)
      await this.#retryLater(id, genesis)
    } finally {
      this.#running.delete(id)
    }
  }

  /** While the marker is kept (the re-seat may be certified already), try again with backoff. */
  async #retryLater (id: string, genesis: Genesis<TallyState>): Promise<void> {
    if (this.#stopped) return
    const marker = await this.deps.store.read(tx => tx.get<RecoveryMarker>('tallies', markerKey(id))).catch(() => undefined)
    if (marker === undefined) return
    const attempt = (this.#retries.get(id)?.attempt ?? 0) + 1
    const ms = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(attempt - 1, 10))
    const timer = this.deps.timers.setTimeout(() => { if (!this.#stopped) void this.#restore(marker, genesis) }, ms)
    this.#retries.set(id, { attempt, timer })
  }

  /** The whole restore of one tally (see the file comment). Idempotent: safe to run again after any failure. */
  async restoreTally (marker: RecoveryMarker, genesis: Genesis<TallyState>): Promise<void> {
    const { deps } = this
    const id = genesis.tally
    const side = marker.side
    const partnerPeer = marker.partner.peerId!
    await deps.store.write(tx => tx.put('tallies', markerKey(id), marker))
    for (let attempt = 1; ; attempt++) {
      const verified = await this.#verifiedHistory(genesis, partnerPeer, marker.partner.addrs)
      const state = verified.head.state
      if (state[side].members.some(m => m.key === deps.memberKey)) break
      const action = await signPartyAction(deps.crypto, deps.identity.userSecret, {
        tally: id, side, index: state[side].chain.index, op: { op: 'reseat', members: [{ key: deps.memberKey, weight: 1 }] }
      })
      try {
        const res = await sendRecovery(deps.network, partnerPeer, { t: 'reseat', cert: deps.identity.deviceCert, tally: id, action }, marker.partner.addrs)
        if (res.t !== 'reseated') throw new MalformedError('the partner answered a re-seat with something else')
        break
      } catch (err) {
        // Someone else moved the chain (or the partner is still certifying): look at the history again.
        const retry = err instanceof RemoteError && ['RESEAT_PENDING', 'KEY_USED', 'PROPOSAL_REJECTED', 'UNKNOWN_KEY'].includes(err.code)
        if (!retry || attempt >= MAX_RESEAT_ATTEMPTS) throw err
      }
    }
    // Now a member: keep the diary like any member, verified again from the genesis as it catches up.
    const partnerMembers = genesis.state[otherSide(side)].members.map(m => m.key)
    const addrs = Object.fromEntries(partnerMembers.map(k => [k, marker.partner.addrs]))
    await deps.diary.open(genesis, { addrs })
    let caught = false
    for (const m of deps.diary.state(id)?.[otherSide(side)].members.map(x => x.key) ?? partnerMembers) {
      try { await deps.diary.catchUp(id, m); caught = true; break } catch { /* the next member */ }
    }
    const state = deps.diary.state(id)
    if (!caught || state === undefined || !state[side].members.some(m => m.key === deps.memberKey)) throw new NotReseatedError(id)
    const now = deps.clock.now()
    const rec: TallyRecord = {
      id, role: marker.role, negotiation: { holder: side, status: 'open', doc: marker.tally.doc, sigs: marker.tally.sigs },
      partner: marker.partner, diary: true, createdAt: marker.startedAt, updatedAt: now
    }
    await deps.store.write(async tx => {
      await tx.put('tallies', tallyKey(id), rec)
      await tx.delete('tallies', markerKey(id))
    })
    deps.logger.log('info', 'recovery.restored', { tally: id, seq: deps.diary.head(id)?.seq ?? 0 })
  }

  /** Fetches the partner's whole certified history in pages and verifies it offline from the genesis. */
  async #verifiedHistory (genesis: Genesis<TallyState>, peer: string, addrs: readonly string[]): Promise<VerifiedHistory<TallyState>> {
    const certs: Array<Certificate<TallyAction>> = []
    let head = 0
    for (;;) {
      const res = await sendRecovery(this.deps.network, peer, { t: 'history', cert: this.deps.identity.deviceCert, tally: genesis.tally, after: certs.length, limit: MAX_HISTORY_PAGE }, addrs)
      if (res.t !== 'certificates') throw new MalformedError('the partner answered a history request with something else')
      head = Math.max(head, res.head)
      certs.push(...(res.certificates as Array<Certificate<TallyAction>>))
      if (certs.length > MAX_HISTORY_ENTRIES) throw new IncompleteHistoryError(`a history longer than ${MAX_HISTORY_ENTRIES} entries`)
      if (res.certificates.length === 0 || certs.length >= head) break
    }
    if (certs.length < head) throw new IncompleteHistoryError(`the partner announced ${head} entries and sent ${certs.length}`)
    return await verifyHistory({ provider: this.deps.crypto, machine: tallyMachine(this.deps.crypto), tally: genesis.tally }, genesis, certs)
  }
}
