// The scenario format (docs/simulator.md): defaults, and every bad input refused with BAD_SCENARIO naming the field.
import { describe, expect, it } from 'vitest'
import { parseScenario, parseScenarioText, ScenarioError } from '../../sim/scenario'

const base = {
  users: ['A', 'B'],
  tallies: [{ foil: 'A', stock: 'B', balance: -100, limit: { foil: 1000 } }]
}

function refusal (input: unknown): string {
  try {
    parseScenario(input)
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError)
    expect((err as ScenarioError).code).toBe('BAD_SCENARIO')
    return (err as Error).message
  }
  throw new Error('accepted')
}

describe('scenario format', () => {
  it('fills defaults: seed 1, ids t1.., limits 0, trading {}, network [20, 80] without loss, no actions, until 60 s', () => {
    const s = parseScenario({ users: ['A', 'B'], tallies: [{ foil: 'A', stock: 'B' }] })
    expect(s).toMatchObject({ seed: 1, until: 60_000, actions: [], lie: [], network: { latencyMs: [20, 80], loss: 0 } })
    expect(s.tallies[0]).toEqual({ id: 't1', foil: 'A', stock: 'B', balance: 0, limit: { foil: 0, stock: 0 }, trading: {} })
    expect(s.referees).toBeUndefined()
  })

  it('accepts every action kind', () => {
    const s = parseScenario({
      ...base,
      referees: ['A'],
      lie: [{ referee: 'A', to: ['B'] }],
      actions: [
        { at: 0, clear: 'all' }, { at: 1, clear: 'A' }, { at: 2, pay: { from: 'A', to: 'B', units: 5 } },
        { at: 3, crash: 'B', for: 100 }, { at: 4, crash: 'A' }, { at: 5, partition: [['A'], ['B']], for: 10 }
      ]
    })
    expect(s.actions).toHaveLength(6)
  })

  it.each([
    ['not an object', 5, '(root)'],
    ['no users', { users: [] }, 'users'],
    ['a duplicate user', { users: ['A', 'A'] }, 'listed twice'],
    ['a bad user name', { users: ['A B'] }, 'users.0'],
    ['an unknown field', { ...base, extra: 1 }, 'extra'],
    ['an unknown party', { users: ['A'], tallies: [{ foil: 'A', stock: 'Z' }] }, 'tallies.0.stock: unknown user Z'],
    ['a tally with itself', { users: ['A'], tallies: [{ foil: 'A', stock: 'A' }] }, 'two different users'],
    ['a duplicate tally id', { users: ['A', 'B'], tallies: [{ id: 'x', foil: 'A', stock: 'B' }, { id: 'x', foil: 'B', stock: 'A' }] }, 'used twice'],
    ['a fractional balance', { ...base, tallies: [{ foil: 'A', stock: 'B', balance: 1.5 }] }, 'tallies.0.balance'],
    ['a balance past the foil limit', { ...base, tallies: [{ foil: 'A', stock: 'B', balance: -1001, limit: { foil: 1000 } }] }, 'past limit.foil'],
    ['a balance past the stock limit', { ...base, tallies: [{ foil: 'A', stock: 'B', balance: 1 }] }, 'past limit.stock'],
    ['a negative limit', { ...base, tallies: [{ foil: 'A', stock: 'B', limit: { foil: -1 } }] }, 'tallies.0.limit.foil'],
    ['trading vars of a stranger', { users: ['A', 'B', 'C'], tallies: [{ foil: 'A', stock: 'B', trading: { C: {} } }] }, 'not a party'],
    ['target above bound', { ...base, tallies: [{ foil: 'A', stock: 'B', trading: { A: { target: 5, bound: 1 } } }] }, 'target must not exceed bound'],
    ['reward + clutch < 0', { ...base, tallies: [{ foil: 'A', stock: 'B', trading: { A: { reward: -2, clutch: 1 } } }] }, 'reward + clutch'],
    ['a clutch past 1 000 000 ppm', { ...base, tallies: [{ foil: 'A', stock: 'B', trading: { A: { clutch: 1_000_001 } } }] }, 'clutch'],
    ['latency min > max', { ...base, network: { latencyMs: [50, 10] } }, 'min ≤ max'],
    ['loss above 0.9', { ...base, network: { loss: 1 } }, 'network.loss'],
    ['an unknown action', { ...base, actions: [{ at: 0, dance: 'A' }] }, 'actions.0'],
    ['a negative time', { ...base, actions: [{ at: -1, clear: 'A' }] }, 'actions.0'],
    ['clear by a stranger', { ...base, actions: [{ at: 0, clear: 'Z' }] }, 'actions.0.clear: unknown user Z'],
    ['a zero payment', { ...base, actions: [{ at: 0, pay: { from: 'A', to: 'B', units: 0 } }] }, 'actions.0'],
    ['paying oneself', { ...base, actions: [{ at: 0, pay: { from: 'A', to: 'A', units: 1 } }] }, 'cannot pay itself'],
    ['crashing a stranger', { ...base, actions: [{ at: 0, crash: 'Z' }] }, 'actions.0.crash'],
    ['a user in two partition groups', { ...base, actions: [{ at: 0, partition: [['A'], ['A', 'B']] }] }, 'two groups'],
    ['an even number of referees', { ...base, referees: ['A', 'B'] }, 'odd number'],
    ['a lie by a stranger', { ...base, lie: [{ referee: 'Z', to: ['A'] }] }, 'lie.0.referee'],
    ['a fractional seed', { ...base, seed: 0.5 }, 'seed']
  ])('refuses %s', (_what, input, message) => {
    expect(refusal(input)).toContain(message)
  })

  it('refuses text that is not JSON', () => {
    expect(() => parseScenarioText('{ users: ')).toThrow(ScenarioError)
  })
})
