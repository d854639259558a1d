// The partner's side of recovery: it shares tallies with a user whose device was lost. When a new device of
// that user shows up (a presence record with a valid device certificate), it offers that device the tally
// documents; it then serves the certified history to it and gets its re-seat certified (the re-seat of one
// side is certified by the other side's majority alone: the tally machine's quorum hook).
import * as v from 'valibot'
import { verifyEnvelope } from '../../../core/codec/envelope'
import { verifyDeviceCertificate, type DeviceCertBody } from '../../../core/keys/device'
import { ACTION_TYPE, PartyActionBodySchema, type PartyAction } from '../../../core/chit/types'
import { partyAction } from '../../../core/chit/sign'
import { otherSide, type Side } from '../../../core/tally/types'
import { isChipsError } from '../../../core/errors'
import type { PeerLink } from '../../net/network'
import type { TimerHandle } from '../../ports'
import { memberOfPeer } from '../diary/keys'
import { TALLY_PREFIX, tallyKey, type TallyRecord } from '../tallies/records'
import type { RecoveryConfig, RecoveryDeps } from './deps'
import { InvalidReseatError, NotTallyPartnerError, ReseatPendingError, ReseatRefusedError } from './errors'
import type { PresenceRecord } from '../../protocols/rendezvous'
import { MAX_HISTORY_PAGE, MAX_OFFERED_TALLIES, MAX_RECOVERY_BYTES, sendRecovery, type RecoveryRequest, type RecoveryResponse } from './wire'

/** Bytes of certificates per history page (under the message limit, with room for the envelope). */
const PAGE_BUDGET_BYTES = MAX_RECOVERY_BYTES - 16 * 1024

/** Checks that `cert` is a valid device certificate for the node speaking on `from`. */
export async function speakerOf (deps: Pick<RecoveryDeps, 'crypto'>, cert: unknown, from: PeerLink): Promise<DeviceCertBody> {
  const body = await verifyDeviceCertificate(deps.crypto, cert)
  if (body.peerId !== from.peerId) throw new NotTallyPartnerError('the device certificate names another device than the one speaking')
  return body
}

export class PartnerSide {
  /** `${peerId}/${tally}` → when it was last offered (Clock ms). */
  readonly #offered = new Map<string, number>()
  readonly #reseating = new Set<string>()

  constructor (private readonly deps: RecoveryDeps, private readonly config: RecoveryConfig) {}

  /** The open tallies this node holds, with the partner's user id and side. */
  async openTallies (): Promise<Array<{ rec: TallyRecord, partner: string, side: Side }>> {
    const rows = await this.deps.store.read(tx => tx.list<TallyRecord>('tallies', TALLY_PREFIX))
    const out: Array<{ rec: TallyRecord, partner: string, side: Side }> = []
    for (const { value: rec } of rows) {
      if (rec.negotiation.status !== 'open' || this.deps.diary.state(rec.id) === undefined) continue
      const side = otherSide(rec.negotiation.holder)
      const partner = rec.negotiation.doc[side].party?.cert.userId
      if (partner !== undefined) out.push({ rec, partner, side })
    }
    return out
  }

  /** The user ids to watch at the rendezvous. */
  async partners (): Promise<string[]> {
    return [...new Set((await this.openTallies()).map(t => t.partner))]
  }

  /** A verified presence record of a partner user: offers its device the tallies it is not a member of. */
  async seen (record: PresenceRecord): Promise<void> {
    const { userId, peerId, addrs } = record.body
    const member = memberOfPeer(peerId)
    if (member === undefined || peerId === this.deps.identity.peerId) return
    const now = this.deps.clock.now()
    const due = (await this.openTallies()).filter(t => {
      if (t.partner !== userId) return false
      const members = this.deps.diary.state(t.rec.id)?.[t.side].members ?? []
      if (members.some(m => m.key === member)) return false
      const last = this.#offered.get(`${peerId}/${t.rec.id}`)
      return last === undefined || now - last >= this.config.reofferMs
    }).slice(0, MAX_OFFERED_TALLIES)
    if (due.length === 0) return
    for (const t of due) this.#offered.set(`${peerId}/${t.rec.id}`, now)
    const msg: RecoveryRequest = {
      t: 'offer', cert: this.deps.identity.deviceCert, addrs: (this.deps.network.addrs?.() ?? []).slice(0, 8),
      tallies: due.map(t => ({ tally: { doc: t.rec.negotiation.doc, sigs: t.rec.negotiation.sigs }, role: t.rec.role }))
    }
    try {
      const res = await sendRecovery(this.deps.network, peerId, msg, addrs)
      this.deps.logger.log('info', 'recovery.offered', { peer: peerId, tallies: due.length, accepted: res.t === 'ok' ? res.accepted : 0 })
    } catch (err) {
      // Offer again at the next sighting rather than after reofferMs.
      for (const t of due) this.#offered.delete(`${peerId}/${t.rec.id}`)
      this.deps.logger.log('info', 'recovery.offer-failed', { peer: peerId, code: isChipsError(err) ? err.code : 'INTERNAL' })
    }
  }

  /** The open tally `id` on which the speaker's user is our partner. Throws NotTallyPartnerError. */
  async #partnerTally (id: string, speaker: DeviceCertBody): Promise<{ rec: TallyRecord, side: Side }> {
    const rec = await this.deps.store.read(tx => tx.get<TallyRecord>('tallies', tallyKey(id)))
    if (rec === undefined || rec.negotiation.status !== 'open' || this.deps.diary.state(id) === undefined) throw new NotTallyPartnerError(`no open tally ${id} here`)
    const side = otherSide(rec.negotiation.holder)
    if (rec.negotiation.doc[side].party?.cert.userId !== speaker.userId) throw new NotTallyPartnerError(`tally ${id} is not shared with this user`)
    return { rec, side }
  }

  async history (req: Extract<RecoveryRequest, { t: 'history' }>, from: PeerLink): Promise<RecoveryResponse> {
    const speaker = await speakerOf(this.deps, req.cert, from)
    await this.#partnerTally(req.tally, speaker)
    const certs = await this.deps.diary.entries(req.tally, req.after + 1, Math.min(req.limit, MAX_HISTORY_PAGE))
    const out: unknown[] = []
    let bytes = 0
    for (const c of certs) {
      bytes += JSON.stringify(c).length
      if (bytes > PAGE_BUDGET_BYTES && out.length > 0) break
      out.push(c)
    }
    return { t: 'certificates', head: this.deps.diary.head(req.tally)?.seq ?? 0, certificates: out }
  }

  /**
   * A re-seat by a new device of the partner user: it must be a party action of the partner's side, signed by
   * its user's chain (checked by the tally machine when certified), replacing the side's members with exactly
   * the requesting device. Certified by our side alone; answers once it is.
   */
  async reseat (req: Extract<RecoveryRequest, { t: 'reseat' }>, from: PeerLink): Promise<RecoveryResponse> {
    const speaker = await speakerOf(this.deps, req.cert, from)
    const { side } = await this.#partnerTally(req.tally, speaker)
    const env = await verifyEnvelope<unknown>(this.deps.crypto, req.action, { type: ACTION_TYPE })
    const parsed = v.safeParse(PartyActionBodySchema, env.body)
    if (!parsed.success) throw new InvalidReseatError(`not a tally action: ${v.summarize(parsed.issues)}`)
    const body = parsed.output
    const member = memberOfPeer(from.peerId)
    if (body.tally !== req.tally || body.side !== side) throw new InvalidReseatError('the action is for another tally or side')
    if (body.op.op !== 'reseat') throw new InvalidReseatError(`a ${body.op.op} action is not a re-seat`)
    if (member === undefined || body.op.members.length !== 1 || body.op.members[0]!.key !== member) throw new InvalidReseatError('a re-seat names the requesting device as its side\'s only member')
    const key = req.tally
    if (this.#reseating.has(key)) throw new ReseatPendingError(req.tally)
    this.#reseating.add(key)
    const submitted = this.deps.diary.submit(req.tally, [partyAction(env as PartyAction)])
    submitted.catch(() => undefined).finally(() => { this.#reseating.delete(key) })
    let timer: TimerHandle | undefined
    const wait = new Promise<undefined>(resolve => { timer = this.deps.timers.setTimeout(() => { resolve(undefined) }, this.config.reseatWaitMs) })
    try {
      const done = await Promise.race([submitted, wait])
      if (done === undefined) throw new ReseatPendingError(req.tally)
      const outcome = done.outcomes[0]
      if (outcome?.refused !== undefined) throw new ReseatRefusedError(outcome.refused, `the tally refused the re-seat (${outcome.refused})`)
      this.deps.logger.log('info', 'recovery.reseated', { tally: req.tally, peer: from.peerId, seq: outcome?.seq ?? 0 })
      return { t: 'reseated', seq: outcome?.seq ?? done.head.seq }
    } finally {
      if (timer !== undefined) this.deps.timers.clearTimeout(timer)
    }
  }
}
