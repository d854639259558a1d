// A certificate = an entry + approvals, all of ONE round, from each required party's quorum at its seq: the
// fast quorum in round 0, a strict majority in a recovery round (quorum.ts). Certificates are kept forever and
// verify offline against the member set in force at their seq.
import * as v from 'valibot'
import type { SignatureProvider } from '../crypto/provider'
import { MalformedError } from '../errors'
import { verifyAnswer, type Answer } from './answer'
import { verifyHashedEntry, type Entry } from './entry'
import { AnswerMismatchError, DuplicateAnswerError, NoQuorumError, NotAMemberError } from './errors'
import { evaluateHashedEntry, type Evaluation } from './evaluate'
import type { DiaryContext, Head } from './head'
import { fastQuorumWeight, hasFastQuorum, hasMajority, isMember, weightOf, totalWeight } from './quorum'
import { roundKey, sameRound } from './round'
import { CertificateShapeSchema } from './schema'

export interface Certificate<A> {
  entry: Entry<A>
  /** Signed approvals of the entry's hash, one per member, sorted by signer. */
  approvals: Answer[]
}

/** Builds a certificate in its canonical form (approvals sorted by signer, one each). */
export function makeCertificate<A> (entry: Entry<A>, approvals: readonly Answer[]): Certificate<A> {
  const bySigner = new Map<string, Answer>()
  for (const a of approvals) bySigner.set(a.signer, a)
  return { entry, approvals: [...bySigner.values()].sort((a, b) => (a.signer < b.signer ? -1 : a.signer > b.signer ? 1 : 0)) }
}

/** Shape and every signature (state-independent: bulk verification runs this in parallel). */
export async function verifyCertificateSignatures<A> (p: SignatureProvider, cert: unknown): Promise<Certificate<A>> {
  return (await verifyHashedCertificate<A>(p, cert)).certificate
}

export interface HashedCertificate<A> {
  certificate: Certificate<A>
  /** entryHash(certificate.entry). */
  hash: string
}

/** verifyCertificateSignatures, and the entry's hash (computed from the bytes its signature was checked over). */
export async function verifyHashedCertificate<A> (p: SignatureProvider, cert: unknown): Promise<HashedCertificate<A>> {
  // The outer shape only: each envelope's own shape is checked (once) as its signature is.
  const r = v.safeParse(CertificateShapeSchema, cert)
  if (!r.success) throw new MalformedError(`malformed certificate: ${v.summarize(r.issues)}`)
  const [{ entry, hash }, approvals] = await Promise.all([
    verifyHashedEntry<A>(p, r.output.entry),
    Promise.all(r.output.approvals.map(a => verifyAnswer(p, a)))
  ])
  return { certificate: { entry, approvals }, hash }
}

/**
 * Checks signature-verified approvals against an evaluated entry: right entry, members only, once each, all of
 * one round, and per required party the fast quorum (round 0) or a strict majority (a recovery round).
 */
export function checkApprovals<S, A> (ev: Evaluation<S>, entry: Entry<A>, approvals: readonly Answer[]): void {
  const seen = new Set<string>()
  const round = approvals[0]?.body.round
  if (round !== undefined && !isMember(ev.members, round.by)) throw new NotAMemberError(round.by, entry.body.seq)
  for (const a of approvals) {
    const b = a.body
    if (b.verdict !== 'approve') throw new AnswerMismatchError(`a '${b.verdict}' answer counted as an approval`)
    if (b.entry !== ev.hash || b.seq !== entry.body.seq || b.tally !== entry.body.tally) {
      throw new AnswerMismatchError(`approval of ${b.entry} at ${b.seq} counted for ${ev.hash} at ${entry.body.seq}`)
    }
    if (!isMember(ev.members, a.signer)) throw new NotAMemberError(a.signer, b.seq)
    if (!sameRound(b.round, round)) throw new AnswerMismatchError(`approvals of rounds ${roundKey(round)} and ${roundKey(b.round)} in one certificate`)
    if (seen.has(a.signer)) throw new DuplicateAnswerError(a.signer)
    seen.add(a.signer)
  }
  for (const party of ev.parties) {
    const list = ev.members[party]
    const ok = round === undefined ? hasFastQuorum(list, seen) : hasMajority(list, seen)
    if (!ok) {
      const need = round === undefined ? `at least ${fastQuorumWeight(totalWeight(list))} (round 0, fast quorum)` : 'more than half'
      throw new NoQuorumError(entry.body.seq, party, weightOf(list, seen), totalWeight(list), need)
    }
  }
}

/** Full check of an untrusted certificate for the entry after `head`. Returns it and the state after it. */
export async function verifyCertificate<S, A> (ctx: DiaryContext<S, A>, head: Head<S>, cert: unknown): Promise<{ certificate: Certificate<A>, evaluation: Evaluation<S> }> {
  const { certificate, hash } = await verifyHashedCertificate<A>(ctx.provider, cert)
  const evaluation = await evaluateHashedEntry(ctx, head, certificate.entry, hash)
  checkApprovals(evaluation, certificate.entry, certificate.approvals)
  return { certificate, evaluation }
}
