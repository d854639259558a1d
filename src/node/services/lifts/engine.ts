// Lift execution (docs/lifts.md §5): the originator's record and first chit, each receiver's check of the
// partner's certified chit before it promises, an intermediary's own chit only after the one toward it,
// the terminus calling the referees, refusals, and the spreading of decisions along the route. Recovery:
// a node holding a pending lift past expiry + grace asks the referees itself, with backoff, also after a
// restart. No node voids on its own: every outcome comes from a referee majority.
import { toBase64url } from '../../../core/codec/base64url'
import type { Signed } from '../../../core/codec/envelope'
import { ChipsError, isChipsError } from '../../../core/errors'
import type { LiftDecisionBody, LiftOp } from '../../../core/chit/types'
import { clutchFee } from '../../../core/lift/fees'
import { liftChitId, linkNonce } from '../../../core/lift/ids'
import type { LiftKind, LiftMessage, LiftPromise, LiftRecord, LiftRecordBody, RefereeAnswer, RefereeRef, RefereeRequest, RoutePlan } from '../../../core/lift/types'
import type { TallyState } from '../../../core/tally/state'
import { getChit } from '../../../core/tally/chit-index'
import type { PeerLink } from '../../net/network'
import type { TimerHandle } from '../../ports'
import { askReferee } from '../../protocols/referee'
import { sendLift } from '../../protocols/lift'
import type { Discovery, LedgerTally, LiftConfig, LiftServiceDeps } from './contracts'
import { RefereesRefusedError } from '../../../core/lift/errors'
import { recordLegs } from '../../../core/lift/plan'
import { signLiftRecord, verifyLiftRecord } from '../../../core/lift/record'
import {
  BadDecisionError, ChitNotCertifiedError, FeeTooLowError, LiftChitRefusedError, LiftsBusyError, LiftsStoppedError, NotMyLegError, OverPlanError, UnknownLinkError
} from './errors'
import { holdsPending } from './ledger'
import { isFinal, type HeldLeg, type LiftLocal, type LiftRecords } from './records'
import type { RefereeService } from './referee-service'
import { fraudProofs, majorityOutcome, signPromise, validDecisions } from './verify'

export interface EngineDeps extends LiftServiceDeps {
  config: LiftConfig
  records: LiftRecords
  /** This node's referee, answered in process when a lift names it. */
  referee?: RefereeService
  /** Where to dial a peer when no connection is open. */
  addrsOf?: (peerId: string) => readonly string[]
}

/** A plan chosen from a discovery, with the units of every leg (the originator's first) and its fee. */
export interface ChosenPlan { plan: RoutePlan, units: number[], fee: number }

/** Lift legs this node works on at once as a receiver; beyond, a request is refused (LIFTS_BUSY) and voids. */
export const MAX_RECEIVING = 2048

/** Cap on the recovery backoff between referee queries. */
const MAX_QUERY_BACKOFF_MS = 5 * 60_000

export class LiftEngine {
  /** Listeners waiting for a certificate on a tally. */
  readonly #waiters = new Map<string, Set<() => void>>()
  /** Lifts whose decision is awaited in process (pay/clear resolve on it). */
  readonly #decided = new Map<string, Set<(lift: LiftLocal) => void>>()
  /** (tally, lift) decisions being recorded for chits certified after their lift was decided. */
  readonly #resolving = new Set<string>()
  /** (lift, leg) receptions in progress: a duplicate message is acknowledged and ignored. */
  readonly #receiving = new Set<string>()
  #stopped = false
  #off: Array<() => void> = []
  #recoveryTimer: TimerHandle | undefined

  constructor (private readonly d: EngineDeps) {}

  start (): void {
    this.#off.push(this.d.ledger.onCertified(tally => { this.#wake(tally); this.#resolveLate(tally) }))
    // A decision certified on one of my tallies (by whoever submitted it) is learnt like a decision message:
    // a node that was away when the decision spread gets it from its diary when it is back.
    const off = this.d.ledger.onDecision?.((_tally, lift, decisions) => {
      if (this.d.records.get(lift)?.record === undefined) return
      this.#learn(lift, decisions, undefined).catch(err => { this.d.logger.log('warn', 'lift.learn-failed', { lift, error: err instanceof Error ? err.message : String(err) }) })
    })
    if (off !== undefined) this.#off.push(off)
    for (const t of this.d.ledger.tallies()) this.#resolveLate(t.id)
    this.#resume()
    this.#scheduleRecovery(0)
  }

  /**
   * After a restart: carries on with every live lift this node was working on when it stopped — a leg
   * toward it not yet promised is checked again, a promised one goes on (next leg or referee call), and
   * a leg it gives on is announced again (the receiver ignores a duplicate). Expired ones are left to the
   * recovery queries.
   */
  #resume (): void {
    const now = this.d.clock.now()
    for (const l of this.d.records.all()) {
      const record = l.record
      if (l.status !== 'pending' || record === undefined || now >= l.expires) continue
      const n = record.body.legs.length
      const report = (err: unknown): void => { this.d.logger.log('warn', 'lift.resume-failed', { lift: l.id, error: err instanceof Error ? err.message : String(err) }) }
      for (const held of l.legs) {
        const t = this.d.ledger.tally(held.tally)
        if (t === undefined) continue
        if (held.giver) {
          const message: LiftMessage = { v: 1, type: 'promise', record, promises: l.promises.filter(p => p.body.leg < held.leg), leg: held.leg }
          this.#sendRetrying(t, message, l.expires).catch(async (err: unknown) => { await this.#refuse(record, held.leg - 1, err) }).catch(report)
          continue
        }
        const promised = l.promises.some(p => p.body.leg === held.leg)
        if (promised && held.leg === n - 1) {
          this.#call(record, l.promises).catch(report)
        } else if (promised && !l.legs.some(g => g.giver && g.leg === held.leg + 1)) {
          this.#forward(record, held.leg + 1, l.promises).catch(async (err: unknown) => { await this.#refuse(record, held.leg, err) }).catch(report)
        } else if (!promised) {
          const key = `${l.id}/${held.leg}`
          if (this.#receiving.has(key)) continue
          this.#receiving.add(key)
          this.#receive(record, held.leg, t, l.promises).catch(report).finally(() => { this.#receiving.delete(key) })
        }
      }
    }
  }

  stop (): void {
    this.#stopped = true
    for (const off of this.#off) off()
    this.#off = []
    if (this.#recoveryTimer !== undefined) this.d.timers.clearTimeout(this.#recoveryTimer)
    for (const set of this.#waiters.values()) for (const w of set) w()
    this.#waiters.clear()
  }

  // ---- originator ----

  /**
   * Builds and signs the record from the chosen plan, certifies chit 0 and sends the first promise request.
   * Resolves with the lift's record once started (its decision comes later: see waitDecided).
   */
  async originate (kind: LiftKind, discovery: Discovery, chosen: ChosenPlan, to?: string): Promise<LiftLocal> {
    const { keys, ledger, clock, config } = this.d
    const session = keys.session(discovery.session)
    if (session.key !== discovery.key) throw new NotMyLegError('the discovery was made with another session key')
    const hops = chosen.plan.hops
    const first = this.#tallyByLink(hops[0]!.link, discovery.session)
    if (first === undefined) throw new UnknownLinkError()
    const now = clock.now()
    const body: LiftRecordBody = {
      id: toBase64url(this.d.random.bytes(16)),
      session: discovery.session,
      kind,
      origin: session.key,
      legs: recordLegs(chosen.plan, chosen.units),
      referees: this.#referees(),
      expires: now + config.lifeMs,
      created: now
    }
    if (kind === 'circular' && this.d.plan !== undefined && !this.d.plan.claim(body.id, first.id, body.legs[0]!.units, body.session)) throw new OverPlanError(body.legs[0]!.units)
    const record = await signLiftRecord(this.d.crypto, session.secret, body)
    const n = body.legs.length
    const legs: HeldLeg[] = [{ tally: first.id, leg: 0, side: first.side, giver: true, units: body.legs[0]!.units }]
    if (kind === 'circular') {
      const last = this.#tallyByLink(body.legs[n - 1]!.link, discovery.session)
      if (last !== undefined) legs.push({ tally: last.id, leg: n - 1, side: last.side, giver: false, units: body.legs[n - 1]!.units })
    }
    const local: LiftLocal = {
      id: body.id, kind, role: 'originator', record, legs, status: 'pending',
      units: kind === 'circular' ? body.legs[0]!.units : body.legs[n - 1]!.units,
      fee: chosen.fee, routeLegs: n, ...(to !== undefined ? { to } : {}),
      promises: [], decisions: [], createdAt: now, expires: body.expires, queries: 0
    }
    await this.d.records.update(body.id, () => local)
    this.d.logger.log('info', 'lift.originate', { lift: body.id, kind, legs: n, units: chosen.units[0] })
    // The request goes out while the chit is being certified: the receiver promises only once it verified
    // the certified chit itself, so this saves a round trip without giving up the rule.
    const submitted = ledger.submitLift(first.id, this.#liftOp(record, 0), this.#certifyWait(body.expires))
    const sent = this.#sendRetrying(first, { v: 1, type: 'promise', record, promises: [], leg: 0 }, body.expires).then(() => undefined, (err: unknown) => err ?? new UnknownLinkError())
    const outcome = await submitted
    if (!outcome.certified || outcome.refused !== undefined) {
      const error = new LiftChitRefusedError(outcome.refused ?? 'NOT_CERTIFIED')
      // Refused by the tally rules: no chit exists and none ever will; the lift failed before it began.
      // A circular originator also refuses its last leg, so the referees void at once and nobody waits.
      if (outcome.certified) {
        const failed = (await this.#finish(body.id, 'failed', error)) ?? local
        if (kind === 'circular') await this.#refuse(record, n - 1, error).catch(() => undefined)
        return failed
      }
      await this.#refuse(record, 0, error)
      return this.d.records.get(body.id) ?? local
    }
    const failed = await sent
    if (failed !== undefined) await this.#refuse(record, 0, failed)
    return this.d.records.get(body.id) ?? local
  }

  /** Resolves with the lift once it is decided, or as it stands after `ms`. */
  async waitDecided (id: string, ms: number): Promise<LiftLocal | undefined> {
    const now = this.d.records.get(id)
    if (now === undefined || isFinal(now.status)) return now
    return await new Promise(resolve => {
      let set = this.#decided.get(id)
      if (set === undefined) this.#decided.set(id, set = new Set())
      const done = (lift: LiftLocal | undefined): void => {
        this.d.timers.clearTimeout(timer)
        set.delete(listener)
        if (set.size === 0) this.#decided.delete(id)
        resolve(lift)
      }
      const listener = (lift: LiftLocal): void => { done(lift) }
      const timer = this.d.timers.setTimeout(() => { done(this.d.records.get(id)) }, ms)
      set.add(listener)
    })
  }

  // ---- messages from route neighbours ----

  async handle (message: LiftMessage, from: PeerLink): Promise<void> {
    if (this.#stopped) throw new LiftsStoppedError()
    if (message.type === 'decision') {
      await this.#onDecision(message.lift, message.decisions, from.peerId)
      return
    }
    const { record, leg: k } = message
    const body = record.body
    const key = `${body.id}/${k}`
    // A duplicate (a retry, or a leg this node already promised) is acknowledged and ignored.
    if (this.#receiving.has(key) || this.d.records.get(body.id)?.promises.some(p => p.body.leg === k) === true) return
    if (this.#receiving.size >= MAX_RECEIVING) throw new LiftsBusyError(MAX_RECEIVING)
    await verifyLiftRecord(this.d.crypto, record, { now: this.d.clock.now() })
    const leg = body.legs[k]
    if (leg === undefined) throw new UnknownLinkError()
    if (this.d.config.acceptReferees !== undefined && !this.d.config.acceptReferees(body.referees)) throw new RefereesRefusedError()
    const session = this.d.keys.session(body.session)
    if (leg.key !== session.key) throw new NotMyLegError()
    const tally = this.#tallyByLink(leg.link, body.session)
    if (tally === undefined || !tally.partner.peers.includes(from.peerId)) throw new UnknownLinkError()
    this.#receiving.add(key)
    this.d.logger.log('debug', 'lift.received', { lift: body.id, leg: k })
    // Acknowledge now; the wait for the certificate and what follows run after the answer.
    void this.#receive(record, k, tally, message.promises).catch(err => {
      this.d.logger.log('warn', 'lift.receive-failed', { lift: body.id, leg: k, error: err instanceof Error ? err.message : String(err) })
    }).finally(() => { this.#receiving.delete(key) })
  }

  async #receive (record: LiftRecord, k: number, tally: LedgerTally, promises: LiftPromise[]): Promise<void> {
    const body = record.body
    const n = body.legs.length
    const units = body.legs[k]!.units
    const terminus = k === n - 1
    const role = body.kind === 'circular' && terminus ? 'originator' : terminus ? 'payee' : 'intermediary'
    const now = this.d.clock.now()
    await this.d.records.update(body.id, cur => {
      const held: HeldLeg = { tally: tally.id, leg: k, side: tally.side, giver: false, units }
      // Upstream promises are kept so that the work can go on after a restart (#resume).
      const upstream = [...(cur?.promises ?? []), ...promises.filter(p => cur?.promises.some(o => o.body.leg === p.body.leg) !== true)]
      if (cur !== undefined) {
        if (cur.legs.some(l => l.leg === k && !l.giver)) return upstream.length === cur.promises.length ? undefined : { ...cur, promises: upstream }
        return { ...cur, legs: [...cur.legs, held], promises: upstream }
      }
      const given = terminus ? undefined : body.legs[k + 1]!.units
      return {
        id: body.id, kind: body.kind, role, record, legs: [held], status: 'pending',
        units: body.kind === 'circular' ? units : body.legs[n - 1]!.units,
        fee: given !== undefined ? units - given : 0, routeLegs: terminus ? 1 : 2,
        promises: upstream, decisions: [], createdAt: now, expires: body.expires, queries: 0
      }
    })
    try {
      // The partner's conditional chit of this leg must be certified here, exactly as the record says.
      const chit = liftChitId(body.id, k)
      const giverSide = tally.side === 'stock' ? 'foil' : 'stock'
      const ok = await this.#waitState(tally.id, s => {
        // Decided meanwhile (e.g. the originator's own chit was refused): stop waiting (checked below).
        if (isFinal(this.d.records.get(body.id)?.status ?? 'pending')) return true
        const c = s.pending[chit]
        return c !== undefined && c.kind === 'lift' && c.by === giverSide && c.lift === body.id && c.units === units &&
          c.expires === body.expires && sameKeys(c.referees, body.referees.map(r => r.key))
      }, this.#certifyWait(body.expires))
      if (!ok) throw new ChitNotCertifiedError(body.id, k)
      this.d.logger.log('debug', 'lift.verified', { lift: body.id, leg: k })
      // Decided meanwhile (a refusal elsewhere voided it): nothing more to promise or give.
      if (isFinal(this.d.records.get(body.id)?.status ?? 'pending')) return
      // An intermediary checks the leg it would give on before it promises: a lift it cannot carry on is
      // refused, never promised.
      const out = terminus ? undefined : this.#outgoing(record, k + 1)
      const session = this.d.keys.session(body.session)
      const mine = await signPromise(this.d.crypto, session.secret, record, k, 'promise')
      const all = [...promises.filter(p => p.body.leg !== k), mine]
      if (out === undefined) {
        // The terminus calls the referees while its promise is being stored: nothing waits on that write (a
        // node back from a crash before it signs the same promise again, and the referee answers the same).
        // Once the call is out, a failed write is no refusal: it is logged, and the call goes on.
        const stored = this.d.records.update(body.id, cur => cur === undefined ? undefined : { ...cur, promises: all }).catch((err: unknown) => {
          this.d.logger.log('error', 'lift.store-failed', { lift: body.id, leg: k, error: err instanceof Error ? err.message : String(err) })
        })
        await Promise.all([stored, this.#call(record, all)])
        return
      }
      // One transaction for my promise and the leg I now give on (chit k is verified: the intermediary rule
      // holds), then my chit on leg k+1 at once.
      await this.d.records.update(body.id, cur => cur === undefined ? undefined : { ...cur, promises: all, legs: withGiverLeg(cur.legs, out, k + 1) })
      await this.#give(record, k + 1, all, out.tally)
    } catch (err) {
      await this.#refuse(record, k, err)
    }
  }

  /** Intermediary rule: my chit on leg k+1 only now that chit k (toward me) is certified and verified. */
  async #forward (record: LiftRecord, next: number, promises: LiftPromise[]): Promise<void> {
    const out = this.#outgoing(record, next)
    await this.d.records.update(record.body.id, cur => cur === undefined ? undefined : { ...cur, legs: withGiverLeg(cur.legs, out, next) })
    await this.#give(record, next, promises, out.tally)
  }

  /** The tally of leg `next`, which I would give on, once the fee I keep covers my clutch (else a named refusal). */
  #outgoing (record: LiftRecord, next: number): { tally: LedgerTally, held: HeldLeg } {
    const body = record.body
    const out = this.#tallyByLink(body.legs[next]!.link, body.session)
    if (out === undefined) throw new UnknownLinkError()
    const received = body.legs[next - 1]!.units
    const given = body.legs[next]!.units
    const fee = clutchFee(given, out.state[out.side].vars.clutch)
    if (received - given < fee) throw new FeeTooLowError(received, given, fee)
    // While a clearing plan is in force, circular lifts together keep within its planned units.
    if (body.kind === 'circular' && this.d.plan !== undefined && !this.d.plan.claim(body.id, out.id, given, body.session)) throw new OverPlanError(given)
    return { tally: out, held: { tally: out.id, leg: next, side: out.side, giver: true, units: given } }
  }

  /** Certifies my chit on leg `next` and sends the promise request over it (the leg is already in my record). */
  async #give (record: LiftRecord, next: number, promises: LiftPromise[], out: LedgerTally): Promise<void> {
    const body = record.body
    // Sent while my chit is being certified (the receiver verifies the certified chit before it promises).
    const submitted = this.d.ledger.submitLift(out.id, this.#liftOp(record, next), this.#certifyWait(body.expires))
    const sent = this.#sendRetrying(out, { v: 1, type: 'promise', record, promises, leg: next }, body.expires).then(() => undefined, (err: unknown) => err ?? new UnknownLinkError())
    const outcome = await submitted
    if (!outcome.certified || outcome.refused !== undefined) throw new LiftChitRefusedError(outcome.refused ?? 'NOT_CERTIFIED')
    const failed = await sent
    if (failed !== undefined) throw failed
  }

  /**
   * How long a leg waits for a chit's certificate: until the lift expires (at least certifyWaitMs). A partner
   * that is briefly away (a crash, a reload) then only delays the lift; one away for good lets it void at
   * expiry through the referees, which a refusal here would only bring forward.
   */
  #certifyWait (expires: number): number {
    return Math.max(this.d.config.certifyWaitMs, expires - this.d.clock.now())
  }

  // ---- referees ----

  /** The terminus calls the referees, again with backoff while no majority answered and the lift has not expired. */
  async #call (record: LiftRecord, promises: LiftPromise[]): Promise<void> {
    const { id, expires } = record.body
    this.d.logger.log('debug', 'lift.call', { lift: id })
    for (let attempt = 0; !this.#stopped; attempt++) {
      await this.#askAll(record, { v: 1, type: 'call', record, promises })
      const lift = this.d.records.get(id)
      const left = expires - this.d.clock.now()
      // After expiry a call could only void: the recovery queries take over.
      if (lift === undefined || isFinal(lift.status) || left <= 0) return
      await this.#sleep(Math.min(left, 500 * 2 ** Math.min(attempt, 8)))
    }
  }

  /** Asks the lift's referees for the decision now (whatever its expiry); learns what they answer. */
  async refresh (id: string): Promise<void> {
    const record = this.d.records.get(id)?.record
    if (record !== undefined) await this.#askAll(record, { v: 1, type: 'query', record })
  }

  async #sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => { this.d.timers.setTimeout(resolve, ms) })
  }

  /** Signs a refusal of leg k (or, for the originator's own failure, with the origin key) and asks the referees to void. */
  async #refuse (record: LiftRecord, k: number, err: unknown): Promise<void> {
    const body = record.body
    // A stopped node (a crash, a reload) stays quiet: it carries on with the lift when it starts again.
    if (this.#stopped) return
    const error = toChipsError(err)
    this.d.logger.log('info', 'lift.refuse', { lift: body.id, leg: k, code: error.code, error: error.message })
    await this.d.records.update(body.id, cur => cur === undefined || isFinal(cur.status) ? undefined : { ...cur, error: { code: error.code, message: error.message } })
    const session = this.d.keys.session(body.session)
    // A node refuses as the receiver of a leg (its session key is that leg's key). A linear originator names
    // no leg: its lift voids at expiry (its own chit stays pending until then, counted against it only).
    const leg = body.legs[k]?.key === session.key ? k : body.legs.findIndex(l => l.key === session.key)
    if (leg < 0) return
    const refusal = await signPromise(this.d.crypto, session.secret, record, leg, 'refuse', error.code)
    await this.#askAll(record, { v: 1, type: 'refuse', record, refusal })
  }

  /** Asks every referee of the record; learns whatever decisions come back. Returns how many answered. */
  async #askAll (record: LiftRecord, request: RefereeRequest): Promise<number> {
    const answers = await Promise.allSettled(record.body.referees.map(async r => await this.#ask(r, request)))
    const decisions: Array<Signed<LiftDecisionBody>> = []
    let answered = 0
    for (const a of answers) {
      if (a.status !== 'fulfilled') continue
      answered++
      if (a.value.status === 'decided') decisions.push(a.value.decision)
    }
    if (decisions.length > 0) await this.#learn(record.body.id, decisions, undefined)
    return answered
  }

  async #ask (ref: RefereeRef, request: RefereeRequest): Promise<RefereeAnswer> {
    const own = this.d.referee
    if (own !== undefined && ref.peer === this.d.network.peerId && ref.key === this.d.keys.referee.key) {
      return await own.answer(request, { peerId: this.d.network.peerId })
    }
    return await askReferee(this.d.network, ref.peer, request, { addrs: ref.addrs ?? this.d.addrsOf?.(ref.peer) ?? [] })
  }

  // ---- decisions ----

  async #onDecision (lift: string, decisions: Array<Signed<LiftDecisionBody>>, from: string): Promise<void> {
    if (decisions.some(d => d.body.lift !== lift)) throw new BadDecisionError('a decision names another lift')
    if (this.d.records.get(lift)?.record !== undefined) {
      await this.#learn(lift, decisions, from)
      return
    }
    // No record here (e.g. the message for my leg never came): still resolve my pending chits of the lift.
    for (const t of this.d.ledger.tallies()) {
      if (!t.partner.peers.includes(from)) continue
      const referees = pendingReferees(t.state, lift)
      if (referees === undefined) continue
      const valid = await validDecisions(this.d.crypto, lift, referees, decisions)
      const outcome = majorityOutcome(referees, valid)
      if (outcome === undefined) continue
      await this.d.ledger.submitDecision(t.id, lift, valid.filter(d => d.body.outcome === outcome), this.d.config.certifyWaitMs)
    }
  }

  /**
   * Learns referee decisions: keeps every valid one (fraud proofs), and once a majority decided, records the
   * decision on every tally where this node holds a chit of the lift and tells the route neighbours.
   * Idempotent: nothing new, nothing done.
   */
  async #learn (lift: string, decisions: ReadonlyArray<Signed<LiftDecisionBody>>, from: string | undefined): Promise<void> {
    const local = this.d.records.get(lift)
    if (local?.record === undefined) return
    const referees = local.record.body.referees.map(r => r.key)
    const valid = await validDecisions(this.d.crypto, lift, referees, decisions)
    let grew = false
    const updated = await this.d.records.update(lift, cur => {
      if (cur === undefined) return undefined
      const fresh = valid.filter(d => !cur.decisions.some(o => o.signer === d.signer && o.body.outcome === d.body.outcome))
      if (fresh.length === 0) return undefined
      grew = true
      const all = [...cur.decisions, ...fresh]
      const fraud = fraudProofs(all)
      const outcome = isFinal(cur.status) ? undefined : majorityOutcome(referees, all)
      // A void lift shows why when this node knows (its own refusal), else that the referees voided it.
      const error = outcome === 'void' && cur.error === undefined ? { error: { code: 'LIFT_VOID', message: 'the referees decided void: a participant refused or the lift expired' } } : {}
      return {
        ...cur, decisions: all, ...(fraud.length > 0 ? { fraud } : {}),
        ...(outcome !== undefined ? { status: outcome, decidedAt: this.d.clock.now(), ...error } : {})
      }
    })
    if (!grew || updated === undefined) return
    if (updated.fraud !== undefined) this.d.logger.log('warn', 'lift.fraud', { lift, referees: updated.fraud.map(f => f.referee) })
    if (isFinal(updated.status)) this.#notifyDecided(updated)
    const outcome = updated.status === 'good' || updated.status === 'void' ? updated.status : undefined
    if (outcome !== undefined) {
      // Only the majority's side: the tally then sees one outcome even when a referee signed both.
      const chosen = updated.decisions.filter(d => d.body.outcome === outcome)
      await Promise.all(updated.legs.map(async l => {
        const state = this.d.ledger.tally(l.tally)?.state
        if (state !== undefined && holdsPending(state, lift)) await this.d.ledger.submitDecision(l.tally, lift, chosen, this.d.config.certifyWaitMs)
      }))
    }
    // Spread what we learnt (including any fraud evidence) to the neighbours on the lift's tallies. When every
    // decision held agrees with the outcome (no dissent that could be a lie, no fraud to show), not to the one
    // we learnt it from, nor over a tally whose diary now holds the decision certified: the partner holds that
    // entry too and learns the decision from it (onDecision). A dissenting decision always floods the route,
    // so that it meets the same referee's other signature wherever that is held (scenario 36).
    const message: LiftMessage = { v: 1, type: 'decision', lift, decisions: updated.decisions }
    const sent = new Set<string>()
    const agreed = isFinal(updated.status) && updated.fraud === undefined && updated.decisions.every(d => d.body.outcome === updated.status)
    await Promise.allSettled(updated.legs.map(async l => {
      const t = this.d.ledger.tally(l.tally)
      if (t === undefined || sent.has(t.id)) return
      sent.add(t.id)
      if (agreed) {
        if (from !== undefined && t.partner.peers.length === 1 && t.partner.peers[0] === from) return
        if (decidedIn(t.state, lift, l.leg)) return
      }
      await this.#send(t, message)
    }))
  }

  /**
   * A lift chit certified after its lift was decided here (e.g. queued while the partner was away, and the
   * lift voided meanwhile) gets the decision recorded too, so no chit of a decided lift stays pending.
   */
  #resolveLate (tally: string): void {
    const state = this.d.ledger.tally(tally)?.state
    if (state === undefined || this.#stopped) return
    for (const c of Object.values(state.pending)) {
      if (c.kind !== 'lift') continue
      const lift = this.d.records.get(c.lift)
      if (lift === undefined || (lift.status !== 'good' && lift.status !== 'void')) continue
      const key = `${tally}/${c.lift}`
      const chosen = lift.decisions.filter(d => d.body.outcome === lift.status)
      if (this.#resolving.has(key) || chosen.length === 0) continue
      this.#resolving.add(key)
      this.d.ledger.submitDecision(tally, c.lift, chosen, this.d.config.certifyWaitMs)
        .catch(err => { this.d.logger.log('warn', 'lift.resolve-failed', { lift: c.lift, tally, error: err instanceof Error ? err.message : String(err) }) })
        .finally(() => { this.#resolving.delete(key) })
    }
  }

  /** Decisions signed by this node's own referee: learnt at once (the originator's referee is usually its own node). */
  learnOwn (lift: string, decision: Signed<LiftDecisionBody>): void {
    if (this.d.records.get(lift)?.record === undefined || this.#stopped) return
    this.#learn(lift, [decision], undefined).catch(err => { this.d.logger.log('warn', 'lift.learn-failed', { lift, error: err instanceof Error ? err.message : String(err) }) })
  }

  #notifyDecided (lift: LiftLocal): void {
    // A leg still waiting for a chit of this lift stops waiting.
    for (const l of lift.legs) this.#wake(l.tally)
    const set = this.#decided.get(lift.id)
    if (set !== undefined) for (const l of [...set]) l(lift)
  }

  async #finish (id: string, status: 'failed', error: ChipsError): Promise<LiftLocal | undefined> {
    const done = await this.d.records.update(id, cur => cur === undefined || isFinal(cur.status)
      ? undefined
      : { ...cur, status, decidedAt: this.d.clock.now(), error: { code: error.code, message: error.message } })
    if (done !== undefined && isFinal(done.status)) this.#notifyDecided(done)
    return done
  }

  // ---- recovery ----

  #scheduleRecovery (ms: number): void {
    if (this.#stopped) return
    this.#recoveryTimer = this.d.timers.setTimeout(() => {
      this.#recoveryTimer = undefined
      this.recover().catch(err => { this.d.logger.log('warn', 'lift.recovery-failed', { error: err instanceof Error ? err.message : String(err) }) })
        .finally(() => { this.#scheduleRecovery(Math.max(1000, this.d.config.graceMs)) })
    }, ms)
  }

  /** Queries the referees for every lift still pending past expiry + grace whose next query is due. */
  async recover (): Promise<void> {
    const now = this.d.clock.now()
    const due = this.d.records.all().filter(l => l.status === 'pending' && l.record !== undefined &&
      now >= l.expires + this.d.config.graceMs && now >= (l.nextQueryAt ?? 0))
    await Promise.all(due.map(async l => {
      const record = l.record!
      await this.#askAll(record, { v: 1, type: 'query', record })
      const after = this.d.records.get(l.id)
      if (after === undefined || isFinal(after.status)) return
      const backoff = Math.min(MAX_QUERY_BACKOFF_MS, Math.max(1000, this.d.config.graceMs) * 2 ** Math.min(after.queries, 16))
      await this.d.records.update(l.id, cur => cur === undefined ? undefined : { ...cur, queries: cur.queries + 1, nextQueryAt: this.d.clock.now() + backoff })
    }))
  }

  // ---- helpers ----

  #liftOp (record: LiftRecord, k: number): LiftOp {
    const b = record.body
    return { op: 'lift', chit: liftChitId(b.id, k), lift: b.id, units: b.legs[k]!.units, referees: b.referees.map(r => r.key), expires: b.expires }
  }

  #referees (): RefereeRef[] {
    const configured = this.d.config.referees
    if (configured !== undefined && configured.length > 0) return configured.map(r => ({ ...r }))
    // Where the route's terminus (usually no partner of ours) dials this referee: our own addresses.
    const addrs = (this.d.network.addrs?.() ?? []).filter(a => a.length <= 256).slice(0, 8)
    return [{ key: this.d.keys.referee.key, peer: this.d.network.peerId, ...(addrs.length > 0 ? { addrs } : {}) }]
  }

  #tallyByLink (link: string, session: string): LedgerTally | undefined {
    for (const t of this.d.ledger.tallies()) if (linkNonce(t.id, session) === link) return t
    return undefined
  }

  async #send (tally: LedgerTally, message: LiftMessage): Promise<void> {
    let last: unknown = new UnknownLinkError()
    for (const peer of tally.partner.peers) {
      try {
        await sendLift(this.d.network, peer, message, { addrs: this.d.addrsOf?.(peer) ?? [] })
        return
      } catch (err) {
        last = err
      }
    }
    throw last
  }

  /**
   * Sends a promise request, again with backoff while the partner's node cannot be reached (a crash, a
   * reload, a lost link) and the lift has time left; a refusal by the partner is final.
   */
  async #sendRetrying (tally: LedgerTally, message: LiftMessage, expires: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#send(tally, message)
        return
      } catch (err) {
        const left = expires - this.d.config.graceMs - this.d.clock.now()
        if (this.#stopped || left <= 0 || !isChipsError(err) || !RETRYABLE.has(err.code)) throw err
        await this.#sleep(Math.min(left, 500 * 2 ** Math.min(attempt, 6)))
      }
    }
  }

  /** Resolves true once `ok(state)` holds for the tally's certified state, false after `ms`. */
  async #waitState (tally: string, ok: (s: TallyState) => boolean, ms: number): Promise<boolean> {
    const check = (): boolean => { const s = this.d.ledger.tally(tally)?.state; return s !== undefined && ok(s) }
    if (check()) return true
    return await new Promise(resolve => {
      let set = this.#waiters.get(tally)
      if (set === undefined) this.#waiters.set(tally, set = new Set())
      const done = (v: boolean): void => {
        this.d.timers.clearTimeout(timer)
        set.delete(listener)
        if (set.size === 0 && this.#waiters.get(tally) === set) this.#waiters.delete(tally)
        resolve(v)
      }
      const listener = (): void => { if (this.#stopped) done(false); else if (check()) done(true) }
      const timer = this.d.timers.setTimeout(() => { done(check()) }, ms)
      set.add(listener)
    })
  }

  #wake (tally: string): void {
    const set = this.#waiters.get(tally)
    if (set !== undefined) for (const w of [...set]) w()
  }
}

/** Send failures worth another try: the partner's node may be back soon. */
const RETRYABLE = new Set(['PEER_UNREACHABLE', 'TIMEOUT', 'LINK_LOST', 'NETWORK_STOPPED', 'STREAM_LIMIT', 'LIFTS_BUSY'])

/** The legs of a record with `out.held` (the leg `next` I give on) in place of any earlier copy of it. */
function withGiverLeg (legs: readonly HeldLeg[], out: { held: HeldLeg }, next: number): HeldLeg[] {
  return [...legs.filter(l => !(l.leg === next && l.giver)), out.held]
}

function sameKeys (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i])
}

/** Whether the tally's certified state holds the chit of leg `leg` of this lift resolved (good or void). */
function decidedIn (s: TallyState, lift: string, leg: number): boolean {
  const status = getChit(s.chits, liftChitId(lift, leg))?.status
  return status === 'good' || status === 'void'
}

function pendingReferees (s: TallyState, lift: string): string[] | undefined {
  for (const c of Object.values(s.pending)) if (c.kind === 'lift' && c.lift === lift) return c.referees
  return undefined
}

function toChipsError (err: unknown): ChipsError {
  return isChipsError(err) ? err : new ChipsError('INTERNAL', err instanceof Error ? err.message : String(err))
}

