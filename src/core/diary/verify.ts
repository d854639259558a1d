// Offline verification of a diary: from the genesis, or from a checkpoint. Every entry must chain onto the
// previous one, every certificate is checked against the member set in force at its seq, and every action is
// re-applied through the machine. Signatures do not depend on the state, so they are checked ahead of the
// sequential re-application, a sliding window of certificates in flight (WebCrypto verifies in parallel off
// the main thread): as each certificate is taken in seq order, the one `window` places later is started, so
// the verifiers never run dry while entries are re-applied.
import type { Answer } from './answer'
import { checkApprovals, verifyHashedCertificate, type Certificate, type HashedCertificate } from './certificate'
import { BrokenHistoryError, CheckpointMismatchError, CheckpointUntrustedError, WrongTallyError } from './errors'
import { evaluateHashedEntry, stateDigest } from './evaluate'
import type { DiaryContext, Genesis, Head } from './head'
import { genesisHead } from './head'
import type { MemberSet } from './machine'
import { hasMajority, PARTIES } from './quorum'

export interface VerifiedHistory<S> {
  /** The head after the last certificate, with the machine state. */
  head: Head<S>
  entries: number
  /** Ed25519 signatures checked (author + approvals). */
  signatures: number
  /** Actions recorded with a refusal. */
  refused: number
}

export interface VerifyOptions {
  /**
   * Certificates whose signatures are in flight at once, ahead of the re-application (default 16: enough to
   * keep the verifiers busy; a longer window only keeps more garbage alive, which costs collection time).
   */
  batch?: number
}

async function verifyFrom<S, A> (ctx: DiaryContext<S, A>, start: Head<S>, certificates: readonly unknown[], opts: VerifyOptions): Promise<VerifiedHistory<S>> {
  const window = Math.max(1, opts.batch ?? 16)
  const n = certificates.length
  const result: VerifiedHistory<S> = { head: start, entries: 0, signatures: 0, refused: 0 }
  // ring[i % window] holds certificate i's signature check from when i − window was taken until i is.
  const ring = new Array<Promise<HashedCertificate<A>>>(Math.min(window, n))
  const launch = (i: number): void => {
    const p = verifyHashedCertificate<A>(ctx.provider, certificates[i])
    p.catch(() => undefined) // awaited in order below; never an unhandled rejection if we stop early
    ring[i % window] = p
  }
  let started = 0
  for (; started < ring.length; started++) launch(started)
  for (let i = 0; i < n; i++) {
    const { certificate: cert, hash } = await ring[i % window]!
    if (started < n) launch(started++)
    const ev = await evaluateHashedEntry(ctx, result.head, cert.entry, hash)
    checkApprovals(ev, cert.entry, cert.approvals)
    result.head = { seq: cert.entry.body.seq, hash: ev.hash, state: ev.state }
    result.entries++
    result.signatures += 1 + cert.approvals.length
    result.refused += ev.refused.length
  }
  return result
}

/** Verifies a whole history from the genesis (certificates in seq order from 1). Throws a named error at the first fault. */
export async function verifyHistory<S, A> (ctx: DiaryContext<S, A>, genesis: Genesis<S>, certificates: readonly unknown[], opts: VerifyOptions = {}): Promise<VerifiedHistory<S>> {
  if (genesis.tally !== ctx.tally) throw new WrongTallyError(ctx.tally, genesis.tally)
  return await verifyFrom(ctx, genesisHead(genesis), certificates, opts)
}

/** Index of the last checkpoint entry in a list of certificates, or -1. */
export function latestCheckpoint<A> (certificates: readonly Certificate<A>[]): number {
  for (let i = certificates.length - 1; i >= 0; i--) if (certificates[i]!.entry.body.checkpoint !== undefined) return i
  return -1
}

export interface CheckpointStart<S> {
  /** The state the checkpoint entry builds on (after seq − 1), from anyone: its digest is checked. */
  snapshot: S
  /** The checkpoint entry's certificate. */
  checkpoint: unknown
}

/**
 * Catch-up from a checkpoint: verifies that the snapshot is the state the checkpoint certifies, that the
 * checkpoint is approved by a strict majority of each party of BOTH the member set in force and the member
 * set the verifier already trusts (its last verified state, or the set its own party told it), then verifies
 * the later certificates as usual. CheckpointUntrustedError means: fall back to verifying from an older point.
 */
export async function verifyFromCheckpoint<S, A> (ctx: DiaryContext<S, A>, trusted: MemberSet, start: CheckpointStart<S>, later: readonly unknown[], opts: VerifyOptions = {}): Promise<VerifiedHistory<S>> {
  const { certificate: cert, hash } = await verifyHashedCertificate<A>(ctx.provider, start.checkpoint)
  const body = cert.entry.body
  if (body.tally !== ctx.tally) throw new WrongTallyError(ctx.tally, body.tally)
  if (body.checkpoint === undefined) throw new BrokenHistoryError(`entry ${body.seq} is not a checkpoint`)
  const digest = await stateDigest(ctx.machine, start.snapshot)
  if (digest !== body.checkpoint) throw new CheckpointMismatchError(body.seq, digest, body.checkpoint)
  const base: Head<S> = { seq: body.seq - 1, hash: body.prev, state: start.snapshot }
  const ev = await evaluateHashedEntry(ctx, base, cert.entry, hash)
  checkApprovals(ev, cert.entry, cert.approvals)
  if (!vouchedBy(trusted, cert.approvals)) throw new CheckpointUntrustedError(body.seq)
  const head: Head<S> = { seq: body.seq, hash: ev.hash, state: ev.state }
  const rest = await verifyFrom(ctx, head, later, opts)
  return { ...rest, entries: rest.entries + 1, signatures: rest.signatures + 1 + cert.approvals.length, refused: rest.refused + ev.refused.length }
}

function vouchedBy (trusted: MemberSet, approvals: readonly Answer[]): boolean {
  const approvers = new Set(approvals.map(a => a.signer))
  return PARTIES.every(p => trusted[p].length > 0 && hasMajority(trusted[p], approvers))
}
