// The pending entries at one seq (head.seq + 1) and every signed answer seen for them. A member keeps one
// (volatile) to answer queries and for partial sync; a proposer keeps one to collect answers. From it a node
// can assemble a certificate or a release proof for ANY entry it holds, not only its own: so a crashed author
// never freezes the tally.
import * as v from 'valibot'
import { MalformedError } from '../errors'
import { isStickyRefusal, verifyAnswer, type Answer } from './answer'
import { makeCertificate, type Certificate } from './certificate'
import { entryHash, verifyEntrySignature, type Entry } from './entry'
import { AnswerMismatchError, NotAMemberError, SeqGapError, WrongTallyError } from './errors'
import { membersOf } from './evaluate'
import type { DiaryContext, Head } from './head'
import type { MemberSet, Party } from './machine'
import { decide, isMember, requiredParties, roundBlocked, type Decision } from './quorum'
import type { ReleaseProof } from './release'
import { roundKey, type Round } from './round'

/** What a node tells another about a pending seq (query reply, partial sync). Untrusted on arrival. */
export interface PendingView<A> {
  seq: number
  entries: Entry<A>[]
  answers: Answer[]
  /** The entry the sending member holds a reservation for right now (a driver pushes only live reservations). */
  reserved?: string
}

const ViewSchema = v.strictObject({
  seq: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  entries: v.pipe(v.array(v.unknown()), v.maxLength(64)),
  answers: v.pipe(v.array(v.unknown()), v.maxLength(1024)),
  reserved: v.optional(v.pipe(v.string(), v.length(43)))
})

/** Pending entries kept per seq (each member authors a handful at most while races resolve). */
export const MAX_POOL_ENTRIES = 64

export interface Judgement<A> extends Decision {
  /** No certificate can form in the judged round any more (the rest cannot make its quorum): time for a recovery round. */
  blocked: boolean
  /** Approvals in the judged round. */
  approvals: Answer[]
  /** Refusals that count against the judged round: its conflicts and the sticky refusals of any round. */
  refusals: Answer[]
  certificate?: Certificate<A>
  proof?: ReleaseProof<A>
}

export class PendingPool<S, A> {
  readonly seq: number
  private readonly members: MemberSet
  private readonly entries = new Map<string, Entry<A>>()
  private readonly parties = new Map<string, Party[]>()
  /** entry hash → round key → signer → answer (the first one seen; a member gives one answer per entry and round). */
  private readonly answers = new Map<string, Map<string, Map<string, Answer>>>()

  constructor (private readonly ctx: DiaryContext<S, A>, private readonly head: Head<S>) {
    this.seq = head.seq + 1
    this.members = membersOf(ctx.machine, head.state)
  }

  /** Adds an entry whose signature was already verified (by a member, for this seq). Returns its hash. */
  addVerifiedEntry (entry: Entry<A>): string {
    if (entry.body.tally !== this.ctx.tally) throw new WrongTallyError(this.ctx.tally, entry.body.tally)
    if (entry.body.seq !== this.seq) throw new SeqGapError(entry.body.seq, this.seq)
    if (!isMember(this.members, entry.body.author)) throw new NotAMemberError(entry.body.author, entry.body.seq)
    const hash = entryHash(entry)
    // Bounded: only members author entries, and a pending seq rarely holds more than a few.
    if (!this.entries.has(hash) && this.entries.size < MAX_POOL_ENTRIES) this.entries.set(hash, entry)
    return hash
  }

  async addEntry (entry: unknown): Promise<string> {
    return this.addVerifiedEntry(await verifyEntrySignature<A>(this.ctx.provider, entry))
  }

  /** Adds an answer whose signature was already verified; it must be from a member, for this seq. */
  addVerifiedAnswer (answer: Answer): void {
    const b = answer.body
    if (b.tally !== this.ctx.tally) throw new WrongTallyError(this.ctx.tally, b.tally)
    if (b.seq !== this.seq) throw new AnswerMismatchError(`answer for seq ${b.seq} in the pool for ${this.seq}`)
    if (!isMember(this.members, answer.signer)) throw new NotAMemberError(answer.signer, b.seq)
    let byRound = this.answers.get(b.entry)
    if (byRound === undefined) { byRound = new Map(); this.answers.set(b.entry, byRound) }
    const rk = roundKey(b.round)
    let bySigner = byRound.get(rk)
    if (bySigner === undefined) { bySigner = new Map(); byRound.set(rk, bySigner) }
    if (!bySigner.has(answer.signer)) bySigner.set(answer.signer, answer)
  }

  async addAnswer (answer: unknown): Promise<Answer> {
    const a = await verifyAnswer(this.ctx.provider, answer)
    this.addVerifiedAnswer(a)
    return a
  }

  /** Merges an untrusted view; items that fail verification are skipped and counted. */
  async merge (view: unknown): Promise<{ added: number, skipped: number }> {
    const r = v.safeParse(ViewSchema, view)
    if (!r.success) throw new MalformedError(`malformed pending view: ${v.summarize(r.issues)}`)
    if (r.output.seq !== this.seq) return { added: 0, skipped: r.output.entries.length + r.output.answers.length }
    let added = 0
    let skipped = 0
    const results = await Promise.allSettled([...r.output.entries.map(e => this.addEntry(e)), ...r.output.answers.map(a => this.addAnswer(a))])
    for (const x of results) {
      if (x.status === 'fulfilled') added++
      else skipped++
    }
    return { added, skipped }
  }

  /** The member set in force at this seq. */
  membersInForce (): MemberSet {
    return this.members
  }

  entry (hash: string): Entry<A> | undefined {
    return this.entries.get(hash)
  }

  hashes (): string[] {
    return [...this.entries.keys()]
  }

  /** The answers to one entry in one round (round 0 when absent). */
  answersFor (hash: string, round?: Round): Answer[] {
    return [...(this.answers.get(hash)?.get(roundKey(round))?.values() ?? [])]
  }

  /** Who answered this entry in this round, or refused it stickily in any round (they need no resend). */
  answeredBy (hash: string, round?: Round): Set<string> {
    return new Set([...this.answersFor(hash, round), ...this.stickyFor(hash)].map(a => a.signer))
  }

  /** Sticky refusals (reject, stale) of an entry in any round, one per signer. */
  stickyFor (hash: string): Answer[] {
    const bySigner = new Map<string, Answer>()
    for (const m of this.answers.get(hash)?.values() ?? []) for (const a of m.values()) if (isStickyRefusal(a) && !bySigner.has(a.signer)) bySigner.set(a.signer, a)
    return [...bySigner.values()]
  }

  /** The rounds in which this entry has answers (undefined = round 0). */
  roundsOf (hash: string): Array<Round | undefined> {
    const out: Array<Round | undefined> = []
    for (const m of this.answers.get(hash)?.values() ?? []) {
      const first = m.values().next().value
      if (first !== undefined) out.push(first.body.round)
    }
    return out
  }

  view (): PendingView<A> {
    return {
      seq: this.seq,
      entries: [...this.entries.values()],
      answers: [...this.answers.values()].flatMap(r => [...r.values()].flatMap(m => [...m.values()]))
    }
  }

  /**
   * Where the answers for one entry stand in one round: a certificate (the round's quorum of approvals), a
   * release proof (sticky refusals rule out a strict majority in every round), blocked in this round, or open.
   * `alsoRefusing`: members known not to answer this round (they promised a higher one): liveness only.
   */
  async judge (hash: string, round?: Round, alsoRefusing: ReadonlySet<string> = new Set()): Promise<Judgement<A>> {
    const inRound = this.answersFor(hash, round)
    const approvals = inRound.filter(a => a.body.verdict === 'approve')
    const sticky = this.stickyFor(hash)
    const stickySigners = new Set(sticky.map(a => a.signer))
    const refusals = [...sticky, ...inRound.filter(a => a.body.verdict === 'conflict' && !stickySigners.has(a.signer))]
    const entry = this.entries.get(hash)
    if (entry === undefined) return { certified: false, dead: false, blocked: false, approvals, refusals }
    let parties = this.parties.get(hash)
    if (parties === undefined) {
      parties = await requiredParties(this.ctx.machine, this.head.state, entry.body.actions)
      this.parties.set(hash, parties)
    }
    const d = decide(this.members, parties, new Set(approvals.map(a => a.signer)), stickySigners, round === undefined)
    const against = new Set([...refusals.map(a => a.signer), ...alsoRefusing])
    for (const a of approvals) against.delete(a.signer)
    const j: Judgement<A> = { ...d, blocked: d.dead || roundBlocked(this.members, parties, against, round === undefined), approvals, refusals }
    if (d.certified) j.certificate = makeCertificate(entry, approvals)
    else if (d.dead) j.proof = { entry, refusals: sticky }
    return j
  }

  /** A certificate some entry's answers already make, in any round (partial sync), or undefined. */
  async anyCertificate (): Promise<Certificate<A> | undefined> {
    for (const hash of this.hashes()) {
      for (const round of this.roundsOf(hash)) {
        const j = await this.judge(hash, round)
        if (j.certificate !== undefined) return j.certificate
      }
    }
    return undefined
  }
}
