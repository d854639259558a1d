// Property: several devices of each party sign at once from stale views of the key chain. Whatever the
// interleaving, a device that loses a race re-signs with the key KEY_USED names, every intended payment is
// applied exactly once (chit ids stop double payment on retries), and each chain index counts exactly the
// authenticated actions of its side.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Device, machine, openWorld } from '../tally/fixtures'
import { KeyUsedError } from '../../../../src/core/keys/chain'
import { getChit } from '../../../../src/core/tally/chit-index'
import type { TallyState } from '../../../../src/core/tally/state'
import type { TallyAction } from '../../../../src/core/chit/types'

const SEED = 424242
const RUNS = 25

describe('key races between devices of one party', () => {
  it(`every payment lands exactly once and the chains count authenticated actions (seed ${SEED}, ${RUNS} runs)`, async () => {
    const w = await openWorld({ limits: { stock: 1_000_000, foil: 1_000_000 } })
    // each step: which device (0,1 = foil phone/laptop; 2,3 = stock phone/laptop) acts next, and whether its
    // signed action is "lost" once (it believes it failed and retries: the duplicate must not pay twice)
    const steps = fc.array(fc.record({ dev: fc.integer({ min: 0, max: 3 }), units: fc.integer({ min: 1, max: 100 }), retry: fc.boolean() }), { minLength: 1, maxLength: 16 })
    await fc.assert(fc.asyncProperty(steps, async plan => {
      const devices = [new Device(w.alice, 'foil'), new Device(w.alice, 'foil'), new Device(w.bob, 'stock'), new Device(w.bob, 'stock')]
      let s: TallyState = w.state
      const authenticated = { stock: 0, foil: 0 }
      let expected = 0
      async function submit (d: Device, make: (index: number) => Promise<TallyAction>): Promise<string | undefined> {
        let action = await make(d.index)
        for (let tries = 0; tries < 4; tries++) {
          try {
            const r = await machine.apply(s, action)
            s = r.state
            authenticated[d.side]++
            return r.refusal?.code
          } catch (e) {
            if (!(e instanceof KeyUsedError)) throw e
            action = await make(e.expected) // lost the race: re-sign with the key the tally expects
          }
        }
        throw new Error('no progress')
      }
      for (const [i, st] of plan.entries()) {
        const d = devices[st.dev]!
        const chit = `race-chit-${String(i).padStart(4, '0')}`
        const op = { op: 'pay' as const, chit, units: st.units }
        expect(await submit(d, idx => d.sign(op, idx))).toBeUndefined()
        expected += d.side === 'foil' ? st.units : -st.units
        if (st.retry) expect(await submit(d, idx => d.sign(op, idx))).toBe('DUPLICATE_CHIT')
        expect(getChit(s.chits, chit)?.units).toBe(st.units)
      }
      expect(s.balance).toBe(expected)
      expect(s.foil.chain.index).toBe(authenticated.foil)
      expect(s.stock.chain.index).toBe(authenticated.stock)
    }), { seed: SEED, numRuns: RUNS })
  }, 60_000)
})
