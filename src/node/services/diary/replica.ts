// The diary of one tally on this node: its member state (answers, reservation, certified head), its outbox
// of our actions, and at most one proposer run at a time (own batch, or driving a pending entry).
//
// Persistence points: a member step's write (reservation/answer, or certificate + new head + the outbox rows
// it settles) is committed in ONE store transaction BEFORE its reply leaves; a submitted action is in the
// outbox (one transaction) before anything is sent. A crash at any point loses only volatile state.
import { hashOf } from '../../../core/codec/hash'
import type { Certificate } from '../../../core/diary/certificate'
import { entryHash, verifyEntrySignature, type Entry } from '../../../core/diary/entry'
import type { Genesis, Head, HeadRef } from '../../../core/diary/head'
import { refOf } from '../../../core/diary/head'
import type { MemberSet } from '../../../core/diary/machine'
import { memberStep, restoreMember, type MemberContext, type MemberInput, type MemberReply, type MemberState } from '../../../core/diary/member'
import { backoffWindow, preferredProposer } from '../../../core/diary/policy'
import { startDrive, startProposal, type ProposerCommand, type ProposerContext, type ProposerEvent } from '../../../core/diary/proposer'
import { allMembers } from '../../../core/diary/quorum'
import { ChipsError, isChipsError } from '../../../core/errors'
import type { DiaryRequest, DiaryResponse } from '../../protocols/diary'
import { MAX_FETCH_CERTIFICATES } from '../../protocols/diary'
import { MAX_ENVELOPE_BYTES } from '../../../core/codec/envelope'
import type { TimerHandle } from '../../ports'
import type { WriteTx } from '../../store/store'
import { DiaryStoppedError, UnexpectedReplyError } from './errors'
import { commitMember, keys, loadCertificates, type OutboxRecord } from './records'
import { ProposerRun, type RunTerminal } from './run'
import type { ActionOutcome, CertifiedEntry, DiaryConfig, DiaryEvents, DiaryServiceDeps, QueuedAction, QueuedReason } from './service'

/** What a replica needs from its service: the deps, the wire and reachability, events. */
export interface ReplicaHost<S, A> {
  deps: DiaryServiceDeps<S, A>
  config: DiaryConfig
  /** Sends a diary request to a member; marks it reachable or not. */
  send (member: string, request: DiaryRequest): Promise<DiaryResponse>
  reachable (member: string): boolean
  emit<K extends keyof DiaryEvents<A>> (event: K, detail: DiaryEvents<A>[K]): void
  /** Whether anyone listens to this event (an event costly to build is not built for nobody). */
  listening (event: keyof DiaryEvents<A>): boolean
  /** Something that must stop the service (a stale writer: another tab or device took the wallet over). */
  fatal (error: ChipsError): void
}

interface Item<A> extends OutboxRecord<A> {
  state: 'ready' | 'handed' | 'running' | 'waiting'
  reason: QueuedReason
  attempts: number
  /** Handed to the proposer this many times without seeing it certified. */
  handoffs: number
  retryAt?: number
  /** Propose it alone (its batch was rejected whole). */
  solo?: boolean
}

interface Waiter {
  ids: string[]
  /** How many distinct ids the submit waits for. */
  distinct: number
  outcomes: Map<string, ActionOutcome>
  resolve: (r: CertifiedEntry) => void
  reject: (e: ChipsError) => void
}

/** Delays before delivering a certificate again to a member that could not be reached. */
const DELIVERY_RETRY_MS = [100, 500, 2_000, 5_000]
const RETRY_CODES = new Set(['PEER_UNREACHABLE', 'TIMEOUT', 'LINK_LOST', 'STREAM_LIMIT'])

/** Recently certified action ids (a re-sent handoff of a certified action is not proposed again). */
const RECENT_IDS = 50_000

export class Replica<S, A> {
  readonly tally: string
  #member: MemberState<S, A>
  readonly #mctx: MemberContext<S, A>
  readonly #pctx: ProposerContext<S, A>
  #lock: Promise<unknown> = Promise.resolve()
  readonly #items = new Map<number, Item<A>>()
  #nextN: number
  /** Actions handed to us by other members, waiting for our next batch (volatile: their outbox is durable). */
  readonly #handed = new Map<string, A>()
  /** Arrival order of handed actions (kept when a failed run puts them back), so a batch keeps their order. */
  readonly #arrival = new Map<string, number>()
  #arrivals = 0
  readonly #certified = new Map<string, ActionOutcome>()
  readonly #waiters = new Set<Waiter>()
  /** The ids of #items, with how many items hold each (see #addItem). */
  readonly #itemIds = new Map<string, number>()
  #run: ProposerRun<S, A> | undefined
  /** Entries being driven, by hash (undefined while the run starts). */
  readonly #drivers = new Map<string, ProposerRun<S, A> | undefined>()
  /** An exclusive run (own batch, or driving our reservation) is starting or running. */
  #busy = false
  /** A handoff is in flight (one at a time keeps our actions in order at the proposer). */
  #handing = false
  /** Bytes of action JSON per batch (config.maxBatchBytes, halved if an entry came out too large). */
  #batchBytes: number
  /** When we first saw each reservation we hold (Clock ms); a restored one counts as old. */
  readonly #reservedSince = new Map<string, number>()
  #driveTimer: TimerHandle | undefined
  #retry: TimerHandle | undefined
  #retryAttempt = 0
  #handoffTimer: TimerHandle | undefined
  #stopped = false
  /** Members of the other party that refused this node as a member (NOT_A_TALLY_MEMBER). */
  readonly #refusers = new Set<string>()
  /** Every member of the other party refused us: this node was replaced; nothing is proposed from here again. */
  #excluded: ChipsError | undefined
  #catchingUp: Promise<HeadRef> | undefined
  readonly #timers = new Set<TimerHandle>()

  constructor (
    private readonly host: ReplicaHost<S, A>,
    readonly genesis: Genesis<S>,
    member: MemberState<S, A>,
    outbox: Array<OutboxRecord<A>>,
    readonly addrs: Map<string, readonly string[]>
  ) {
    this.tally = genesis.tally
    const { crypto: provider, machine, identity } = host.deps
    this.#mctx = { provider, machine, tally: this.tally, identity }
    this.#pctx = { ...this.#mctx, config: host.config.proposer }
    this.#batchBytes = host.config.maxBatchBytes
    this.#member = member
    if (member.durable.reservation !== undefined) this.#reservedSince.set(member.durable.reservation.hash, Number.NEGATIVE_INFINITY)
    for (const r of outbox) this.#addItem(r)
    this.#nextN = outbox.length === 0 ? 1 : outbox[outbox.length - 1]!.n + 1
  }

  static restore<S, A> (host: ReplicaHost<S, A>, genesis: Genesis<S>, durable: MemberState<S, A>['durable'], outbox: Array<OutboxRecord<A>>): Replica<S, A> {
    const ctx = { provider: host.deps.crypto, machine: host.deps.machine, tally: genesis.tally }
    return new Replica(host, genesis, restoreMember(ctx, durable), outbox, new Map())
  }

  get head (): Head<S> { return this.#member.durable.head }
  get members (): MemberSet { return this.host.deps.machine.members(this.head.state) }
  get self (): string { return this.host.deps.identity.key }

  isMember (key: string): boolean {
    return allMembers(this.members).some(m => m.key === key)
  }

  // ---------------------------------------------------------------- member side

  /** Runs one member step under the tally's lock: commit its write in one transaction, THEN return its reply. */
  async step (input: MemberInput): Promise<MemberReply<A>> {
    const { reply, applied } = await this.#locked(async () => {
      const step = await memberStep(this.#mctx, this.#member, input)
      const certs = step.write?.certificate !== undefined ? [step.write.certificate] : []
      if (step.write !== undefined) await this.#commit(step.write.durable, certs)
      this.#member = step.state
      return { reply: step.reply, applied: certs }
    })
    if (applied.length > 0) this.#afterApplied(applied)
    return reply
  }

  async #commit (durable: MemberState<S, A>['durable'], certs: Array<Certificate<A>>): Promise<void> {
    const ids = new Set(certs.flatMap(c => c.entry.body.actions.map(a => hashOf(a))))
    const settled = [...this.#items.values()].filter(i => ids.has(i.id)).map(i => i.n)
    await this.#write(tx => commitMember(tx, this.tally, durable, certs, settled))
  }

  /** One store transaction; a stale writer (this node was taken over) stops the whole service at once. */
  async #write<T> (body: (tx: WriteTx) => Promise<T>): Promise<T> {
    try {
      return await this.host.deps.store.write(body)
    } catch (err) {
      if (isChipsError(err) && err.code === 'STALE_WRITER') this.host.fatal(err)
      throw err
    }
  }

  async #locked<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn)
    this.#lock = run.catch(() => undefined)
    return await run
  }

  /** Bookkeeping after certificates were committed: outcomes, outbox, events, the running proposer. */
  #afterApplied (certs: Array<Certificate<A>>): void {
    const touched: string[] = []
    for (const c of certs) {
      const b = c.entry.body
      const hash = entryHash(c.entry)
      const refused = new Map(b.refused.map(r => [r.index, r.code]))
      b.actions.forEach((a, index) => {
        const id = hashOf(a)
        const code = refused.get(index)
        const outcome: ActionOutcome = { id, seq: b.seq, entry: hash, index, ...(code !== undefined ? { refused: code } : {}) }
        this.#remember(outcome)
        this.#handed.delete(id)
        this.#arrival.delete(id)
        touched.push(id)
      })
      this.host.emit('certified', { tally: this.tally, seq: b.seq, hash, author: b.author, actions: b.actions, refused: b.refused })
    }
    if (this.#member.durable.reservation === undefined) this.#reservedSince.clear()
    const ids = new Set(touched)
    let changed = false
    for (const [n, item] of this.#items) if (ids.has(item.id)) { this.#deleteItem(n); changed = true }
    if (changed) this.#emitQueued()
    this.#settleWaiters()
    // The proposer is making progress: our handed-off actions are not late.
    if (this.#handoffTimer !== undefined) this.#armHandoffTimer(true)
    // The running proposals rebase onto the new head (and drop what is now certified).
    const runs = [...new Set([...(this.#run !== undefined ? [this.#run] : []), ...[...this.#drivers.values()].filter((r): r is ProposerRun<S, A> => r !== undefined)])]
    if (runs.length > 0) void this.#feedHead(runs)
    this.#retryAttempt = 0
    this.pump()
  }

  async #feedHead (runs: Array<ProposerRun<S, A>>): Promise<void> {
    const head = this.head
    for (const run of runs) {
      if (run.done) continue
      const base = run.state.base.seq
      if (head.seq <= base) continue
      const certificates = await this.host.deps.store.read(tx => loadCertificates<A>(tx, this.tally, base + 1, head.seq - base))
      run.feed({ type: 'head', head, certificates })
    }
  }

  #remember (o: ActionOutcome): void {
    this.#certified.set(o.id, o)
    if (this.#certified.size > RECENT_IDS) this.#certified.delete(this.#certified.keys().next().value!)
  }

  #settleWaiters (): void {
    for (const w of this.#waiters) this.#settleWaiter(w)
  }

  #settleWaiter (w: Waiter): void {
    for (const id of w.ids) {
      const o = this.#certified.get(id)
      if (o !== undefined) w.outcomes.set(id, o)
    }
    if (w.outcomes.size === w.distinct) {
      this.#waiters.delete(w)
      w.resolve({ tally: this.tally, outcomes: w.ids.map(id => w.outcomes.get(id)!), head: refOf(this.head) })
    }
  }

  // #items is a Map in ascending n (filled from the outbox in key order, then by submit with a growing n, never
  // re-inserted), so iterating it is queue order without sorting; #itemIds mirrors the ids it holds.
  #addItem (r: OutboxRecord<A>): void {
    this.#items.set(r.n, { ...r, state: 'ready', reason: 'proposer', attempts: 0, handoffs: 0 })
    this.#itemIds.set(r.id, (this.#itemIds.get(r.id) ?? 0) + 1)
  }

  #deleteItem (n: number): void {
    const i = this.#items.get(n)
    if (i === undefined) return
    this.#items.delete(n)
    const left = (this.#itemIds.get(i.id) ?? 1) - 1
    if (left > 0) this.#itemIds.set(i.id, left)
    else this.#itemIds.delete(i.id)
  }

  // ---------------------------------------------------------------- our actions

  async submit (actions: A[]): Promise<CertifiedEntry> {
    if (this.#stopped) throw new DiaryStoppedError()
    if (this.#excluded !== undefined) throw this.#excluded
    const ids = actions.map(a => hashOf(a))
    const waiter = Promise.withResolvers<CertifiedEntry>()
    const w: Waiter = { ids, distinct: new Set(ids).size, outcomes: new Map(), resolve: waiter.resolve, reject: waiter.reject }
    const known = this.#itemIds
    const now = this.host.deps.clock.now()
    const fresh: Array<OutboxRecord<A>> = []
    const taken = new Set<string>()
    actions.forEach((action, i) => {
      const id = ids[i]!
      if (known.has(id) || taken.has(id) || this.#certified.has(id)) return
      taken.add(id)
      fresh.push({ tally: this.tally, n: this.#nextN++, id, action, queuedAt: now })
    })
    await this.#write(async tx => { for (const r of fresh) await tx.put('outbox', keys.outbox(this.tally, r.n), r) })
    for (const r of fresh) this.#addItem(r)
    this.#waiters.add(w)
    // Only this waiter can be settled by what is already certified (the others were checked when it was).
    this.#settleWaiter(w)
    this.#emitQueued()
    this.pump()
    return await waiter.promise
  }

  queued (): Array<QueuedAction<A>> {
    const out: Array<QueuedAction<A>> = []
    for (const i of this.#items.values()) { // in n order (see #addItem)
      const q: QueuedAction<A> = { tally: this.tally, id: i.id, action: i.action, queuedAt: i.queuedAt, reason: i.reason, attempts: i.attempts }
      if (i.retryAt !== undefined) q.retryAt = i.retryAt
      out.push(q)
    }
    return out
  }

  #emitQueued (): void {
    // The snapshot costs O(queue): not built when nobody listens (a long queue is rebuilt on every submit).
    if (!this.host.listening('queued')) return
    this.host.emit('queued', { tally: this.tally, queued: this.queued() })
  }

  /** Actions handed to us by another member (we are its preferred proposer). Returns how many were new. */
  acceptHandoff (actions: A[]): number {
    let count = 0
    for (const a of actions) {
      const id = hashOf(a)
      if (this.#certified.has(id) || this.#handed.has(id) || this.#itemIds.has(id)) continue
      this.#handed.set(id, a)
      if (!this.#arrival.has(id)) this.#arrival.set(id, ++this.#arrivals)
      count++
    }
    if (count > 0) this.pump()
    return count
  }

  /**
   * Moves the work forward: drive a reservation we hold (so no pending entry freezes the tally), hand our
   * actions to the preferred proposer, or propose a batch ourselves. Cheap to call often.
   */
  pump (): void {
    if (this.#stopped || this.#busy || this.#retry !== undefined || this.#excluded !== undefined) return
    const reservation = this.#member.durable.reservation
    if (reservation !== undefined) {
      // A pending entry we hold a reservation for (ours after a crash or a stall, or a partner's): it must be
      // decided before anything else. Its author is normally deciding it right now, so we drive it only once
      // it has been pending for a resend interval (at once after a restart).
      if (this.#drivers.has(reservation.hash)) return
      const now = this.host.deps.clock.now()
      const since = this.#reservedSince.get(reservation.hash) ?? now
      this.#reservedSince.set(reservation.hash, since)
      const due = since + this.host.config.proposer.resendMs - now
      if (due <= 0) void this.#start('drive', reservation.entry, [])
      else if (this.#driveTimer === undefined) this.#driveTimer = this.#after(due, () => { this.#driveTimer = undefined; this.pump() })
      return
    }
    const ready: Array<Item<A>> = [] // in n order (see #addItem)
    let mustPropose = false // an action handed off twice in vain, or to be proposed alone
    for (const i of this.#items.values()) {
      if (i.state !== 'ready') continue
      ready.push(i)
      if (i.handoffs >= 2 || i.solo === true) mustPropose = true
    }
    if (ready.length === 0 && this.#handed.size === 0) return
    const preferred = preferredProposer(this.members, k => this.host.reachable(k))
    // When we propose ourselves we take the whole queue in order, the actions handed off included: a chain
    // action must never go out without the ones before it.
    const own: Array<Item<A>> = []
    if (preferred !== undefined && preferred !== this.self && !mustPropose) {
      // Not the preferred proposer: hand our actions over, one handoff at a time so they arrive in order.
      // We propose them ourselves only if it is unreachable or did not certify them in time (twice).
      if (ready.length > 0 && !this.#handing) void this.#handOff(preferred, ready.slice(0, this.host.config.maxBatch))
      if (this.#handed.size === 0) return // nothing to propose ourselves
    } else {
      for (const i of this.#items.values()) if (i.state === 'ready' || i.state === 'handed') own.push(i) // in n order
    }
    const solo = own.find(i => i.solo === true)
    // Order everything we could propose (ours and handed) first, then cut the batch: a chain action never
    // goes out without the ones before it.
    const byId = new Map<string, Item<A>>(own.map(i => [i.id, i]))
    const handedEntries = [...this.#handed].sort(([a], [b]) => (this.#arrival.get(a) ?? 0) - (this.#arrival.get(b) ?? 0))
    const handed = handedEntries.map(([, a]) => a)
    const pool: A[] = solo !== undefined ? [solo.action] : [...own.map(i => i.action), ...handed]
    const order = this.host.deps.order
    const picked = fitBatch((order !== undefined ? order(pool) : pool).slice(0, this.host.config.maxBatch), this.#batchBytes)
    if (picked.length === 0) return
    // The ids of the picked actions are known (queue items and handed actions are kept with theirs): no rehash.
    const known = new Map<A, string>(handedEntries.map(([id, a]) => [a, id]))
    for (const i of own) known.set(i.action, i.id)
    const ids = picked.map(a => known.get(a) ?? hashOf(a))
    const batch = ids.map(id => byId.get(id)).filter((i): i is Item<A> => i !== undefined)
    const theirs = picked.filter((_, k) => !byId.has(ids[k]!))
    for (const i of batch) { i.state = 'running'; i.reason = 'pending'; i.attempts++ }
    picked.forEach((_, k) => { if (!byId.has(ids[k]!)) this.#handed.delete(ids[k]!) })
    void this.#start('own', undefined, picked, batch.map(i => i.n), theirs)
  }

  async #handOff (to: string, items: Array<Item<A>>): Promise<void> {
    for (const i of items) { i.state = 'handed'; i.reason = 'proposer'; i.attempts++; i.handoffs++ }
    this.#emitQueued()
    this.#handing = true
    try {
      const r = await this.host.send(to, { t: 'handoff', tally: this.tally, actions: items.map(i => i.action) })
      if (r.t !== 'accepted') throw new UnexpectedReplyError('accepted', r.t)
      this.#armHandoffTimer()
      this.#handing = false
      this.pump()
    } catch (err) {
      this.#handing = false
      this.host.deps.logger.log('info', 'diary.handoff-failed', { tally: this.tally, code: codeOf(err) })
      // Unreachable (now marked so): propose them ourselves at once.
      for (const i of items) if (i.state === 'handed') { i.state = 'ready'; i.handoffs = Math.max(i.handoffs, 2) }
      this.pump()
    }
  }

  /** A handed-off action not seen certified in time (no progress at all) is handed again, then proposed here. */
  #armHandoffTimer (restart = false): void {
    if (this.#handoffTimer !== undefined) {
      if (!restart) return
      this.host.deps.timers.clearTimeout(this.#handoffTimer)
      this.#timers.delete(this.#handoffTimer)
    }
    this.#handoffTimer = this.#after(this.host.config.handoffTimeoutMs, () => {
      this.#handoffTimer = undefined
      let any = false
      for (const i of this.#items.values()) if (i.state === 'handed') { i.state = 'ready'; any = true }
      if (any) {
        void this.catchUp().catch(() => undefined).finally(() => { this.pump() })
      }
    })
  }

  /** Starts a run: 'own' (our batch; exclusive) or 'drive' (a pending entry; exclusive when it is our reservation). */
  async #start (mode: 'own' | 'drive', entry: Entry<A> | undefined, actions: A[], items: number[] = [], theirs: A[] = [], exclusive = true): Promise<void> {
    if (exclusive) this.#busy = true
    const hash = entry !== undefined ? entryHash(entry) : undefined
    if (hash !== undefined) this.#drivers.set(hash, undefined)
    const head = this.head
    try {
      const first = mode === 'own' ? await startProposal(this.#pctx, head, actions) : await startDrive(this.#pctx, head, entry!)
      if (this.#stopped) return
      if (mode === 'own' && actions.length > 1 && JSON.stringify(first.state.entry).length > MAX_ENVELOPE_BYTES) {
        // Nothing was sent (our member has not reserved it): an entry the others would refuse as too large
        // must never be held. Cut batches smaller and try again.
        this.#batchBytes = Math.max(1024, Math.floor(this.#batchBytes / 2))
        for (const n of items) { const i = this.#items.get(n); if (i !== undefined) i.state = 'ready' }
        for (const a of theirs) this.#handed.set(hashOf(a), a)
        if (exclusive) this.#busy = false
        this.pump()
        return
      }
      const host = { execute: (r: ProposerRun<unknown, A>, c: ProposerCommand<A>) => this.#execute(r as ProposerRun<S, A>, c), finished: (r: ProposerRun<unknown, A>, end: RunTerminal<A>) => { this.#finished(r as ProposerRun<S, A>, end, theirs, exclusive) } }
      const run = new ProposerRun<S, A>(this.#pctx, host, first, items)
      if (exclusive) this.#run = run
      if (hash !== undefined) this.#drivers.set(hash, run)
      if (mode === 'own') {
        this.host.emit('pending', { tally: this.tally, seq: first.state.entry.body.seq, hash: first.state.hash, ids: actions.map(a => hashOf(a)) })
        this.#emitQueued()
      }
    } catch (err) {
      if (hash !== undefined) this.#drivers.delete(hash)
      if (exclusive) this.#busy = false
      // Our own rules refuse the batch: nothing was sent.
      this.#rejected(items, theirs, isChipsError(err) ? err : new ChipsError('INTERNAL', String(err)))
      this.pump()
    }
  }

  #finished (run: ProposerRun<S, A>, end: RunTerminal<A>, theirs: A[], exclusive: boolean): void {
    if (this.#run === run) this.#run = undefined
    if (exclusive) this.#busy = false
    for (const [hash, r] of this.#drivers) if (r === run) this.#drivers.delete(hash)
    if (this.#stopped) return
    const items = run.items.map(n => this.#items.get(n)).filter((i): i is Item<A> => i !== undefined)
    switch (end.type) {
      case 'certified':
      case 'absorbed':
      case 'released':
      case 'superseded':
        // Whatever of ours is not certified yet goes back to the queue.
        for (const i of items) if (i.state === 'running') { i.state = 'ready'; i.reason = 'proposer' }
        for (const a of theirs) if (!this.#certified.has(hashOf(a))) this.#handed.set(hashOf(a), a)
        this.pump()
        return
      case 'failed':
        if (end.error.code === 'PROPOSAL_REJECTED') {
          this.#rejected(run.items, theirs, end.error)
          this.pump()
          return
        }
        // Stalled or gave up: the partner does not answer. Retry with backoff, keep everything queued.
        for (const i of items) { i.state = 'ready'; i.reason = 'partner' }
        for (const a of theirs) if (!this.#certified.has(hashOf(a))) this.#handed.set(hashOf(a), a)
        this.#backoff(end.error)
    }
  }

  /** A batch refused on its merits: split it, or drop a single action for good. */
  #rejected (itemNs: number[], theirs: A[], error: ChipsError): void {
    const items = itemNs.map(n => this.#items.get(n)).filter((i): i is Item<A> => i !== undefined)
    if (items.length + theirs.length > 1) {
      for (const i of items) { i.state = 'ready'; i.solo = true; i.reason = 'proposer' }
      // Handed-off actions are re-checked one by one by their owners (they hand them again, then propose them).
      return
    }
    if (items.length === 0) return
    const ids = items.map(i => i.id)
    void this.#write(async tx => { for (const i of items) await tx.delete('outbox', keys.outbox(this.tally, i.n)) }).then(() => {
      for (const i of items) this.#deleteItem(i.n)
      for (const w of this.#waiters) {
        if (w.ids.some(id => ids.includes(id))) { this.#waiters.delete(w); w.reject(error) }
      }
      this.host.emit('failed', { tally: this.tally, ids, error })
      this.#emitQueued()
    }, (err: unknown) => { this.host.deps.logger.log('error', 'diary.outbox-write-failed', { tally: this.tally, code: codeOf(err) }) })
  }

  #backoff (error: ChipsError): void {
    this.#retryAttempt++
    const w = backoffWindow(this.#retryAttempt, this.host.config.retry)
    const ms = w.minMs + Math.floor(unit(this.host.deps.random) * (w.maxMs - w.minMs + 1))
    const at = this.host.deps.clock.now() + ms
    for (const i of this.#items.values()) if (i.state === 'ready') { i.reason = 'partner'; i.retryAt = at }
    this.host.deps.logger.log('info', 'diary.waiting-for-partner', { tally: this.tally, code: error.code, ms })
    this.#emitQueued()
    if (this.#retry !== undefined) return
    this.#retry = this.#after(ms, () => { this.#retry = undefined; this.pump() })
  }

  /**
   * A member refused this node as a member of the tally (NOT_A_TALLY_MEMBER). Once every member of the other
   * party (as we know them) has, this node was replaced (its user restored the wallet on another device, which
   * took its seat): the outbox fails for good with that error instead of being retried for ever, and nothing
   * more is proposed from here. A refusal by our own party's members proves nothing (they may be behind).
   */
  refusedBy (member: string, error: ChipsError): void {
    const m = this.members
    // Not in our own certified member set either (we saw our seat taken): any member's refusal is final.
    const others = m.stock.some(x => x.key === this.self) ? m.foil : m.foil.some(x => x.key === this.self) ? m.stock : allMembers(m)
    if (this.#excluded !== undefined || !others.some(x => x.key === member)) return
    this.#refusers.add(member)
    if (!others.every(x => this.#refusers.has(x.key))) return
    this.#excluded = error
    this.host.deps.logger.log('warn', 'diary.replaced', { tally: this.tally, code: error.code })
    const items = [...this.#items.values()]
    void this.#write(async tx => { for (const i of items) await tx.delete('outbox', keys.outbox(this.tally, i.n)) }).then(() => {
      for (const i of items) this.#deleteItem(i.n)
      const ids = items.map(i => i.id)
      for (const w of this.#waiters) { this.#waiters.delete(w); w.reject(error) }
      this.host.emit('failed', { tally: this.tally, ids, error })
      this.#emitQueued()
    }, (err: unknown) => { this.host.deps.logger.log('error', 'diary.outbox-write-failed', { tally: this.tally, code: codeOf(err) }) })
  }

  /** Someone came back: retry now instead of waiting for the backoff. */
  wake (): void {
    if (this.#retry !== undefined) { this.host.deps.timers.clearTimeout(this.#retry); this.#timers.delete(this.#retry); this.#retry = undefined }
    this.#retryAttempt = 0
    this.pump()
  }

  // ---------------------------------------------------------------- proposer commands

  async #execute (run: ProposerRun<S, A>, c: ProposerCommand<A>): Promise<void> {
    const cmd = c as ProposerCommand<A> | RecoveryCommand
    switch (cmd.type) {
      case 'send': {
        // Our own member answers first (persisted), then the others get the entry with our answer attached.
        const extra = recoveryFields(cmd)
        let own: unknown[] = []
        if (cmd.to.includes(this.self)) {
          const reply = await this.step({ type: 'propose', entry: cmd.entry, ...extra })
          if (reply.type === 'answer') own = [reply.answer]
          this.#feedReply(run, this.self, reply)
        }
        for (const to of cmd.to) {
          if (to === this.self) continue
          void this.host.send(to, { t: 'propose', tally: this.tally, entry: rec(cmd.entry), answers: own.map(rec), ...wireRecovery(extra) })
            .then(r => { this.#feedResponse(run, to, r) }, (err: unknown) => { this.#sendFailed('propose', to, err); this.#partnerGone(run) })
        }
        return
      }
      case 'prepare': {
        // Phase 1 of a recovery round: the same order (our promise is persisted before anyone sees it).
        if (cmd.to.includes(this.self)) this.#feedReply(run, this.self, await this.step({ type: 'prepare', seq: cmd.seq, round: cmd.round }))
        for (const to of cmd.to) {
          if (to === this.self) continue
          void this.host.send(to, { t: 'prepare', tally: this.tally, seq: cmd.seq, round: rec(cmd.round) })
            .then(r => { this.#feedResponse(run, to, r) }, (err: unknown) => { this.#sendFailed('prepare', to, err) })
        }
        return
      }
      case 'publish': {
        // Final whoever applies it first: tell the others while we apply it here (saves the next proposal a wait).
        this.#disseminate({ t: 'certificate', tally: this.tally, certificate: rec(cmd.certificate) })
        await this.step({ type: 'certificate', certificate: cmd.certificate })
        return
      }
      case 'release': {
        await this.step({ type: 'release', proof: cmd.proof })
        this.#disseminate({ t: 'release', tally: this.tally, proof: rec(cmd.proof) })
        return
      }
      case 'sendCertificates':
        void this.#sendCertificates(cmd.to, cmd.after)
        return
      case 'catchUp':
        void this.catchUp().then(() => this.#feedHead([run]), () => this.#feedHead([run]))
        return
      case 'drive':
        void this.#drive(cmd.seq, cmd.hash, cmd.from, cmd.entry)
        return
      case 'wait': {
        const ms = cmd.minMs + Math.floor(unit(this.host.deps.random) * (cmd.maxMs - cmd.minMs + 1))
        this.#after(ms, () => { run.feed({ type: 'timer' }) })
        return
      }
      case 'ignored':
        this.host.deps.logger.log('debug', 'diary.ignored', { tally: this.tally, code: cmd.error.code })
    }
  }

  #feedReply (run: ProposerRun<S, A>, member: string, reply: MemberReply<A>): void {
    const event = replyEvent<S, A>(member, reply)
    if (event !== undefined) run.feed(event)
  }

  #feedResponse (run: ProposerRun<S, A>, member: string, r: DiaryResponse): void {
    const feed = (e: unknown): void => { run.feed(e as ProposerEvent<S, A>) }
    switch (r.t) {
      case 'answer': feed({ type: 'answer', answer: r.answer }); return
      case 'behind': feed({ type: 'behind', member, head: r.head }); return
      case 'certified': feed({ type: 'certified', member, seq: r.seq }); return
      case 'promise': feed({ type: 'promise', member, promise: r.promise, ...(r.entry !== undefined ? { entry: r.entry } : {}) }); return
      case 'outranked': feed({ type: 'outranked', member, seq: r.seq, promised: r.promised })
    }
  }

  /** No member of the other party answers at all: show our actions in this run as waiting for the partner. */
  #partnerGone (run: ProposerRun<S, A>): void {
    const m = this.members
    const others = m.stock.some(x => x.key === this.self) ? m.foil : m.stock
    if (others.some(x => this.host.reachable(x.key))) return
    let changed = false
    for (const n of run.items) {
      const i = this.#items.get(n)
      if (i !== undefined && i.reason !== 'partner') { i.reason = 'partner'; changed = true }
    }
    // Actions queued behind this run (e.g. a re-drive of our reservation carries none of them) wait for the
    // same partner: say so now rather than when the run gives up.
    for (const i of this.#items.values()) if (i.state === 'ready' && i.reason !== 'partner') { i.reason = 'partner'; changed = true }
    if (changed) this.#emitQueued()
  }

  #sendFailed (what: string, to: string, err: unknown): void {
    this.host.deps.logger.log('debug', 'diary.send-failed', { tally: this.tally, what, to, code: codeOf(err), message: err instanceof Error ? err.message : String(err) })
  }

  /**
   * Sends a certificate or release proof to every other member. A member that cannot be reached right now
   * (a relayed link reset, say) is tried again a few times: until it has the certificate its user sees the
   * chit pending, and the next proposal would find it behind.
   */
  #disseminate (request: DiaryRequest): void {
    for (const m of allMembers(this.members)) {
      if (m.key !== this.self) this.#deliver(m.key, request, 0)
    }
  }

  #deliver (to: string, request: DiaryRequest, attempt: number): void {
    void this.host.send(to, request).then(r => {
      if (r.t === 'behind') void this.#sendCertificates(to, r.head.seq)
    }, (err: unknown) => {
      this.#sendFailed(request.t, to, err)
      const delay = DELIVERY_RETRY_MS[attempt]
      if (delay !== undefined && isChipsError(err) && RETRY_CODES.has(err.code)) this.#after(delay, () => { this.#deliver(to, request, attempt + 1) })
    })
  }

  /** Sends a member that is behind the certificates after `after`, in order. */
  async #sendCertificates (to: string, after: number): Promise<void> {
    const certs = await this.host.deps.store.read(tx => loadCertificates<A>(tx, this.tally, after + 1, MAX_FETCH_CERTIFICATES))
    for (const c of certs) {
      try {
        const r = await this.host.send(to, { t: 'certificate', tally: this.tally, certificate: rec(c) })
        if (r.t !== 'applied') return
      } catch { return }
    }
  }

  /** A competing pending entry: push it to a decision only if its holder still holds it. */
  async #drive (seq: number, hash: string, from: string, known: Entry<A> | undefined): Promise<void> {
    if (this.#drivers.has(hash) || this.#drivers.size >= 4 || seq !== this.head.seq + 1) return
    try {
      const r = await this.host.send(from, { t: 'query', tally: this.tally, seq })
      if (r.t !== 'pending') return
      const view = r.view as { reserved?: unknown, entries?: unknown[] }
      if (view.reserved !== hash) return
      let entry = known
      if (entry === undefined) {
        for (const e of view.entries ?? []) {
          const checked = await verifyEntrySignature<A>(this.host.deps.crypto, e).catch(() => undefined)
          if (checked !== undefined && entryHash(checked) === hash) { entry = checked; break }
        }
      }
      if (entry === undefined || this.#drivers.has(hash) || entry.body.seq !== this.head.seq + 1) return
      await this.#start('drive', entry, [], [], [], false)
    } catch (err) {
      this.host.deps.logger.log('debug', 'diary.drive-failed', { tally: this.tally, code: codeOf(err) })
    }
  }

  // ---------------------------------------------------------------- catch-up

  /**
   * Fetches the certificates after our head from members (or one), verifies each chunk in full against our
   * head before committing it (one transaction per chunk) and applies it. Concurrent calls share one run.
   */
  async catchUp (from?: string): Promise<HeadRef> {
    if (this.#catchingUp !== undefined && from === undefined) return await this.#catchingUp
    const run = this.#doCatchUp(from)
    if (from === undefined) this.#catchingUp = run
    try { return await run } finally { if (this.#catchingUp === run) this.#catchingUp = undefined }
  }

  async #doCatchUp (from?: string): Promise<HeadRef> {
    const sources = from !== undefined ? [from] : allMembers(this.members).map(m => m.key).filter(k => k !== this.self && this.host.reachable(k))
    let lastError: unknown
    for (const member of sources) {
      try {
        for (;;) {
          const r = await this.host.send(member, { t: 'fetch', tally: this.tally, after: this.head.seq, limit: MAX_FETCH_CERTIFICATES })
          if (r.t !== 'certificates') throw new UnexpectedReplyError('certificates', r.t)
          if (r.certificates.length === 0) break
          const moved = await this.applyVerified(r.certificates)
          if (!moved || this.head.seq >= r.head.seq) break
        }
        if (from !== undefined) return refOf(this.head)
      } catch (err) {
        lastError = err
        if (from !== undefined) throw err
      }
    }
    if (sources.length > 0 && lastError !== undefined && from !== undefined) throw lastError
    return refOf(this.head)
  }

  /**
   * Verifies untrusted certificates in order against our head (signatures, chain, quorum of the member set
   * in force at each seq, every action re-applied) and commits the verified ones in ONE transaction. A
   * certificate that does not verify throws its named error and nothing from this batch is applied.
   */
  async applyVerified (raw: unknown[]): Promise<boolean> {
    const applied = await this.#locked(async () => {
      let state = this.#member
      const certs: Array<Certificate<A>> = []
      for (const c of raw) {
        const step = await memberStep(this.#mctx, state, { type: 'certificate', certificate: c })
        if (step.reply.type === 'error') throw step.reply.error
        if (step.reply.type === 'behind') break
        if (step.write?.certificate !== undefined) certs.push(step.write.certificate)
        state = step.state
      }
      if (certs.length > 0) {
        await this.#commit(state.durable, certs)
        this.#member = state
      }
      return certs
    })
    if (applied.length > 0) this.#afterApplied(applied)
    return applied.length > 0
  }

  // ---------------------------------------------------------------- life cycle

  #after (ms: number, fn: () => void): TimerHandle {
    const h = this.host.deps.timers.setTimeout(() => { this.#timers.delete(h); if (!this.#stopped) fn() }, ms)
    this.#timers.add(h)
    return h
  }

  stop (): void {
    this.#stopped = true
    for (const h of this.#timers) this.host.deps.timers.clearTimeout(h)
    this.#timers.clear()
    this.#run?.abandon()
    for (const r of this.#drivers.values()) r?.abandon()
    for (const w of this.#waiters) w.reject(new DiaryStoppedError())
    this.#waiters.clear()
  }
}

function replyEvent<S, A> (member: string, reply: MemberReply<A>): ProposerEvent<S, A> | undefined {
  const event = (e: unknown): ProposerEvent<S, A> => e as ProposerEvent<S, A>
  switch (reply.type) {
    case 'answer': return event({ type: 'answer', answer: reply.answer })
    case 'behind': return event({ type: 'behind', member, head: reply.head })
    case 'certified': return event({ type: 'certified', member, seq: reply.seq })
    case 'promise': return event({ type: 'promise', member, promise: reply.promise, ...(reply.entry !== undefined ? { entry: reply.entry } : {}) })
    case 'outranked': return event({ type: 'outranked', member, seq: reply.seq, promised: reply.promised })
    default: return undefined
  }
}

/** Recovery rounds (Fast-Paxos style, docs/protocol.md): the proposer's 'prepare' command and the extra fields of 'send'. */
interface RecoveryCommand { type: 'prepare', to: string[], seq: number, round: unknown }
interface RecoveryFields { round?: unknown, promises?: unknown[], votes?: unknown[] }

function recoveryFields (c: object): RecoveryFields {
  const x = c as RecoveryFields
  return {
    ...(x.round !== undefined ? { round: x.round } : {}),
    ...(x.promises !== undefined ? { promises: x.promises } : {}),
    ...(x.votes !== undefined ? { votes: x.votes } : {})
  }
}

function wireRecovery (x: RecoveryFields): { round?: Record<string, unknown>, promises?: Array<Record<string, unknown>>, votes?: Array<Record<string, unknown>> } {
  return {
    ...(x.round !== undefined ? { round: rec(x.round) } : {}),
    ...(x.promises !== undefined ? { promises: x.promises.map(rec) } : {}),
    ...(x.votes !== undefined ? { votes: x.votes.map(rec) } : {})
  }
}

/** A signed record on its way to the wire (JSON objects; the receiver checks them in full). */
function rec (x: unknown): Record<string, unknown> {
  return x as Record<string, unknown>
}

/**
 * The longest prefix of the batch whose actions fit in `maxBytes` of JSON (at least one action): a signed
 * entry is one envelope, and envelopes are size-limited (MAX_ENVELOPE_BYTES), so an oversized entry would be
 * refused by every other member while our own reservation held it.
 */
function fitBatch<A> (actions: A[], maxBytes: number): A[] {
  let bytes = 0
  for (let i = 0; i < actions.length; i++) {
    bytes += JSON.stringify(actions[i]).length + 1
    if (bytes > maxBytes && i > 0) return actions.slice(0, i)
  }
  return actions
}

function unit (random: { bytes (n: number): Uint8Array }): number {
  const b = random.bytes(4)
  return ((b[0]! << 24 | b[1]! << 16 | b[2]! << 8 | b[3]!) >>> 0) / 2 ** 32
}

function codeOf (err: unknown): string {
  return isChipsError(err) ? err.code : 'INTERNAL'
}
