// The marks of circular discoveries a node has seen (protocols/route.ts, /mychips/route-mark/1.0.0): per
// session, how many legs this node is from the originator and, for each tally it can give on, how many legs
// that partner is. A query's sender reads them to ask only partners that can close the cycle in time.
// Bounded in count (oldest first) and in time, so a flood of marks cannot grow it.

/** Circular discoveries mark nodes up to this many legs from their originator (a protocol constant: a sender
 * that knows no distance for a partner takes it to be more than this). */
export const CIRCULAR_MARK_RADIUS = 4

export interface MarkLimits {
  /** Sessions remembered at once (the oldest is forgotten first). */
  maxSessions: number
  /** How long a session's marks are kept after the last one arrived, ms. */
  keepMs: number
}

export const DEFAULT_MARK_LIMITS: MarkLimits = { maxSessions: 4096, keepMs: 60_000 }

interface SessionMarks {
  /** Legs from this node to the originator (the least seen); 0 on the originator. */
  dist?: number
  /** Legs from each partner this node can give to (by tally id) to the originator. */
  partners: Map<string, number>
  expires: number
}

export class RouteMarks {
  /** Insertion order = last use: the first entry is the oldest. */
  readonly #sessions = new Map<string, SessionMarks>()

  constructor (readonly limits: MarkLimits = DEFAULT_MARK_LIMITS) {}

  get size (): number { return this.#sessions.size }

  /** This node's distance in the session, if marked. */
  dist (session: string, now: number): number | undefined {
    return this.#get(session, now)?.dist
  }

  /** The distance of the partner on `tally`, if it marked this node. */
  partner (session: string, tally: string, now: number): number | undefined {
    return this.#get(session, now)?.partners.get(tally)
  }

  /** Records the partner's distance (the least); returns whether this node's own distance improved to dist + 1. */
  mark (session: string, tally: string, dist: number, now: number): boolean {
    const s = this.#touch(session, now)
    const known = s.partners.get(tally)
    if (known === undefined || dist < known) s.partners.set(tally, dist)
    return this.#improve(s, dist + 1)
  }

  /** The originator of a circular discovery: distance 0. */
  origin (session: string, now: number): void {
    this.#improve(this.#touch(session, now), 0)
  }

  #improve (s: SessionMarks, dist: number): boolean {
    if (s.dist !== undefined && s.dist <= dist) return false
    s.dist = dist
    return true
  }

  #get (session: string, now: number): SessionMarks | undefined {
    const s = this.#sessions.get(session)
    if (s !== undefined && s.expires <= now) {
      this.#sessions.delete(session)
      return undefined
    }
    return s
  }

  #touch (session: string, now: number): SessionMarks {
    let s = this.#get(session, now)
    if (s === undefined) {
      while (this.#sessions.size >= this.limits.maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!)
      s = { partners: new Map(), expires: 0 }
    } else {
      this.#sessions.delete(session)
    }
    s.expires = now + this.limits.keepMs
    this.#sessions.set(session, s)
    return s
  }
}
