// decisionOutcome agrees with the tally machine's decision action (the one every tally of a lift applies):
// same outcome, or the same refusal code, for random referee sets and random signed decisions.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as rules from '../../../../src/core/chit/rules'
import { signLiftDecision } from '../../../../src/core/chit/sign'
import type { LiftDecisionBody } from '../../../../src/core/chit/types'
import type { Signed } from '../../../../src/core/codec/envelope'
import { decisionOutcome, findFraud } from '../../../../src/core/lift/fraud'
import { liftChitId } from '../../../../src/core/lift/ids'
import { machine } from '../tally/fixtures'
import { keyPair, p } from './fixtures'
import { tally } from './tally'

const LIFT = 'lift-fraudprop-0001'

describe('decisions (property)', () => {
  it('decisionOutcome = the tally machine\'s resolution; findFraud names exactly the double signers (seed 31, 100 runs)', async () => {
    const keys = await Promise.all(Array.from({ length: 6 }, (_, i) => keyPair(500 + i)))
    // every key's two decisions, signed once
    const signed = new Map<string, Signed<LiftDecisionBody>>()
    for (const [i, k] of keys.entries()) for (const outcome of ['good', 'void'] as const) signed.set(`${i}${outcome}`, await signLiftDecision(p, k.secret, { lift: LIFT, outcome }))
    const arb = fc.record({
      named: fc.integer({ min: 0, max: 2 }).map(n => 2 * n + 1), // 1, 3 or 5 referees: keys 0..named-1; key 5 is never named
      votes: fc.array(fc.record({ who: fc.integer({ min: 0, max: 5 }), good: fc.boolean() }), { minLength: 1, maxLength: 10 })
    })
    const codes = new Set<string>()
    await fc.assert(fc.asyncProperty(arb, async ({ named, votes }) => {
      const refs = keys.slice(0, named).map(k => k.key)
      const decisions = votes.map(v => signed.get(`${v.who}${v.good ? 'good' : 'void'}`)!)
      const base = rules.lift(tally({ limit: { stock: 100 }, vars: { stock: { target: 100 } } }), 'foil', { op: 'lift', chit: liftChitId(LIFT, 0), lift: LIFT, units: 10, referees: refs, expires: 1 })
      const applied = await machine.apply(base, { kind: 'decision', lift: LIFT, decisions })
      let ours: string
      try {
        ours = decisionOutcome(decisions, refs) ?? 'NO_REFEREE_MAJORITY'
      } catch (e) {
        ours = (e as { code: string }).code
      }
      const theirs = applied.refusal?.code ?? (applied.state.balance === 10 ? 'good' : 'void')
      expect(ours).toBe(theirs)
      codes.add(ours)
      const double = new Set(keys.map(k => k.key).filter((_, i) => votes.some(v => v.who === i && v.good) && votes.some(v => v.who === i && !v.good)))
      expect(new Set(findFraud(decisions).map(f => f.referee))).toEqual(double)
    }), { seed: 31, numRuns: 100 })
    expect([...codes].sort()).toEqual(['CONFLICTING_DECISIONS', 'NO_REFEREE_MAJORITY', 'good', 'void'])
  })
})
