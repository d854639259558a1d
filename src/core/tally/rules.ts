// The static rules of a tally document: terms, trading variables, members. Each violation is a named error.
import * as v from 'valibot'
import type { Member } from '../diary/machine'
import { MalformedError } from '../errors'
import { InvalidMembersError, InvalidTermsError, InvalidTradingVariablesError } from './errors'
import { MAX_UNITS, PPM, TallyDocSchema } from './schema'
import type { TallyDoc, Terms, TradingVars } from './types'

export const MAX_CALL_DAYS = 3650

export function checkTerms (t: Terms): void {
  if (!Number.isSafeInteger(t.limit) || t.limit < 0 || t.limit > MAX_UNITS) throw new InvalidTermsError(`limit must be 0..${MAX_UNITS} units`)
  if (!Number.isSafeInteger(t.call) || t.call < 0 || t.call > MAX_CALL_DAYS) throw new InvalidTermsError(`call must be 0..${MAX_CALL_DAYS} days`)
}

/** 0 ≤ target ≤ bound ≤ MAX_UNITS; reward, clutch ∈ [−1, 1] in ppm; reward + clutch ≥ 0. */
export function checkTradingVars (t: TradingVars): void {
  const ints = [t.target, t.bound, t.reward, t.clutch]
  if (!ints.every(Number.isSafeInteger)) throw new InvalidTradingVariablesError('trading variables are integers (units; ppm for reward and clutch)')
  if (t.target < 0) throw new InvalidTradingVariablesError('target must be ≥ 0')
  if (t.target > t.bound) throw new InvalidTradingVariablesError('target must be ≤ bound')
  if (t.bound > MAX_UNITS) throw new InvalidTradingVariablesError(`bound must be ≤ ${MAX_UNITS}`)
  if (Math.abs(t.reward) > PPM) throw new InvalidTradingVariablesError('reward must be within [−1, 1] (±1 000 000 ppm)')
  if (Math.abs(t.clutch) > PPM) throw new InvalidTradingVariablesError('clutch must be within [−1, 1] (±1 000 000 ppm)')
  if (t.reward + t.clutch < 0) throw new InvalidTradingVariablesError('reward + clutch must be ≥ 0')
}

export function checkMembers (list: readonly Member[], what: string, others: readonly Member[] = []): void {
  if (list.length === 0) throw new InvalidMembersError(`${what}: at least one member`)
  const seen = new Set(others.map(m => m.key))
  for (const m of list) {
    if (!Number.isSafeInteger(m.weight) || m.weight < 1 || m.weight > 1000) throw new InvalidMembersError(`${what}: weight of ${m.key} must be 1..1000`)
    if (seen.has(m.key)) throw new InvalidMembersError(`${what}: ${m.key} is listed twice`)
    seen.add(m.key)
  }
}

/** Parses an untrusted document (MalformedError) and checks its rules; `complete` requires both parties. */
export function parseTallyDoc (doc: unknown, complete: boolean): TallyDoc {
  const r = v.safeParse(TallyDocSchema, doc)
  if (!r.success) throw new MalformedError(`tally document: ${v.summarize(r.issues)}`)
  const d = r.output as TallyDoc
  for (const side of ['stock', 'foil'] as const) {
    checkTerms(d[side].terms)
    checkTradingVars(d[side].vars)
    const party = d[side].party
    if (party === undefined) {
      if (complete) throw new MalformedError(`tally document: the ${side} party is missing`)
    } else {
      checkMembers(party.members, `${side} members`)
    }
  }
  const s = d.stock.party
  const f = d.foil.party
  if (s !== undefined && f !== undefined) {
    if (s.cert.userId === f.cert.userId) throw new MalformedError('tally document: a user cannot hold a tally with itself')
    checkMembers(f.members, 'foil members', s.members)
  }
  return d
}
