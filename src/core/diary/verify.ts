// Offline verification of a diary: from the genesis, or from a checkpoint. Every entry must chain onto the
// previous one, every certificate is checked against the member set in force at its seq, and every action is
// re-applied through the machine. Signatures do not depend on the state, so they are checked in parallel
// batches (WebCrypto parallelises) a batch ahead of the sequential re-application.
import type { Answer } from './answer'
import { checkApprovals, verifyCertificateSignatures, type Certificate } from './certificate'
import { BrokenHistoryError, CheckpointMismatchError, CheckpointUntrustedError, WrongTallyError } from './errors'
import { evaluateEntry, stateDigest } from './evaluate'
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
  /** Certificates whose signatures are checked at once (default 64). */
  batch?: number
}

async function verifyFrom<S, A> (ctx: DiaryContext<S, A>, start: Head<S>, certificates: readonly unknown[], opts: VerifyOptions): Promise<VerifiedHistory<S>> {
  const batch = Math.max(1, opts.batch ?? 64)
  const result: VerifiedHistory<S> = { head: start, entries: 0, signatures: 0, refused: 0 }
  const signatures = (from: number): Promise<Certificate<A>[]> | undefined => {
    if (from >= certificates.length) return undefined
    const p = Promise.all(certificates.slice(from, from + batch).map(c => verifyCertificateSignatures<A>(ctx.provider, c)))
    p.catch(() => undefined) // awaited below; never an unhandled rejection if we stop early
    return p
  }
  let next = signatures(0)
  for (let from = 0; next !== undefined; from += batch) {
    const checked = await next
    next = signatures(from + batch)
    for (const cert of checked) {
      const ev = await evaluateEntry(ctx, result.head, cert.entry)
      checkApprovals(ev, cert.entry, cert.approvals)
      result.head = { seq: cert.entry.body.seq, hash: ev.hash, state: ev.state }
      result.entries++
      result.signatures += 1 + cert.approvals.length
      result.refused += ev.refused.length
    }
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
  const cert = await verifyCertificateSignatures<A>(ctx.provider, start.checkpoint)
  const body = cert.entry.body
  if (body.tally !== ctx.tally) throw new WrongTallyError(ctx.tally, body.tally)
  if (body.checkpoint === undefined) throw new BrokenHistoryError(`entry ${body.seq} is not a checkpoint`)
  const digest = await stateDigest(ctx.machine, start.snapshot)
  if (digest !== body.checkpoint) throw new CheckpointMismatchError(body.seq, digest, body.checkpoint)
  const base: Head<S> = { seq: body.seq - 1, hash: body.prev, state: start.snapshot }
  const ev = await evaluateEntry(ctx, base, cert.entry)
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
