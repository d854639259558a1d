// A deterministic in-memory network of diary members for property tests: a virtual clock, a message queue,
// crashes (volatile state lost, durable state kept), partitions and partial sync. The core state machines run
// unchanged; this file plays the node runtime (persist before reply, timers, catch-up, hand-off, driving).
import { hashOf } from '../../../../src/core/codec/hash'
import {
  entryHash, initialDurable, memberStep, preferredProposer, proposerStep, restoreMember, startDrive, startProposal, startRecovery,
  genesisHead, verifyHistory,
  type Certificate, type DiaryContext, type Entry, type Genesis, type Head, type MemberDurable, type MemberInput,
  type MemberSet, type MemberState, type MemberStep, type Party, type PendingView, type ProposerCommand, type ProposerConfig,
  type ProposerContext, type ProposerEvent, type ProposerState, type ReplicatedMachine, type Answer, type Round, type RoundPromise
} from '../../../../src/core/diary'
import type { SignatureProvider } from '../../../../src/core/crypto/provider'

export interface SimMember { name: string, key: string, secret: Uint8Array, party: Party }

/** What survives a crash: the member record, the certificate log and the outbox of submitted actions. */
interface Durable<S, A> {
  member: MemberDurable<S, A>
  log: Certificate<A>[]
  outbox: A[]
}

interface Volatile<S, A> {
  member: MemberState<S, A>
  /** Proposals (own: at most one) and drivers, by id. */
  runs: Map<number, { state: ProposerState<S, A>, own: boolean, drives?: string }>
  drivenHashes: Set<string>
}

interface SimNode<S, A> extends SimMember {
  durable: Durable<S, A>
  volatile?: Volatile<S, A>
}

type Payload<A> =
  | { kind: 'propose', entry: Entry<A>, run: number, answers: Answer[], round?: Round, promises?: RoundPromise[], votes?: Entry<A>[] }
  | { kind: 'prepare', run: number, seq: number, round: Round }
  | { kind: 'promise', run: number, promise: RoundPromise, entry?: Entry<A> }
  | { kind: 'outranked', run: number, seq: number, promised: Round }
  | { kind: 'answer', answer: Answer, run: number }
  | { kind: 'behind', run: number, head: { seq: number, hash: string } }
  | { kind: 'certifiedSeq', run: number, seq: number }
  | { kind: 'certificate', certificate: Certificate<A> }
  | { kind: 'release', proof: unknown }
  | { kind: 'certsRequest', after: number }
  | { kind: 'certs', list: Certificate<A>[] }
  | { kind: 'handoff', actions: A[] }
  | { kind: 'query', seq: number, hash: string }
  | { kind: 'view', view: PendingView<A>, hash: string }
  | { kind: 'share', view: PendingView<A> }
  | { kind: 'shareBack', view: PendingView<A> }

export interface Message<A> { from: string, to: string, payload: Payload<A> }

interface Timer { at: number, node: string, run?: number, pump?: true, seqNo: number, timer?: number }

export interface SimOptions<S, A> {
  provider: SignatureProvider
  machine: ReplicatedMachine<S, A>
  genesis: Genesis<S>
  members: SimMember[]
  config: ProposerConfig
  /** Seed for the jitter the nodes pick inside backoff windows. */
  seed: number
  /** Whether an action the machine throws on now may still apply later (kept in the outbox, not dropped). */
  mayApplyLater?: (error: unknown) => boolean
}

/** mulberry32: a tiny seeded PRNG (the nodes' injected randomness). */
function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export class Sim<S, A> {
  clock = 0
  queue: Message<A>[] = []
  private timers: Timer[] = []
  private timerSeq = 0
  private runSeq = 0
  readonly nodes = new Map<string, SimNode<S, A>>()
  /** Cut links, as "a|b" with a < b. */
  private readonly cut = new Set<string>()
  /** Every certificate anyone produced or applied: seq → set of entry hashes (safety: at most one). */
  readonly certified = new Map<number, Set<string>>()
  readonly errors: string[] = []
  readonly failures: string[] = []
  /** Actions a node dropped because they can never apply (e.g. a chain key another device used first). */
  readonly dropped = new Set<string>()
  /** Every action ever submitted, by content hash, and where. */
  readonly submitted = new Map<string, string>()
  private readonly rand: () => number
  readonly ctx: DiaryContext<S, A>

  constructor (readonly opts: SimOptions<S, A>) {
    this.rand = prng(opts.seed)
    this.ctx = { provider: opts.provider, machine: opts.machine, tally: opts.genesis.tally }
    for (const m of opts.members) {
      const durable: Durable<S, A> = { member: initialDurable(genesisHead(opts.genesis)), log: [], outbox: [] }
      this.nodes.set(m.key, { ...m, durable })
      this.start(m.key)
    }
  }

  // ---- topology ------------------------------------------------------------------------------------------

  isUp (key: string): boolean { return this.nodes.get(key)?.volatile !== undefined }
  private link (a: string, b: string): string { return a < b ? `${a}|${b}` : `${b}|${a}` }
  linked (a: string, b: string): boolean { return a === b || !this.cut.has(this.link(a, b)) }
  reachable (a: string, b: string): boolean { return this.isUp(b) && this.linked(a, b) }
  cutLink (a: string, b: string): void { if (a !== b) this.cut.add(this.link(a, b)) }
  healLinks (): void { this.cut.clear() }
  keys (): string[] { return [...this.nodes.keys()] }

  /** `unsent`: also drop what it sent that is still in flight (it crashed before its messages left). */
  crash (key: string, unsent = false): void {
    const n = this.nodes.get(key)!
    n.volatile = undefined
    this.timers = this.timers.filter(t => t.node !== key)
    this.queue = this.queue.filter(m => m.to !== key && (!unsent || m.from !== key))
  }

  /** Members lost for good: they never start again. */
  readonly lost = new Set<string>()

  start (key: string): void {
    const n = this.nodes.get(key)!
    if (n.volatile !== undefined || this.lost.has(key)) return
    n.volatile = { member: restoreMember(this.ctx, n.durable.member), runs: new Map(), drivenHashes: new Set() }
    this.pumpSoon(key, 0)
  }

  // ---- user actions ----------------------------------------------------------------------------------------

  /** A user action entered on `key` (persisted in its outbox first). `self`: propose it here, ignoring the preferred proposer. */
  async submit (key: string, action: A, self: boolean): Promise<void> {
    const n = this.nodes.get(key)!
    if (n.volatile === undefined) return
    this.submitted.set(hashOf(action), key)
    n.durable.outbox = [...n.durable.outbox, action]
    await this.pump(key, self)
  }

  private members (key: string): MemberSet {
    return this.opts.machine.members(this.nodes.get(key)!.durable.member.head.state)
  }

  private head (key: string): Head<S> { return this.nodes.get(key)!.durable.member.head }

  private async pump (key: string, self = false): Promise<void> {
    const n = this.nodes.get(key)!
    const v = n.volatile
    if (v === undefined || n.durable.outbox.length === 0) return
    if ([...v.runs.values()].some(r => r.own)) return
    const preferred = preferredProposer(this.members(key), k => this.reachable(key, k))
    const ready = await this.purge(key)
    if (ready === 0) { if (n.durable.outbox.length > 0) this.pumpSoon(key, this.opts.config.resendMs * 3); return }
    if (!self && preferred !== undefined && preferred !== key) {
      this.send(key, preferred, { kind: 'handoff', actions: n.durable.outbox })
      // As the node does when a handed-off action is not seen certified: catch up (it may be certified already).
      this.send(key, preferred, { kind: 'certsRequest', after: this.head(key).seq })
      this.pumpSoon(key, this.opts.config.resendMs * 3)
      return
    }
    const pctx = this.pctx(n)
    let step
    try {
      step = await startProposal(pctx, this.head(key), n.durable.outbox.slice(0, ready))
    } catch (e) {
      const code = (e as { code?: string }).code ?? String(e)
      this.failures.push(`${n.name}: ${code}`)
      this.pumpSoon(key, this.opts.config.resendMs * 3)
      return
    }
    const id = ++this.runSeq
    v.runs.set(id, { state: step.state, own: true })
    await this.run(key, id, step.commands)
  }

  /**
   * Orders the outbox the way a wallet orders its chain (an action first once the actions before it apply)
   * and drops what can never apply (a wallet would re-sign it with its next chain key; here it is counted
   * as dropped). Returns how many actions apply now, in order, at the front of the outbox.
   */
  private async purge (key: string): Promise<number> {
    const n = this.nodes.get(key)!
    let s = this.head(key).state
    let rest = [...n.durable.outbox]
    const ready: A[] = []
    for (let moved = true; moved;) {
      moved = false
      const later: A[] = []
      for (const a of rest) {
        try {
          s = (await this.opts.machine.apply(s, a)).state
          ready.push(a)
          moved = true
        } catch (e) {
          if (this.opts.mayApplyLater?.(e) === true) later.push(a)
          else this.dropped.add(hashOf(a))
        }
      }
      rest = later
    }
    n.durable = { ...n.durable, outbox: [...ready, ...rest] }
    return ready.length
  }

  private pumpSoon (key: string, ms: number): void {
    this.timers.push({ at: this.clock + ms, node: key, pump: true, seqNo: ++this.timerSeq })
  }

  private pctx (n: SimNode<S, A>): ProposerContext<S, A> {
    return { ...this.ctx, identity: { secret: n.secret, key: n.key }, config: this.opts.config }
  }

  // ---- messaging -------------------------------------------------------------------------------------------

  private send (from: string, to: string, payload: Payload<A>): void {
    if (!this.linked(from, to)) return
    this.queue.push({ from, to, payload })
  }

  private broadcast (from: string, payload: Payload<A>): void {
    const set = this.members(from)
    for (const m of [...set.stock, ...set.foil]) this.send(from, m.key, payload)
  }

  /** Certificates of recovery rounds seen (seqs), to show the properties exercise them. */
  recoveryCerts = 0
  private readonly recoverySeqs = new Set<number>()

  private observe (cert: Certificate<A>): void {
    const seq = cert.entry.body.seq
    if (cert.approvals[0]?.body.round !== undefined && !this.recoverySeqs.has(seq)) { this.recoverySeqs.add(seq); this.recoveryCerts++ }
    let s = this.certified.get(seq)
    if (s === undefined) { s = new Set(); this.certified.set(seq, s) }
    s.add(entryHash(cert.entry))
  }

  // ---- member side -----------------------------------------------------------------------------------------

  private async memberInput (key: string, input: MemberInput): Promise<MemberStep<S, A>> {
    const n = this.nodes.get(key)!
    const step = await memberStep({ ...this.ctx, identity: { secret: n.secret, key: n.key } }, n.volatile!.member, input)
    if (step.write !== undefined) {
      // One transaction: the member record and the certificate append (then the reply may leave).
      n.durable = { ...n.durable, member: step.write.durable }
      if (step.write.certificate !== undefined) this.afterCertificate(n, step.write.certificate)
    }
    n.volatile!.member = step.state
    if (step.reply.type === 'error') this.errors.push(step.reply.error.code)
    return step
  }

  private afterCertificate (n: SimNode<S, A>, cert: Certificate<A>): void {
    this.observe(cert)
    const done = new Set(cert.entry.body.actions.map(a => hashOf(a)))
    n.durable = { ...n.durable, log: [...n.durable.log, cert], outbox: n.durable.outbox.filter(a => !done.has(hashOf(a))) }
  }

  /** After the head moved: every run hears the new head with the certificates after its base. */
  private async notifyHead (key: string): Promise<void> {
    const n = this.nodes.get(key)!
    const v = n.volatile
    if (v === undefined) return
    const head = this.head(key)
    for (const [id, r] of [...v.runs]) {
      if (r.state.base.seq >= head.seq) continue
      await this.event(key, id, { type: 'head', head, certificates: n.durable.log.slice(r.state.base.seq) })
    }
    await this.pump(key)
  }

  private async applyCerts (key: string, list: Certificate<A>[]): Promise<void> {
    let moved = false
    for (const c of list) {
      if (c.entry.body.seq !== this.head(key).seq + 1) continue
      const step = await this.memberInput(key, { type: 'certificate', certificate: c })
      if (step.reply.type === 'applied' && step.write !== undefined) moved = true
    }
    if (moved) await this.notifyHead(key)
  }

  // ---- proposer side ---------------------------------------------------------------------------------------

  trace: ((line: string) => void) | undefined

  private async event (key: string, id: number, ev: ProposerEvent<S, A>): Promise<void> {
    const v = this.nodes.get(key)!.volatile
    const r = v?.runs.get(id)
    if (v === undefined || r === undefined) return
    const step = await proposerStep(this.pctx(this.nodes.get(key)!), r.state, ev)
    this.trace?.(`${this.clock} ${this.name(key)} run${id}(${r.own ? 'own' : 'drive'} ${r.state.hash.slice(0, 6)}) ${ev.type}${ev.type === 'answer' ? ' ' + String((ev.answer as Answer).body.verdict) + ' from ' + this.name((ev.answer as Answer).signer) : ''} -> ${step.commands.map(c => c.type + (c.type === 'failed' || c.type === 'ignored' ? ':' + c.error.code : '')).join(',')}`)
    r.state = step.state
    await this.run(key, id, step.commands)
  }

  private async run (key: string, id: number, commands: ProposerCommand<A>[]): Promise<void> {
    const n = this.nodes.get(key)!
    for (const c of commands) {
      const v = n.volatile
      if (v === undefined) return
      const r = v.runs.get(id)
      switch (c.type) {
        case 'send': {
          // Answer our own entry first (persisted), and attach that answer to the others' request.
          let own: Answer | undefined
          let outranked: Round | undefined
          const rr = c.round !== undefined ? { round: c.round, promises: c.promises ?? [], votes: c.votes ?? [] } : {}
          if (c.to.includes(key)) {
            const st = await this.memberInput(key, { type: 'propose', entry: c.entry, ...rr })
            if (st.reply.type === 'answer') own = st.reply.answer
            if (st.reply.type === 'outranked') outranked = st.reply.promised
          }
          for (const to of c.to) if (to !== key) this.send(key, to, { kind: 'propose', entry: c.entry, run: id, answers: own !== undefined ? [own] : [], ...rr })
          if (own !== undefined) await this.event(key, id, { type: 'answer', answer: own })
          if (outranked !== undefined) await this.event(key, id, { type: 'outranked', member: key, seq: c.entry.body.seq, promised: outranked })
          break
        }
        case 'prepare': {
          // Our own promise first (the promised round persisted), then the others'.
          for (const to of c.to) if (to !== key) this.send(key, to, { kind: 'prepare', run: id, seq: c.seq, round: c.round })
          if (c.to.includes(key)) await this.onPrepareReply(key, key, id, await this.memberInput(key, { type: 'prepare', seq: c.seq, round: c.round }))
          break
        }
        case 'publish': this.observe(c.certificate); this.broadcast(key, { kind: 'certificate', certificate: c.certificate }); break
        case 'release': this.broadcast(key, { kind: 'release', proof: c.proof }); break
        case 'sendCertificates': this.send(key, c.to, { kind: 'certs', list: n.durable.log.slice(c.after) }); break
        case 'catchUp':
          if (r !== undefined && this.head(key).seq > r.state.base.seq) await this.notifyHead(key)
          else for (const k of this.keys()) if (k !== key) this.send(key, k, { kind: 'certsRequest', after: this.head(key).seq })
          break
        case 'drive': this.send(key, c.from, { kind: 'query', seq: c.seq, hash: c.hash }); break
        case 'wait': this.timers.push({ at: this.clock + c.minMs + Math.floor(this.rand() * (c.maxMs - c.minMs + 1)), node: key, run: id, seqNo: ++this.timerSeq, ...(c.timer !== undefined ? { timer: c.timer } : {}) }); break
        case 'ignored': this.errors.push(c.error.code); break
        case 'failed':
          this.failures.push(`${n.name}: ${c.error.code}`)
          this.endRun(v, id)
          this.pumpSoon(key, this.opts.config.resendMs * 2)
          break
        case 'certified': case 'absorbed': case 'released': case 'superseded':
          if (c.type === 'certified') this.observe(c.certificate)
          this.endRun(v, id)
          await this.pump(key)
          break
      }
    }
  }

  private async onPrepareReply (key: string, from: string, id: number, st: MemberStep<S, A>): Promise<void> {
    const r = st.reply
    if (r.type === 'promise') await this.event(key, id, { type: 'promise', member: from, promise: r.promise, entry: r.entry })
    else if (r.type === 'outranked') await this.event(key, id, { type: 'outranked', member: from, seq: r.seq, promised: r.promised })
    else if (r.type === 'certified') await this.event(key, id, { type: 'certified', member: from, seq: r.seq })
  }

  private endRun (v: Volatile<S, A>, id: number): void {
    const r = v.runs.get(id)
    if (r?.drives !== undefined) v.drivenHashes.delete(r.drives)
    v.runs.delete(id)
  }

  /** What each node holds, for a failure message. */
  dump (): string {
    return [...this.nodes.values()].map(n => {
      const d = n.durable.member
      const runs = n.volatile === undefined ? 'DOWN' : [...n.volatile.runs.values()].map(r => `${r.own ? 'own' : 'drive'}:${r.state.status}@${r.state.base.seq}#${r.state.attempt}`).join(',')
      return `${n.name}: head ${d.head.seq} res ${d.reservation?.hash.slice(0, 6) ?? '-'} answers ${Object.keys(d.answers).length} outbox ${n.durable.outbox.length} runs [${runs}]`
    }).join('\n')
  }

  private async drive (key: string, seq: number, hash: string, from: string, entry?: Entry<A>): Promise<void> {
    const v = this.nodes.get(key)!.volatile!
    if (v.drivenHashes.has(hash) || seq !== this.head(key).seq + 1) return
    if (entry === undefined) { this.send(key, from, { kind: 'query', seq, hash }); return }
    v.drivenHashes.add(hash)
    this.trace?.(`${this.clock} ${this.name(key)} drives ${hash.slice(0, 6)}`)
    const step = await startDrive(this.pctx(this.nodes.get(key)!), this.head(key), entry)
    const id = ++this.runSeq
    v.runs.set(id, { state: step.state, own: false, drives: hash })
    await this.run(key, id, step.commands)
  }

  /**
   * Adversary: `key` starts a recovery round at once for its pending seq, proposing (if the choice is free) the
   * `pick`-th pending entry it knows, not necessarily its own vote: recovery rounds at arbitrary moments,
   * including after a certificate formed that has not reached anyone yet.
   */
  async recover (key: string, pick: number): Promise<void> {
    const n = this.nodes.get(key)!
    const v = n.volatile
    if (v === undefined) return
    const view = v.member.pool.view()
    const r = n.durable.member.reservation
    const entries = r !== undefined && !view.entries.some(e => entryHash(e) === r.hash) ? [...view.entries, r.entry] : view.entries
    const entry = entries[pick % Math.max(1, entries.length)]
    if (entry === undefined) return
    this.trace?.(`${this.clock} ${n.name} recovers ${entryHash(entry).slice(0, 6)}`)
    const step = await startRecovery(this.pctx(n), this.head(key), entry)
    const id = ++this.runSeq
    v.runs.set(id, { state: step.state, own: false })
    await this.run(key, id, step.commands)
  }

  // ---- delivery ----------------------------------------------------------------------------------------------

  async deliver (i: number): Promise<void> {
    const [m] = this.queue.splice(i, 1)
    if (m === undefined || !this.isUp(m.to) || !this.linked(m.from, m.to)) return
    const to = m.to
    const p = m.payload
    switch (p.kind) {
      case 'prepare': {
        const s = await this.memberInput(to, { type: 'prepare', seq: p.seq, round: p.round })
        const r = s.reply
        if (r.type === 'promise') this.send(to, m.from, { kind: 'promise', run: p.run, promise: r.promise, ...(r.entry !== undefined ? { entry: r.entry } : {}) })
        else if (r.type === 'outranked') this.send(to, m.from, { kind: 'outranked', run: p.run, seq: r.seq, promised: r.promised })
        else if (r.type === 'behind') this.send(to, m.from, { kind: 'behind', run: p.run, head: r.head })
        else if (r.type === 'certified') {
          this.send(to, m.from, { kind: 'certs', list: this.nodes.get(to)!.durable.log.slice(r.seq - 1) })
          this.send(to, m.from, { kind: 'certifiedSeq', run: p.run, seq: r.seq })
        }
        break
      }
      case 'promise': await this.event(to, p.run, { type: 'promise', member: m.from, promise: p.promise, entry: p.entry }); break
      case 'outranked': await this.event(to, p.run, { type: 'outranked', member: m.from, seq: p.seq, promised: p.promised }); break
      case 'propose': {
        const rr = p.round !== undefined ? { round: p.round, promises: p.promises ?? [], votes: p.votes ?? [] } : {}
        const s = await this.memberInput(to, { type: 'propose', entry: p.entry, answers: p.answers, ...rr })
        const r = s.reply
        if (r.type === 'answer') this.send(to, m.from, { kind: 'answer', answer: r.answer, run: p.run })
        else if (r.type === 'outranked') this.send(to, m.from, { kind: 'outranked', run: p.run, seq: r.seq, promised: r.promised })
        else if (r.type === 'behind') this.send(to, m.from, { kind: 'behind', run: p.run, head: r.head })
        else if (r.type === 'certified') {
          this.send(to, m.from, { kind: 'certs', list: this.nodes.get(to)!.durable.log.slice(r.seq - 1) })
          this.send(to, m.from, { kind: 'certifiedSeq', run: p.run, seq: r.seq })
        }
        break
      }
      case 'answer': await this.event(to, p.run, { type: 'answer', answer: p.answer }); break
      case 'behind': await this.event(to, p.run, { type: 'behind', member: m.from, head: p.head }); break
      case 'certifiedSeq': await this.event(to, p.run, { type: 'certified', member: m.from, seq: p.seq }); break
      case 'certificate': {
        const s = await this.memberInput(to, { type: 'certificate', certificate: p.certificate })
        if (s.reply.type === 'behind') this.send(to, m.from, { kind: 'certsRequest', after: s.reply.head.seq })
        if (s.write !== undefined) await this.notifyHead(to)
        break
      }
      case 'release': await this.memberInput(to, { type: 'release', proof: p.proof }); break
      case 'certsRequest': this.send(to, m.from, { kind: 'certs', list: this.nodes.get(to)!.durable.log.slice(p.after) }); break
      case 'certs': await this.applyCerts(to, p.list); break
      case 'handoff': {
        const n = this.nodes.get(to)!
        const have = new Set([...n.durable.outbox, ...n.durable.log.flatMap(c => c.entry.body.actions)].map(a => hashOf(a)))
        const fresh = p.actions.filter(a => !have.has(hashOf(a)))
        if (fresh.length > 0) n.durable = { ...n.durable, outbox: [...n.durable.outbox, ...fresh] }
        await this.pump(to)
        break
      }
      case 'query': {
        const s = await this.memberInput(to, { type: 'query', seq: p.seq })
        if (s.reply.type === 'pending') this.send(to, m.from, { kind: 'view', view: s.reply.view, hash: p.hash })
        break
      }
      case 'view': {
        // Drive only a reservation the member still holds: a conflict may name one released long ago.
        const entry = p.view.entries.find(e => entryHash(e) === p.hash)
        if (entry !== undefined && p.view.reserved === p.hash) await this.drive(to, entry.body.seq, p.hash, m.from, entry)
        break
      }
      case 'share': case 'shareBack': {
        const s = await this.memberInput(to, { type: 'share', view: p.view })
        if (p.kind === 'share' && s.reply.type === 'pending') this.send(to, m.from, { kind: 'shareBack', view: s.reply.view })
        if (s.write !== undefined) await this.notifyHead(to)
        break
      }
    }
  }

  /** Partial sync: `a` sends its pending view to `b`, which merges it and answers with its own. */
  async share (a: string, b: string): Promise<void> {
    if (!this.isUp(a) || !this.reachable(a, b)) return
    const s = await this.memberInput(a, { type: 'query', seq: this.head(a).seq + 1 })
    if (s.reply.type === 'pending') this.send(a, b, { kind: 'share', view: s.reply.view })
  }

  /** Advances the clock to the next timer and fires it. Returns false when there is none. */
  async tick (): Promise<boolean> {
    if (this.timers.length === 0) return false
    this.timers.sort((x, y) => x.at - y.at || x.seqNo - y.seqNo)
    const t = this.timers.shift()!
    this.clock = Math.max(this.clock, t.at)
    if (!this.isUp(t.node)) return true
    if (t.pump === true) await this.pump(t.node)
    else if (t.run !== undefined) await this.event(t.node, t.run, { type: 'timer', ...(t.timer !== undefined ? { timer: t.timer } : {}) })
    return true
  }

  /** Asks every other node for the certificates it lacks. */
  antiEntropy (key: string): void {
    for (const k of this.keys()) if (k !== key) this.send(key, k, { kind: 'certsRequest', after: this.head(key).seq })
  }

  /**
   * Runs until every up node's outbox is empty and the heads agree. Returns false when the budget of
   * deliveries runs out or no head moved for `stallMs` of virtual time.
   */
  async settle (budget: number, stallMs = Infinity, adversary?: (step: number) => Promise<void>): Promise<boolean> {
    const up = (): SimNode<S, A>[] => [...this.nodes.values()].filter(n => n.volatile !== undefined)
    let quietRounds = 0
    let lastSeq = -1
    let lastMove = this.clock
    for (let i = 0; i < budget; i++) {
      if (adversary !== undefined) await adversary(i)
      const seq = Math.max(...up().map(n => n.durable.member.head.seq))
      if (seq !== lastSeq) { lastSeq = seq; lastMove = this.clock }
      if (this.clock - lastMove > stallMs) return false
      if (this.queue.length > 0) { await this.deliver(0); continue }
      const idle = up().every(n => n.durable.outbox.length === 0)
      const heads = new Set(up().map(n => n.durable.member.head.hash))
      if (idle && heads.size === 1) return true
      // Periodic anti-entropy (a node asks its peers for certificates it lacks), a bounded number of times.
      if (idle && quietRounds++ < 10) { for (const n of up()) this.antiEntropy(n.key); continue }
      if (!(await this.tick())) return false
    }
    return false
  }

  // ---- checks -------------------------------------------------------------------------------------------------

  /** Safety: never two certificates for one seq, anywhere; every node's log is a prefix of the longest. */
  checkSafety (): void {
    for (const [seq, hashes] of this.certified) {
      if (hashes.size > 1) throw new Error(`two certificates for seq ${seq}: ${[...hashes].join(', ')}`)
    }
    for (const n of this.nodes.values()) {
      n.durable.log.forEach((c, i) => {
        if (c.entry.body.seq !== i + 1) throw new Error(`${n.name}: log out of order at ${i}`)
      })
    }
  }

  /** Every node's certified history verifies offline from the genesis and ends at its head. */
  async checkHistories (): Promise<void> {
    for (const n of this.nodes.values()) {
      const r = await verifyHistory(this.ctx, this.opts.genesis, n.durable.log)
      if (r.head.hash !== n.durable.member.head.hash) throw new Error(`${n.name}: verified head differs from its own`)
    }
  }

  /** Content hashes of every action in the longest certified log. */
  certifiedActions (): Set<string> {
    const longest = [...this.nodes.values()].map(n => n.durable.log).sort((a, b) => b.length - a.length)[0] ?? []
    return new Set(longest.flatMap(c => c.entry.body.actions.map(a => hashOf(a))))
  }

  longestHead (): Head<S> {
    return [...this.nodes.values()].map(n => n.durable.member.head).sort((a, b) => b.seq - a.seq)[0]!
  }

  name (key: string): string { return this.nodes.get(key)!.name }
}
