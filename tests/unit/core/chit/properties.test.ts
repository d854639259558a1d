// Property tests (fast-check, fixed seed, stated run counts): random sequences of payments, invoices,
// declines, settings and lifts from both parties never break the money invariants.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Device, machine, openWorld, p } from '../tally/fixtures'
import { availableCredit, balanceOf, pendingGiven, worstDebt, type TallyState } from '../../../../src/core/tally/state'
import { signLiftDecision } from '../../../../src/core/chit/sign'
import { deriveUserSecret } from '../../../../src/core/keys/user'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { allChits } from '../../../../src/core/tally/chit-index'
import type { Op } from '../../../../src/core/chit/types'

const SEED = 20261122
const RUNS = 40

type Step =
  | { t: 'pay' | 'invoice' | 'lift', side: 'stock' | 'foil', units: number }
  | { t: 'accept' | 'decline', side: 'stock' | 'foil', pick: number }
  | { t: 'decide', pick: number, good: boolean }
  | { t: 'close', side: 'stock' | 'foil' }

const side = fc.constantFrom('stock' as const, 'foil' as const)
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('pay' as const), side, units: fc.integer({ min: 1, max: 7000 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('invoice' as const), side, units: fc.integer({ min: 1, max: 7000 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('accept' as const, 'decline' as const), side, pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('lift' as const), side, units: fc.integer({ min: 1, max: 7000 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('decide' as const), pick: fc.nat(), good: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('close' as const), side }) }
)

describe('money invariants under random action sequences', () => {
  it(`balances are exact negatives, no limit is passed, pending lifts are counted against their giver (seed ${SEED}, ${RUNS} runs)`, async () => {
    const w = await openWorld({ limits: { stock: 10_000, foil: 5_000 }, vars: { stock: { target: 0, bound: 20_000, reward: 0, clutch: 0 }, foil: { target: 0, bound: 20_000, reward: 0, clutch: 0 } } })
    const referee = deriveUserSecret(new Uint8Array(64).fill(99))
    const refKey = toBase64url(await p.publicKey(referee))
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async steps => {
      const dev = { stock: new Device(w.bob, 'stock'), foil: new Device(w.alice, 'foil') }
      let s: TallyState = w.state
      let n = 0
      for (const st of steps) {
        const id = `chit-prop-${String(n++).padStart(4, '0')}`
        let op: Op | undefined
        if (st.t === 'pay') op = { op: 'pay', chit: id, units: st.units }
        else if (st.t === 'invoice') op = { op: 'invoice', chit: id, units: st.units }
        else if (st.t === 'lift') op = { op: 'lift', chit: id, lift: `lift-${id}`, units: st.units, referees: [refKey], expires: 0 }
        else if (st.t === 'close') op = { op: 'set', chit: id, close: true }
        else if (st.t === 'accept' || st.t === 'decline') {
          const invoices = Object.entries(s.pending).filter(([, c]) => c.kind === 'invoice' && c.by !== st.side)
          const pick = invoices[st.pick % Math.max(1, invoices.length)]
          if (pick === undefined) continue
          op = st.t === 'accept' ? { op: 'pay', chit: id, units: pick[1].units, invoice: pick[0] } : { op: 'decline', invoice: pick[0] }
        }
        const before = s
        if (op !== undefined) {
          const d = dev[(st as { side: 'stock' | 'foil' }).side]
          s = (await machine.apply(s, await d.sign(op))).state
        } else if (st.t === 'decide') {
          const lifts = Object.values(s.pending).filter(c => c.kind === 'lift')
          const pick = lifts[st.pick % Math.max(1, lifts.length)]
          if (pick === undefined || pick.kind !== 'lift') continue
          s = (await machine.apply(s, { kind: 'decision', lift: pick.lift, decisions: [await signLiftDecision(p, referee, { lift: pick.lift, outcome: st.good ? 'good' : 'void' })] })).state
        }
        // exact negatives
        expect(balanceOf(s, 'stock') + balanceOf(s, 'foil')).toBe(0)
        // no limit passed, even if every pending lift resolves against its giver
        expect(worstDebt(s, 'foil')).toBeLessThanOrEqual(Math.max(s.stock.terms.limit, worstDebt(before, 'foil')))
        expect(worstDebt(s, 'stock')).toBeLessThanOrEqual(Math.max(s.foil.terms.limit, worstDebt(before, 'stock')))
        expect(availableCredit(s, 'foil')).toBeGreaterThanOrEqual(0)
        // the balance is the sum of good value chits
        let sum = 0
        for (const [, c] of allChits(s.chits)) if ((c.kind === 'tran' || c.kind === 'lift') && c.status === 'good') sum += c.by === 'foil' ? c.units! : -c.units!
        expect(s.balance).toBe(sum)
        expect(pendingGiven(s, 'foil') + pendingGiven(s, 'stock')).toBe(Object.values(s.pending).filter(c => c.kind === 'lift').reduce((a, c) => a + c.units, 0))
        if (s.status === 'closed') expect(s.balance).toBe(0)
      }
    }), { seed: SEED, numRuns: RUNS })
  }, 60_000)
})
