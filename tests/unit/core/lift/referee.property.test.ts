// The referee over random request sequences, with its entry persisted between steps as the service does:
// at most one decision ever, every later answer is that decision, good only from a complete call before
// expiry, void only at/after expiry or from a valid refusal. Signed material is made once and reused.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { refereeStep, type RefereeEntry } from '../../../../src/core/lift/referee'
import type { LiftPromise, RefereeAnswer } from '../../../../src/core/lift/types'
import { allPromises, keyPair, makeLift, NOW, p, promiseOf, type Lift } from './fixtures'

type Kind = 'call-complete' | 'call-partial' | 'refuse-valid' | 'refuse-promise' | 'refuse-stranger' | 'query'
const KINDS: Kind[] = ['call-complete', 'call-partial', 'refuse-valid', 'refuse-promise', 'refuse-stranger', 'query']

describe('referee (property)', () => {
  it('one decision, sticky, good only from a complete call before expiry, void only after expiry or on a valid refusal (seed 21, 100 runs)', async () => {
    const lift: Lift = await makeLift({ legs: 3, referees: 3 })
    const promises = await allPromises(lift)
    const material: Record<Kind, () => unknown> = {
      'call-complete': () => ({ v: 1, type: 'call', record: lift.record, promises }),
      'call-partial': () => ({ v: 1, type: 'call', record: lift.record, promises: promises.slice(0, 2) }),
      'refuse-valid': () => ({ v: 1, type: 'refuse', record: lift.record, refusal }),
      'refuse-promise': () => ({ v: 1, type: 'refuse', record: lift.record, refusal: promises[1] }),
      'refuse-stranger': () => ({ v: 1, type: 'refuse', record: lift.record, refusal: stranger }),
      query: () => ({ v: 1, type: 'query', record: lift.record })
    }
    const refusal: LiftPromise = await promiseOf(lift, 2, 'refuse')
    const stranger: LiftPromise = await promiseOf(lift, 2, 'refuse', await keyPair(999))
    const expires = lift.body.expires
    const stepArb = fc.record({ kind: fc.constantFrom(...KINDS), at: fc.integer({ min: NOW, max: expires + 60_000 }) })
    let decided = 0
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async steps => {
      let stored: RefereeEntry | undefined
      for (const st of steps) {
        let answer: RefereeAnswer
        try {
          const r = await refereeStep(p, lift.refs[0]!.secret, stored, material[st.kind](), st.at)
          answer = r.answer
          if (r.entry !== undefined) {
            expect(stored).toBeUndefined() // never a second decision
            stored = r.entry
            decided++
            const expected = st.at >= expires ? 'void' : st.kind === 'call-complete' ? 'good' : st.kind === 'refuse-valid' ? 'void' : undefined
            expect(r.entry.outcome).toBe(expected)
          }
        } catch (e) {
          // only bad refusals are errors, and only before expiry and before a decision
          expect(stored).toBeUndefined()
          expect(st.at).toBeLessThan(expires)
          expect(['refuse-promise', 'refuse-stranger']).toContain(st.kind)
          expect((e as { code: string }).code).toBe(st.kind === 'refuse-promise' ? 'INVALID_REFUSAL' : 'WRONG_SIGNER')
          continue
        }
        if (stored !== undefined) expect(answer).toEqual({ v: 1, status: 'decided', decision: stored.decision })
        else expect(answer).toEqual({ v: 1, status: 'pending' })
      }
    }), { seed: 21, numRuns: 100 })
    expect(decided).toBeGreaterThanOrEqual(50)
  })
})
