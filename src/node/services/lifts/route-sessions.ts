// The discovery sessions a node has seen (docs/lifts.md §4): whether it is still working on one (a query
// arriving then is a loop, answered with no plans), the answer it gave (served again from here), and the
// sessions it started itself. Bounded in count and in time, so a flood of queries cannot grow it.
import type { RouteAnswer } from '../../../core/lift/types'
import { RouteBusyError } from './route-errors'

export interface SessionEntry {
  /** This node started the discovery: a query coming back is a loop (unless it is the circular target). */
  readonly own: boolean
  /** The depth of the query this entry explores (the originator: its route limit + 1). */
  readonly depth: number
  /** The answer, once the exploration finished. */
  answer?: RouteAnswer
  /** When the entry may be forgotten (ms since epoch). */
  expires: number
  /** Shallower queries explored on their own while this exploration ran. */
  extra: number
  /** Settles with the answer (undefined: none, e.g. the node's own discovery or a failure) when the exploration ends. */
  readonly settled: Promise<RouteAnswer | undefined>
}

interface RunningEntry extends SessionEntry {
  resolve: (answer: RouteAnswer | undefined) => void
}

export interface SessionLimits {
  /** Sessions remembered at once (finished ones are evicted oldest first). */
  maxSessions: number
  /** Explorations running at once; more are refused with ROUTE_BUSY. */
  maxRunning: number
  /** How long a finished answer is kept, ms. */
  keepMs: number
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxSessions: 4096, maxRunning: 256, keepMs: 60_000 }

export class RouteSessions {
  /** Insertion order = age: the oldest finished entry is evicted first. */
  readonly #entries = new Map<string, SessionEntry>()
  readonly #running = new Map<SessionEntry, RunningEntry>()

  constructor (readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS) {}

  get size (): number { return this.#entries.size }
  get running (): number { return this.#running.size }

  get (session: string, now: number): SessionEntry | undefined {
    const e = this.#entries.get(session)
    if (e !== undefined && e.expires <= now && !this.#running.has(e)) {
      this.#entries.delete(session)
      return undefined
    }
    return e
  }

  /** Starts an exploration (replacing an older, shallower one of the same session). Throws RouteBusyError. */
  begin (session: string, own: boolean, depth: number, until: number, now: number): SessionEntry {
    if (this.#running.size >= this.limits.maxRunning) throw new RouteBusyError(this.limits.maxRunning)
    this.#entries.delete(session)
    this.#makeRoom(now)
    let resolve: (answer: RouteAnswer | undefined) => void = () => {}
    const settled = new Promise<RouteAnswer | undefined>(r => { resolve = r })
    const entry: RunningEntry = { own, depth, expires: until + this.limits.keepMs, extra: 0, settled, resolve }
    this.#entries.set(session, entry)
    this.#running.set(entry, entry)
    return entry
  }

  /** Records the answer of a finished exploration (kept only while the entry is still the session's). */
  finish (entry: SessionEntry, answer: RouteAnswer | undefined, now: number): void {
    const running = this.#running.get(entry)
    this.#running.delete(entry)
    if (answer !== undefined) entry.answer = answer
    entry.expires = now + this.limits.keepMs
    running?.resolve(answer)
  }

  #makeRoom (now: number): void {
    if (this.#entries.size < this.limits.maxSessions) return
    for (const [session, e] of this.#entries) {
      if (e.expires <= now && !this.#running.has(e)) this.#entries.delete(session)
    }
    for (const [session, e] of this.#entries) {
      if (this.#entries.size < this.limits.maxSessions) break
      if (!this.#running.has(e)) this.#entries.delete(session)
    }
  }
}
