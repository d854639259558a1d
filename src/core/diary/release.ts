// A release proof shows that an entry can never be certified IN ANY ROUND, so members may drop their
// reservation for it (never on a timer): either a certificate for another entry at the same seq, or STICKY
// refusals of this entry (reject: it breaks a rule; stale: the seq is certified) weighing at least half of some
// required party: those members never approve it in any round, so no strict majority (and no fast quorum, which
// is larger) is left. Conflicts do not count: a member that had a conflict may approve the entry in a recovery
// round. A lost race is settled by a recovery round instead (proposer.ts).
import * as v from 'valibot'
import { MalformedError } from '../errors'
import { isStickyRefusal, verifyAnswer, type Answer } from './answer'
import { verifyCertificate, type Certificate } from './certificate'
import { entryHash, verifyEntrySignature, type Entry } from './entry'
import { AnswerMismatchError, DuplicateAnswerError, NotAMemberError, ReleaseWithoutProofError, WrongTallyError } from './errors'
import { membersOf } from './evaluate'
import type { DiaryContext, Head } from './head'
import { decide, isMember, requiredParties } from './quorum'
import { ReleaseProofSchema } from './schema'

export interface ReleaseProof<A> {
  /** The entry that can never be certified. */
  entry: Entry<A>
  /** Signed stale / reject answers for that entry (conflicts are not counted). */
  refusals: Answer[]
  /** Or: a certificate for another entry at the same seq. */
  certificate?: Certificate<A>
}

/**
 * Verifies an untrusted release proof for an entry at head.seq + 1 (the seq a member can hold a reservation
 * for). Throws ReleaseWithoutProofError when it does not rule out a certificate, or another named error.
 */
export async function verifyReleaseProof<S, A> (ctx: DiaryContext<S, A>, head: Head<S>, proof: unknown): Promise<ReleaseProof<A>> {
  const r = v.safeParse(ReleaseProofSchema, proof)
  if (!r.success) throw new MalformedError(`malformed release proof: ${v.summarize(r.issues)}`)
  const entry = await verifyEntrySignature<A>(ctx.provider, r.output.entry)
  const hash = entryHash(entry)
  const seq = entry.body.seq
  if (entry.body.tally !== ctx.tally) throw new WrongTallyError(ctx.tally, entry.body.tally)
  if (seq !== head.seq + 1) throw new ReleaseWithoutProofError(seq, hash, `the proof is for seq ${seq}, reservations are held at ${head.seq + 1}`)

  if (r.output.certificate !== undefined) {
    const { certificate } = await verifyCertificate<S, A>(ctx, head, r.output.certificate)
    if (entryHash(certificate.entry) === hash) throw new ReleaseWithoutProofError(seq, hash, 'the certificate is for this very entry')
    return { entry, refusals: [], certificate }
  }

  const refusals = await Promise.all(r.output.refusals.map(a => verifyAnswer(ctx.provider, a)))
  const members = membersOf(ctx.machine, head.state)
  const refusers = new Set<string>()
  const seen = new Set<string>()
  for (const a of refusals) {
    const b = a.body
    if (b.verdict === 'approve') throw new AnswerMismatchError('an approval counted as a refusal')
    if (b.entry !== hash || b.seq !== seq || b.tally !== ctx.tally) throw new AnswerMismatchError(`refusal of ${b.entry} at ${b.seq} counted for ${hash} at ${seq}`)
    if (!isMember(members, a.signer)) throw new NotAMemberError(a.signer, seq)
    if (seen.has(a.signer)) throw new DuplicateAnswerError(a.signer)
    seen.add(a.signer)
    if (isStickyRefusal(a)) refusers.add(a.signer)
  }
  const parties = await requiredParties(ctx.machine, head.state, entry.body.actions)
  if (!decide(members, parties, new Set(), refusers).dead) {
    throw new ReleaseWithoutProofError(seq, hash, `sticky refusals (reject, stale) from ${refusers.size} member(s) leave a majority possible; conflicts do not count`)
  }
  return { entry, refusals }
}
