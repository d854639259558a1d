import { describe, expect, it } from 'vitest'
import { signLiftDecision } from '../../../../src/core/chit/sign'
import { decisionOutcome, findFraud, verifiedDecisions } from '../../../../src/core/lift/fraud'
import { keyPair, p } from './fixtures'

const A = 'lift-aaaaaaaa-0001'
const B = 'lift-bbbbbbbb-0002'

async function refs (n: number) { return Promise.all(Array.from({ length: n }, (_, i) => keyPair(200 + i))) }

describe('decisions and fraud proofs', () => {
  it('findFraud: one proof per referee signing both outcomes of one lift, sorted; nothing for honest ones', async () => {
    const [r0, r1, r2] = await refs(3)
    const good0 = await signLiftDecision(p, r0!.secret, { lift: A, outcome: 'good' })
    const void0 = await signLiftDecision(p, r0!.secret, { lift: A, outcome: 'void' })
    const good1 = await signLiftDecision(p, r1!.secret, { lift: A, outcome: 'good' })
    const void1b = await signLiftDecision(p, r1!.secret, { lift: B, outcome: 'void' })
    const void2 = await signLiftDecision(p, r2!.secret, { lift: B, outcome: 'void' })
    const good2 = await signLiftDecision(p, r2!.secret, { lift: B, outcome: 'good' })
    expect(findFraud([good0, good1, void1b, void2])).toEqual([])
    const proofs = findFraud([void2, good0, good1, void1b, void0, good2, good0])
    expect(proofs).toEqual([
      { lift: A, referee: r0!.key, good: good0, void: void0 },
      { lift: B, referee: r2!.key, good: good2, void: void2 }
    ])
  })

  it('verifiedDecisions drops forged, tampered and foreign decisions (so findFraud sees no false proof)', async () => {
    const [r0, r1] = await refs(2)
    const good0 = await signLiftDecision(p, r0!.secret, { lift: A, outcome: 'good' })
    const forged = { ...good0, body: { lift: A, outcome: 'void' as const } }
    const byOther = { ...(await signLiftDecision(p, r1!.secret, { lift: A, outcome: 'void' })), signer: r0!.key }
    const otherLift = await signLiftDecision(p, r0!.secret, { lift: B, outcome: 'void' })
    const ok = await verifiedDecisions(p, [good0, forged, byOther, 'junk', otherLift], A)
    expect(ok).toEqual([good0])
    expect(findFraud(ok)).toEqual([])
    expect(await verifiedDecisions(p, [good0, otherLift])).toEqual([good0, otherLift])
  })

  it('decisionOutcome: a strict majority of the named referees; others, duplicates and minorities do not count', async () => {
    const [r0, r1, r2, x] = await refs(4)
    const named = [r0!.key, r1!.key, r2!.key]
    const d = async (r: typeof r0, outcome: 'good' | 'void') => signLiftDecision(p, r!.secret, { lift: A, outcome })
    expect(decisionOutcome([], named)).toBeUndefined()
    expect(decisionOutcome([await d(r0, 'good')], named)).toBeUndefined()
    expect(decisionOutcome([await d(r0, 'good'), await d(r0, 'good')], named)).toBeUndefined()
    expect(decisionOutcome([await d(r0, 'good'), await d(x, 'good')], named)).toBeUndefined()
    expect(decisionOutcome([await d(r0, 'good'), await d(r1, 'good')], named)).toBe('good')
    // a lying minority (scenario 36): r2 says void, the majority good
    expect(decisionOutcome([await d(r0, 'good'), await d(r2, 'void'), await d(r1, 'good')], named)).toBe('good')
    expect(decisionOutcome([await d(r1, 'void'), await d(r2, 'void')], named)).toBe('void')
    expect(decisionOutcome([await d(r0, 'void')], [r0!.key])).toBe('void')
  })

  it('decisionOutcome: a lying majority (one referee signing both) is a ConflictingDecisionError, and a fraud proof', async () => {
    const [r0, r1, r2] = await refs(3)
    const named = [r0!.key, r1!.key, r2!.key]
    const ds = [
      await signLiftDecision(p, r0!.secret, { lift: A, outcome: 'good' }),
      await signLiftDecision(p, r0!.secret, { lift: A, outcome: 'void' }),
      await signLiftDecision(p, r1!.secret, { lift: A, outcome: 'good' }),
      await signLiftDecision(p, r2!.secret, { lift: A, outcome: 'void' })
    ]
    expect(() => decisionOutcome(ds, named)).toThrow(expect.objectContaining({ code: 'CONFLICTING_DECISIONS' }))
    expect(findFraud(ds).map(f => f.referee)).toEqual([r0!.key])
  })

  it('decisionOutcome refuses decisions of several lifts counted together', async () => {
    const [r0] = await refs(1)
    const ds = [await signLiftDecision(p, r0!.secret, { lift: A, outcome: 'good' }), await signLiftDecision(p, r0!.secret, { lift: B, outcome: 'good' })]
    expect(() => decisionOutcome(ds, [r0!.key])).toThrow(expect.objectContaining({ code: 'MALFORMED' }))
  })
})
