// Rounds (Fast-Paxos style). Round 0 is the "fast" round: any member may propose, and a certificate needs the
// FAST quorum of each required party. A recovery round r ≥ 1 belongs to one proposer: it is (n, by) with `by`
// the proposer's key, so two proposers never share a round; rounds are ordered by n, then by key. A record
// without a round is of round 0 (every record from before rounds existed stays valid).

export interface Round {
  /** ≥ 1. */
  n: number
  /** The recovery proposer's node key (base64url). */
  by: string
}

/** Orders rounds; undefined is round 0. Negative when a < b. */
export function compareRounds (a: Round | undefined, b: Round | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1)
  if (a.n !== b.n) return a.n - b.n
  return a.by < b.by ? -1 : a.by > b.by ? 1 : 0
}

export function sameRound (a: Round | undefined, b: Round | undefined): boolean {
  return compareRounds(a, b) === 0
}

/** The higher of two rounds. */
export function maxRound (a: Round | undefined, b: Round | undefined): Round | undefined {
  return compareRounds(a, b) >= 0 ? a : b
}

/** A printable key: '0' for round 0, else 'n.by'. */
export function roundKey (r: Round | undefined): string {
  return r === undefined ? '0' : `${r.n}.${r.by}`
}

/** The key a member stores its answer under: the bare hash in round 0 (as before rounds), `hash@n.by` after. */
export function answerKey (hash: string, r: Round | undefined): string {
  return r === undefined ? hash : `${hash}@${roundKey(r)}`
}

/** `{ round }` when r is a recovery round, `{}` for round 0 (round 0 is the field absent, never `undefined`). */
export function roundField (r: Round | undefined): { round?: Round } {
  return r === undefined ? {} : { round: { n: r.n, by: r.by } }
}
