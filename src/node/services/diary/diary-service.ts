// The DiaryService implementation: one Replica per tally, the /mychips/diary/1.0.0 handler, and the wire
// (member key → peer id, addresses, reachability with a short memory of failures).
import { hashOf } from '../../../core/codec/hash'
import { MAX_ENVELOPE_BYTES } from '../../../core/codec/envelope'
import type { Genesis, HeadRef } from '../../../core/diary/head'
import { refOf } from '../../../core/diary/head'
import { initialDurable, type MemberReply } from '../../../core/diary/member'
import { genesisHead } from '../../../core/diary/head'
import { DEFAULT_PROPOSER_CONFIG } from '../../../core/diary/proposer'
import { isChipsError } from '../../../core/errors'
import type { PeerLink } from '../../net/network'
import { Emitter } from '../../net/emitter'
import { RemoteError } from '../../net/errors'
import {
  DIARY_PROTOCOL, MAX_DIARY_MESSAGE_BYTES, MAX_FETCH_CERTIFICATES, decodeDiaryRequest, decodeDiaryResponse, encodeDiaryMessage,
  type DiaryRequest, type DiaryResponse
} from '../../protocols/diary'
import { DiaryStoppedError, GenesisMismatchError, NotATallyMemberError, UnknownTallyError } from './errors'
import { memberOfPeer, peerIdOfMember } from './keys'
import { memoMachine } from './memo'
import { keys, loadCertificates, loadGenesis, loadMember, loadOutbox, putMember } from './records'
import { Replica, type ReplicaHost } from './replica'
import type { DiaryConfig, DiaryEvents, DiaryService, DiaryServiceDeps, OpenOptions, QueuedAction, CertifiedEntry } from './service'
import type { Certificate } from '../../../core/diary/certificate'

export const DEFAULT_DIARY_CONFIG: DiaryConfig = {
  maxBatch: 256,
  maxBatchBytes: MAX_ENVELOPE_BYTES - 8 * 1024,
  handoffTimeoutMs: 5_000,
  retry: { baseMs: 1_000, capMs: 60_000 },
  proposer: { ...DEFAULT_PROPOSER_CONFIG, resendMs: 1_000, maxRounds: 10 },
  unreachableMs: 3_000
}

/** Codes that mean "the member could not be reached", not "the member refused". */
const UNREACHABLE = new Set(['PEER_UNREACHABLE', 'TIMEOUT', 'LINK_LOST', 'NETWORK_STOPPED', 'UNSUPPORTED_PROTOCOL'])

/** Bytes of certificates per fetch response (under the message limit, with room for the envelope). */
const FETCH_BUDGET_BYTES = MAX_DIARY_MESSAGE_BYTES - 16 * 1024

export function createDiaryService<S, A> (deps: DiaryServiceDeps<S, A>): DiaryService<S, A> {
  return new Diaries(deps)
}

class Diaries<S, A> implements DiaryService<S, A> {
  readonly #replicas = new Map<string, Replica<S, A>>()
  readonly #opening = new Map<string, Promise<Replica<S, A>>>()
  readonly #events = new Emitter<DiaryEvents<A>>()
  /** Listeners per event (the replicas skip building an event nobody receives). */
  readonly #listening = new Map<keyof DiaryEvents<A>, number>()
  /** member key → until when it counts as unreachable (Clock ms). */
  readonly #down = new Map<string, number>()
  readonly #config: DiaryConfig
  readonly #host: ReplicaHost<S, A>
  readonly #off: Array<() => void> = []
  #stopped = false

  constructor (private readonly deps: DiaryServiceDeps<S, A>) {
    this.#config = { ...DEFAULT_DIARY_CONFIG, ...deps.config }
    this.#host = {
      // One apply per (state, action) per node, however many times the diary re-evaluates an entry.
      deps: { ...deps, machine: memoMachine(deps.machine) },
      config: this.#config,
      send: async (member, request) => await this.#send(member, request),
      reachable: member => member === deps.identity.key || (this.#down.get(member) ?? 0) <= deps.clock.now(),
      emit: (event, detail) => { this.#events.emit(event, detail) },
      listening: event => (this.#listening.get(event) ?? 0) > 0,
      fatal: (error) => {
        deps.logger.log('error', 'diary.stopped', { code: error.code, message: error.message })
        void this.stop()
      }
    }
    deps.network.handle(DIARY_PROTOCOL, async (request, from) => encodeDiaryMessage(await this.#serve(request, from)), { maxRequestBytes: MAX_DIARY_MESSAGE_BYTES })
    // A member we link to is back: retry what waits for it now rather than at the end of a backoff.
    this.#off.push(deps.network.on('peer:link', link => {
      const member = memberOfPeer(link.peerId)
      if (member === undefined) return
      this.#down.delete(member)
      for (const r of this.#replicas.values()) if (r.isMember(member)) r.wake()
    }))
  }

  // ---------------------------------------------------------------- public API

  async open (genesis: Genesis<S>, options: OpenOptions = {}): Promise<HeadRef> {
    const r = await this.#open(genesis)
    for (const [k, a] of Object.entries(options.addrs ?? {})) r.addrs.set(k, a)
    r.pump()
    return refOf(r.head)
  }

  async #open (genesis: Genesis<S>): Promise<Replica<S, A>> {
    this.#alive()
    const tally = genesis.tally
    const have = this.#replicas.get(tally)
    if (have !== undefined) {
      if (hashOf(have.genesis) !== hashOf(genesis)) throw new GenesisMismatchError(tally)
      return have
    }
    const opening = this.#opening.get(tally)
    if (opening !== undefined) return await opening
    const p = this.#load(tally, genesis)
    this.#opening.set(tally, p)
    try { return await p } finally { this.#opening.delete(tally) }
  }

  async #load (tally: string, given: Genesis<S> | undefined): Promise<Replica<S, A>> {
    const { genesis, durable, outbox } = await this.deps.store.read(async tx => ({
      genesis: await loadGenesis<S>(tx, tally), durable: await loadMember<S, A>(tx, tally), outbox: await loadOutbox<A>(tx, tally)
    }))
    let g = genesis
    let d = durable
    if (g === undefined || d === undefined) {
      if (given === undefined) throw new UnknownTallyError(tally)
      g = given
      d = initialDurable<S, A>(genesisHead(given))
      const rec = d
      await this.deps.store.write(async tx => {
        await tx.put('pending', keys.genesis(tally), given)
        await putMember(tx, tally, rec, true)
      })
    } else if (given !== undefined && hashOf(g) !== hashOf(given)) {
      throw new GenesisMismatchError(tally)
    }
    const r = Replica.restore(this.#host, g, d, outbox)
    this.#replicas.set(tally, r)
    return r
  }

  async resume (): Promise<string[]> {
    this.#alive()
    const rows = await this.deps.store.read(tx => tx.list('pending', keys.geneses))
    const tallies = rows.map(r => r.key.slice(keys.geneses.length))
    for (const t of tallies) {
      if (this.#replicas.has(t)) continue
      const r = await this.#load(t, undefined)
      r.pump()
    }
    return tallies
  }

  tallies (): string[] { return [...this.#replicas.keys()] }

  async submit (tally: string, actions: A[]): Promise<CertifiedEntry> {
    this.#alive()
    return await this.#replica(tally).submit(actions)
  }

  async queued (tally: string): Promise<Array<QueuedAction<A>>> {
    return this.#replica(tally).queued()
  }

  head (tally: string): HeadRef | undefined {
    const r = this.#replicas.get(tally)
    return r === undefined ? undefined : refOf(r.head)
  }

  state (tally: string): S | undefined {
    return this.#replicas.get(tally)?.head.state
  }

  async entries (tally: string, from = 1, limit = Number.MAX_SAFE_INTEGER): Promise<Array<Certificate<A>>> {
    this.#replica(tally)
    return await this.deps.store.read(tx => loadCertificates<A>(tx, tally, from, limit))
  }

  async catchUp (tally: string, fromMember?: string): Promise<HeadRef> {
    this.#alive()
    return await this.#replica(tally).catchUp(fromMember)
  }

  on<K extends keyof DiaryEvents<A>> (event: K, listener: (detail: DiaryEvents<A>[K]) => void): () => void {
    const off = this.#events.on(event, listener)
    this.#listening.set(event, (this.#listening.get(event) ?? 0) + 1)
    let on = true
    return () => {
      if (!on) return
      on = false
      off()
      this.#listening.set(event, (this.#listening.get(event) ?? 1) - 1)
    }
  }

  async stop (): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    this.deps.network.unhandle(DIARY_PROTOCOL)
    for (const off of this.#off) off()
    for (const r of this.#replicas.values()) r.stop()
  }

  #alive (): void {
    if (this.#stopped) throw new DiaryStoppedError()
  }

  #replica (tally: string): Replica<S, A> {
    const r = this.#replicas.get(tally)
    if (r === undefined) throw new UnknownTallyError(tally)
    return r
  }

  // ---------------------------------------------------------------- the wire

  async #send (member: string, request: DiaryRequest): Promise<DiaryResponse> {
    if (this.#stopped) throw new DiaryStoppedError()
    const addrs = this.#replicas.get(request.tally)?.addrs.get(member) ?? this.deps.addrsOf?.(member) ?? []
    try {
      const res = await this.deps.network.request(peerIdOfMember(member), DIARY_PROTOCOL, encodeDiaryMessage(request), {
        addrs, maxResponseBytes: MAX_DIARY_MESSAGE_BYTES
      })
      this.#down.delete(member)
      return decodeDiaryResponse(res.body)
    } catch (err) {
      if (isChipsError(err) && UNREACHABLE.has(err.code)) this.#down.set(member, this.deps.clock.now() + this.#config.unreachableMs)
      // The member refuses this node as a member of the tally (it was replaced): final for the outbox.
      if (err instanceof RemoteError && err.code === 'NOT_A_TALLY_MEMBER') this.#replicas.get(request.tally)?.refusedBy(member, err)
      throw err
    }
  }

  /** Serves one request: validated at the boundary, from a member of the tally only. Throws a named error. */
  async #serve (bytes: Uint8Array, from: PeerLink): Promise<DiaryResponse> {
    if (this.#stopped) throw new DiaryStoppedError()
    const req = decodeDiaryRequest(bytes)
    const r = this.#replica(req.tally)
    const member = memberOfPeer(from.peerId)
    if (member === undefined || !r.isMember(member)) throw new NotATallyMemberError(from.peerId)
    this.#down.delete(member)
    switch (req.t) {
      case 'propose': {
        const input = {
          type: 'propose' as const, entry: req.entry, answers: req.answers,
          ...(req.round !== undefined ? { round: req.round } : {}),
          ...(req.promises !== undefined ? { promises: req.promises } : {}),
          ...(req.votes !== undefined ? { votes: req.votes } : {})
        }
        return this.#reply(r, member, await r.step(input))
      }
      case 'prepare': return this.#reply(r, member, await r.step({ type: 'prepare', seq: req.seq, round: req.round }))
      case 'certificate': return this.#reply(r, member, await r.step({ type: 'certificate', certificate: req.certificate }))
      case 'release': return this.#reply(r, member, await r.step({ type: 'release', proof: req.proof }))
      case 'query': return this.#reply(r, member, await r.step({ type: 'query', seq: req.seq }))
      case 'fetch': {
        const certs = await this.deps.store.read(tx => loadCertificates<A>(tx, req.tally, req.after + 1, Math.min(req.limit, MAX_FETCH_CERTIFICATES)))
        const out: Array<Record<string, unknown>> = []
        let bytes = 0
        for (const c of certs) {
          bytes += JSON.stringify(c).length
          if (bytes > FETCH_BUDGET_BYTES && out.length > 0) break
          out.push(c as unknown as Record<string, unknown>)
        }
        return { t: 'certificates', head: refOf(r.head), certificates: out }
      }
      case 'handoff': {
        // Garbage never gets into a batch: an action that fails the stateless check refuses the whole handoff.
        const check = this.deps.check
        if (check !== undefined) for (const a of req.actions) await check(a)
        return { t: 'accepted', count: r.acceptHandoff(req.actions as A[]) }
      }
    }
  }

  /** A member step's reply as a wire response (an error goes back as its named error). */
  #reply (r: Replica<S, A>, member: string, reply: MemberReply<A>): DiaryResponse {
    const rec = (x: unknown): Record<string, unknown> => x as Record<string, unknown>
    switch (reply.type) {
      case 'answer': return { t: 'answer', answer: rec(reply.answer) }
      case 'behind': this.#behind(r, member); return { t: 'behind', head: reply.head }
      case 'certified': return { t: 'certified', seq: reply.seq }
      case 'applied': return { t: 'applied', head: reply.head }
      case 'released': return { t: 'released', held: reply.held }
      case 'pending': return { t: 'pending', head: reply.head, view: rec(reply.view) }
      case 'promise': return { t: 'promise', promise: rec(reply.promise), ...(reply.entry !== undefined ? { entry: rec(reply.entry) } : {}) }
      case 'outranked': return { t: 'outranked', seq: reply.seq, promised: rec(reply.promised) }
      case 'error': throw reply.error
    }
  }

  /** A member showed us a seq ahead of our head: fetch what we miss from it (in the background). */
  #behind (r: Replica<S, A>, member: string): void {
    void r.catchUp(member).catch((err: unknown) => {
      this.deps.logger.log('info', 'diary.catch-up-failed', { tally: r.tally, code: isChipsError(err) ? err.code : 'INTERNAL' })
    })
  }
}
