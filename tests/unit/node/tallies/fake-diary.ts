// A small fake of the DiaryService interface (src/node/services/diary/service.ts) for the tally service's
// unit tests: one shared, in-memory "ledger" per test stands for the certified diary both members agree on.
// It applies the REAL tally machine (signatures, key chain, limits), so every refusal is the core's; what
// it does not model is replication itself (quorum, approvals, catch-up), which the diary service tests cover.
// A member can be taken offline: actions that need it stay queued ('partner') until it comes back.
import { hashOf } from '../../../../src/core/codec/hash'
import type { Certificate } from '../../../../src/core/diary/certificate'
import type { Genesis, HeadRef } from '../../../../src/core/diary/head'
import type { TallyAction } from '../../../../src/core/chit/types'
import { tallyMachine } from '../../../../src/core/tally/machine'
import type { TallyState } from '../../../../src/core/tally/state'
import type { SignatureProvider } from '../../../../src/core/crypto/provider'
import { canonicalJson } from '../../../../src/core/codec/canonical'
import { Emitter } from '../../../../src/node/net/emitter'
import type { CertifiedEntry, DiaryEvents, QueuedAction } from '../../../../src/node/services/diary/service'
import type { TallyDiary } from '../../../../src/node/services/tallies/deps'

interface Book {
  genesis: Genesis<TallyState>
  state: TallyState
  certs: Array<Certificate<TallyAction>>
  queue: Array<QueuedAction<TallyAction> & { owner: string, done: (e: CertifiedEntry) => void, fail: (e: unknown) => void }>
}

export class FakeLedger {
  readonly books = new Map<string, Book>()
  readonly offline = new Set<string>()
  readonly opened = new Map<string, Set<string>>()
  readonly diaries = new Set<FakeDiary>()
  readonly machine
  #chain: Promise<unknown> = Promise.resolve()

  constructor (crypto: SignatureProvider) { this.machine = tallyMachine(crypto) }

  diary (memberKey: string, clock: () => number): FakeDiary {
    const d = new FakeDiary(this, memberKey, clock)
    this.diaries.add(d)
    return d
  }

  setOnline (memberKey: string, online: boolean): Promise<void> {
    if (online) this.offline.delete(memberKey)
    else this.offline.add(memberKey)
    return this.flushAll()
  }

  async flushAll (): Promise<void> {
    for (const tally of this.books.keys()) await this.serial(async () => { await this.flush(tally) })
  }

  serial<T> (fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn, fn)
    this.#chain = next.catch(() => undefined)
    return next
  }

  reachable (book: Book): boolean {
    return [...book.state.stock.members, ...book.state.foil.members].every(m => !this.offline.has(m.key))
  }

  async flush (tally: string): Promise<void> {
    const book = this.books.get(tally)!
    if (book.queue.length === 0 || !this.reachable(book) || this.offline.has(book.queue[0]!.owner)) return
    const batch = book.queue.splice(0)
    const actions: TallyAction[] = []
    const refused: Array<{ index: number, code: string }> = []
    let state = book.state
    const accepted: typeof batch = []
    for (const q of batch) {
      try {
        const r = await this.machine.apply(state, q.action)
        state = r.state
        if (r.refusal !== undefined) refused.push({ index: actions.length, code: r.refusal.code })
        actions.push(q.action)
        accepted.push(q)
      } catch (err) {
        q.fail(err)
        this.emit(tally, 'failed', { tally, ids: [q.id], error: err as never })
      }
    }
    if (actions.length === 0) { this.emit(tally, 'queued', { tally, queued: [] }); return }
    const seq = book.certs.length + 1
    const prev = seq === 1 ? book.genesis.hash : hashOf(book.certs.at(-1)!.entry.body)
    const body = { tally, seq, prev, author: batch[0]!.owner, attempt: 0, actions, refused }
    const cert = { entry: { v: 1 as const, type: 'diary.entry', body, signer: body.author, sig: 'fake' }, approvals: [] }
    book.certs.push(cert)
    book.state = state
    const hash = hashOf(body)
    this.emit(tally, 'certified', { tally, seq, hash, author: body.author, actions, refused })
    this.emit(tally, 'queued', { tally, queued: [] })
    accepted.forEach((q, index) => {
      const r = refused.find(x => x.index === index)
      q.done({ tally, outcomes: [{ id: q.id, seq, entry: hash, index, ...(r !== undefined ? { refused: r.code } : {}) }], head: { seq, hash } })
    })
  }

  emit<K extends keyof DiaryEvents<TallyAction>> (tally: string, event: K, detail: DiaryEvents<TallyAction>[K]): void {
    for (const d of this.diaries) if (d.keeps(tally)) d.events.emit(event, detail)
  }
}

export class FakeDiary implements TallyDiary {
  readonly events = new Emitter<DiaryEvents<TallyAction>>()
  stopped = false
  constructor (private readonly ledger: FakeLedger, readonly memberKey: string, private readonly now: () => number) {}

  keeps (tally: string): boolean { return !this.stopped && (this.ledger.opened.get(this.memberKey)?.has(tally) ?? false) }

  async open (genesis: Genesis<TallyState>): Promise<HeadRef> {
    let book = this.ledger.books.get(genesis.tally)
    if (book === undefined) {
      book = { genesis, state: genesis.state, certs: [], queue: [] }
      this.ledger.books.set(genesis.tally, book)
    } else if (canonicalJson(book.genesis) !== canonicalJson(genesis)) throw new Error('another genesis for this tally')
    const set = this.ledger.opened.get(this.memberKey) ?? new Set()
    set.add(genesis.tally)
    this.ledger.opened.set(this.memberKey, set)
    return this.head(genesis.tally)!
  }

  async resume (): Promise<string[]> { return this.tallies() }
  tallies (): string[] { return [...this.ledger.opened.get(this.memberKey) ?? []] }

  async submit (tally: string, actions: TallyAction[]): Promise<CertifiedEntry> {
    const book = this.ledger.books.get(tally)
    if (book === undefined || !this.keeps(tally)) throw Object.assign(new Error('unknown tally'), { code: 'UNKNOWN_TALLY' })
    const results = await Promise.all(actions.map(async action => await new Promise<CertifiedEntry>((resolve, reject) => {
      book.queue.push({ tally, id: hashOf(action), action, queuedAt: this.now(), reason: this.ledger.reachable(book) ? 'pending' : 'partner', attempts: 0, owner: this.memberKey, done: resolve, fail: reject })
      this.ledger.emit(tally, 'queued', { tally, queued: book.queue })
      void this.ledger.serial(async () => { await this.ledger.flush(tally) })
    })))
    return { tally, outcomes: results.flatMap(r => r.outcomes), head: results.at(-1)!.head }
  }

  async queued (tally: string): Promise<Array<QueuedAction<TallyAction>>> {
    return (this.ledger.books.get(tally)?.queue ?? []).filter(q => q.owner === this.memberKey)
      .map(({ tally, id, action, queuedAt, reason, attempts }) => ({ tally, id, action, queuedAt, reason, attempts }))
  }

  head (tally: string): HeadRef | undefined {
    const book = this.ledger.books.get(tally)
    if (book === undefined || !this.keeps(tally)) return undefined
    const last = book.certs.at(-1)
    return last === undefined ? { seq: 0, hash: book.genesis.hash } : { seq: last.entry.body.seq, hash: hashOf(last.entry.body) }
  }

  state (tally: string): TallyState | undefined { return this.keeps(tally) ? this.ledger.books.get(tally)?.state : undefined }

  async entries (tally: string, from = 1, limit = Number.MAX_SAFE_INTEGER): Promise<Array<Certificate<TallyAction>>> {
    return (this.ledger.books.get(tally)?.certs ?? []).slice(from - 1, from - 1 + limit)
  }

  async catchUp (tally: string): Promise<HeadRef> { return this.head(tally)! }

  on<K extends keyof DiaryEvents<TallyAction>> (event: K, listener: (detail: DiaryEvents<TallyAction>[K]) => void): () => void {
    return this.events.on(event, listener)
  }

  async stop (): Promise<void> { this.stopped = true }
}
