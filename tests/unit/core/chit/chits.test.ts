// Chit rules through the tally machine: research/mychips.md scenarios 14, 15, 18–21, limits and lifts.
import { beforeEach, describe, expect, it } from 'vitest'
import { Device, chitId, machine, openWorld, p, type World } from '../tally/fixtures'
import { availableCredit, balanceOf, liftRoom, type TallyState } from '../../../../src/core/tally/state'
import { getChit } from '../../../../src/core/tally/chit-index'
import { signLiftAction, signLiftDecision } from '../../../../src/core/chit/sign'
import { DuplicateChitError } from '../../../../src/core/chit/errors'
import type { TallyAction } from '../../../../src/core/chit/types'
import { KeyUsedError, UnknownKeyError } from '../../../../src/core/keys/chain'
import { deriveUserSecret } from '../../../../src/core/keys/user'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { InvalidSignatureError } from '../../../../src/core/errors'

let w: World
let alice: Device // foil: owes Bob
let bob: Device // stock
let s: TallyState

async function apply (a: TallyAction): Promise<string | undefined> {
  const r = await machine.apply(s, a)
  s = r.state
  return r.refusal?.code
}

beforeEach(async () => {
  w = await openWorld({ limits: { stock: 10_000, foil: 5_000 } })
  alice = new Device(w.alice, 'foil')
  bob = new Device(w.bob, 'stock')
  s = w.state
})

describe('scenario 14: direct payment', () => {
  it('A (foil) pays B (stock) 4000: A sees −4000, B sees +4000, signed by A only', async () => {
    const id = chitId()
    expect(await apply(await alice.sign({ op: 'pay', chit: id, units: 4000 }))).toBeUndefined()
    expect(balanceOf(s, 'foil')).toBe(-4000)
    expect(balanceOf(s, 'stock')).toBe(4000)
    expect(getChit(s.chits, id)).toEqual({ kind: 'tran', by: 'foil', units: 4000, status: 'good' })
    expect(s.foil.chain.index).toBe(1)
    expect(s.stock.chain.index).toBe(0)
  })
  it('B pays A back: balances are exact negatives at every step', async () => {
    await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 4000 }))
    await apply(await bob.sign({ op: 'pay', chit: chitId(), units: 6000 }))
    expect(balanceOf(s, 'stock')).toBe(-2000)
    expect(balanceOf(s, 'foil')).toBe(2000)
  })
})

describe('credit limits', () => {
  it('a payment that would take the payer past the limit its partner grants is refused with OVER_LIMIT', async () => {
    expect(availableCredit(s, 'foil')).toBe(10_000) // Bob (stock) grants Alice 10 000
    expect(availableCredit(s, 'stock')).toBe(5_000) // Alice grants Bob 5 000
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 10_001 }))).toBe('OVER_LIMIT')
    expect(s.balance).toBe(0)
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 10_000 }))).toBeUndefined()
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 1 }))).toBe('OVER_LIMIT')
    expect(await apply(await bob.sign({ op: 'pay', chit: chitId(), units: 15_001 }))).toBe('OVER_LIMIT')
    expect(await apply(await bob.sign({ op: 'pay', chit: chitId(), units: 15_000 }))).toBeUndefined()
    expect(balanceOf(s, 'stock')).toBe(-5_000)
  })
  it('a refused action still consumes its chain key: the chain goes on', async () => {
    const refused = await alice.sign({ op: 'pay', chit: chitId(), units: 99_999 })
    expect(await apply(refused)).toBe('OVER_LIMIT')
    expect(s.foil.chain.index).toBe(1)
    await expect(machine.apply(s, refused)).rejects.toThrow(KeyUsedError)
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 1 }))).toBeUndefined()
  })
})

describe('scenario 15: invoices', () => {
  it('B invoices 2500 → pending (no balance, no capacity); A accepts by paying it → good on both sides', async () => {
    const inv = chitId()
    expect(await apply(await bob.sign({ op: 'invoice', chit: inv, units: 2500 }))).toBeUndefined()
    expect(s.pending[inv]).toEqual({ kind: 'invoice', by: 'stock', units: 2500 })
    expect(s.balance).toBe(0)
    expect(availableCredit(s, 'foil')).toBe(10_000) // an unpaid invoice never counts
    expect(availableCredit(s, 'stock')).toBe(5_000)
    const pay = chitId()
    expect(await apply(await alice.sign({ op: 'pay', chit: pay, units: 2500, invoice: inv }))).toBeUndefined()
    expect(balanceOf(s, 'stock')).toBe(2500)
    expect(s.pending[inv]).toBeUndefined()
    expect(getChit(s.chits, inv)?.status).toBe('good')
    expect(getChit(s.chits, pay)?.status).toBe('good')
  })
  it('A declines → void; B modifies and re-sends a new invoice', async () => {
    const inv = chitId()
    await apply(await bob.sign({ op: 'invoice', chit: inv, units: 2500 }))
    expect(await apply(await alice.sign({ op: 'decline', invoice: inv }))).toBeUndefined()
    expect(getChit(s.chits, inv)?.status).toBe('void')
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 2500, invoice: inv }))).toBe('UNKNOWN_INVOICE')
    const inv2 = chitId()
    await apply(await bob.sign({ op: 'invoice', chit: inv2, units: 2000 }))
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 2000, invoice: inv2 }))).toBeUndefined()
    expect(s.balance).toBe(2000)
  })
  it('refuses paying the wrong amount, paying one\'s own invoice, declining one\'s own, and an invoice beyond the limit at payment', async () => {
    const inv = chitId()
    await apply(await bob.sign({ op: 'invoice', chit: inv, units: 2500 }))
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 2400, invoice: inv }))).toBe('INVOICE_MISMATCH')
    expect(await apply(await bob.sign({ op: 'pay', chit: chitId(), units: 2500, invoice: inv }))).toBe('UNKNOWN_INVOICE')
    expect(await apply(await bob.sign({ op: 'decline', invoice: inv }))).toBe('UNKNOWN_INVOICE')
    const big = chitId()
    await apply(await bob.sign({ op: 'invoice', chit: big, units: 20_000 }))
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 20_000, invoice: big }))).toBe('OVER_LIMIT')
    expect(s.pending[big]).toBeDefined() // still pending: it can be declined
  })
})

describe('scenario 18: duplicate chit id with different contents', () => {
  it('is refused (DUPLICATE_CHIT), never replaces the first chit', async () => {
    const id = chitId()
    await apply(await alice.sign({ op: 'pay', chit: id, units: 100 }))
    expect(await apply(await alice.sign({ op: 'pay', chit: id, units: 900 }))).toBe('DUPLICATE_CHIT')
    expect(await apply(await bob.sign({ op: 'invoice', chit: id, units: 5 }))).toBe('DUPLICATE_CHIT')
    expect(getChit(s.chits, id)).toEqual({ kind: 'tran', by: 'foil', units: 100, status: 'good' })
    expect(s.balance).toBe(100)
  })
})

describe('scenario 19: replayed or duplicate action', () => {
  it('is idempotent: the replay is rejected by the key chain and the state does not change', async () => {
    const a = await alice.sign({ op: 'pay', chit: chitId(), units: 100 })
    await apply(a)
    const before = s
    await expect(machine.apply(s, a)).rejects.toThrow(KeyUsedError)
    await expect(machine.apply(s, JSON.parse(JSON.stringify(a)))).rejects.toMatchObject({ code: 'KEY_USED', expected: 1 })
    expect(s).toBe(before)
    expect(s.balance).toBe(100)
  })
  it('a device that lost the race for a key re-signs the same payment with the next key; the chit id prevents paying twice', async () => {
    const phone = new Device(w.alice, 'foil')
    const laptop = new Device(w.alice, 'foil')
    const id = chitId()
    const fromPhone = await phone.sign({ op: 'pay', chit: id, units: 300 })
    const fromLaptop = await laptop.sign({ op: 'invoice', chit: chitId(), units: 1 })
    await apply(fromPhone)
    const err = await machine.apply(s, fromLaptop).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KeyUsedError)
    expect(await apply(await laptop.sign({ op: 'invoice', chit: chitId(), units: 1 }, (err as KeyUsedError).expected))).toBeUndefined()
    // the phone did not see its payment certified and retries it with the next key: refused as a duplicate, not paid twice
    expect(await apply(await phone.sign({ op: 'pay', chit: id, units: 300 }, 2))).toBe('DUPLICATE_CHIT')
    expect(s.balance).toBe(300)
  })
})

describe('scenario 20: setting chit', () => {
  it('the foil sets {target 5000, bound 10000, reward 1% = 10 000 ppm, clutch 0}; every node computes the same state', async () => {
    const vars = { target: 5000, bound: 10_000, reward: 10_000, clutch: 0 }
    const act = await alice.sign({ op: 'set', chit: chitId(), vars })
    expect(await apply(act)).toBeUndefined()
    expect(s.foil.vars).toEqual(vars)
    const elsewhere = await machine.apply(w.state, act)
    expect(elsewhere.state).toEqual(s)
  })
  it('refuses invalid trading variables (INVALID_TRADING_VARIABLES) and floats never reach the machine', async () => {
    expect(await apply(await alice.sign({ op: 'set', chit: chitId(), vars: { target: 6, bound: 5, reward: 0, clutch: 0 } }))).toBe('INVALID_TRADING_VARIABLES')
    expect(await apply(await alice.sign({ op: 'set', chit: chitId(), vars: { target: 0, bound: 0, reward: -20_000, clutch: 10_000 } }))).toBe('INVALID_TRADING_VARIABLES')
    expect(await apply(await alice.sign({ op: 'set', chit: chitId(), vars: { target: 0, bound: 0, reward: 1_000_001, clutch: 0 } }))).toBe('INVALID_TRADING_VARIABLES')
    await expect(alice.sign({ op: 'set', chit: chitId(), vars: { target: 0, bound: 0, reward: 0.01, clutch: 0 } })).rejects.toThrow(/safe integers/)
    expect(s.foil.vars).toEqual({ target: 0, bound: 0, reward: 0, clutch: 0 })
  })
})

describe('scenario 21: close', () => {
  it('A owes B 3000; a close request → closing; a 3000 payment brings it to 0 → closed', async () => {
    await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 3000 }))
    expect(await apply(await bob.sign({ op: 'set', chit: chitId(), close: true }))).toBeUndefined()
    expect(s.status).toBe('closing')
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 1 }))).toBe('TALLY_CLOSING') // away from zero
    expect(await apply(await bob.sign({ op: 'pay', chit: chitId(), units: 3001 }))).toBe('TALLY_CLOSING') // across zero
    expect(await apply(await bob.sign({ op: 'set', chit: chitId(), close: true }))).toBe('FORBIDDEN_TRANSITION')
    expect(await apply(await bob.sign({ op: 'pay', chit: chitId(), units: 1000 }))).toBeUndefined()
    expect(s.status).toBe('closing')
    expect(await apply(await bob.sign({ op: 'pay', chit: chitId(), units: 2000 }))).toBeUndefined()
    expect(s.status).toBe('closed')
    expect(await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 1 }))).toBe('FORBIDDEN_TRANSITION')
    expect(await apply(await alice.sign({ op: 'set', chit: chitId(), vars: { target: 0, bound: 0, reward: 0, clutch: 0 } }))).toBe('FORBIDDEN_TRANSITION')
  })
  it('while closing, an invoice that would move the balance away from zero is refused; an empty set chit is malformed', async () => {
    await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 3000 }))
    await apply(await bob.sign({ op: 'set', chit: chitId(), close: true }))
    expect(await apply(await bob.sign({ op: 'invoice', chit: chitId(), units: 1 }))).toBe('TALLY_CLOSING') // Alice would owe more
    expect(await apply(await alice.sign({ op: 'invoice', chit: chitId(), units: 3000 }))).toBeUndefined() // Bob would owe less
    await expect(machine.apply(s, await alice.sign({ op: 'set', chit: chitId() }))).rejects.toThrow(/set chit/)
  })
  it('a close request at zero balance closes at once; pending invoices lapse', async () => {
    const inv = chitId()
    await apply(await bob.sign({ op: 'invoice', chit: inv, units: 10 }))
    await apply(await alice.sign({ op: 'set', chit: chitId(), close: true }))
    expect(s.status).toBe('closed')
    expect(getChit(s.chits, inv)?.status).toBe('void')
  })
})

describe('lift chits', () => {
  const referee = (n: number) => deriveUserSecret(new Uint8Array(64).fill(100 + n))
  async function refs (n: number): Promise<string[]> {
    return Promise.all(Array.from({ length: n }, async (_, i) => toBase64url(await p.publicKey(referee(i)))))
  }
  async function decide (lift: string, outcome: 'good' | 'void', who: number[]): Promise<Extract<TallyAction, { kind: 'decision' }>> {
    return { kind: 'decision', lift, decisions: await Promise.all(who.map(i => signLiftDecision(p, referee(i), { lift, outcome }))) }
  }

  it('a conditional lift chit counts against its giver only, and moves value only on a referee majority\'s "good"', async () => {
    await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 6000 })) // Alice owes 6000
    const id = chitId()
    expect(await apply(await bob.sign({ op: 'lift', chit: id, lift: 'lift-000001', units: 6000, referees: await refs(3), expires: 1 }))).toBeUndefined()
    expect(s.balance).toBe(6000) // unchanged while pending
    expect(availableCredit(s, 'stock')).toBe(5_000 - 0) // Bob: −6000 + 6000 pending = 0 debt → 5000
    expect(availableCredit(s, 'foil')).toBe(4_000) // Alice is not credited by a pending lift
    expect(await apply(await decide('lift-000001', 'good', [0]))).toBe('NO_REFEREE_MAJORITY')
    expect(await apply(await decide('lift-000001', 'good', [0, 2]))).toBeUndefined()
    expect(s.balance).toBe(0)
    expect(getChit(s.chits, id)?.status).toBe('good')
    expect(await apply(await decide('lift-000001', 'good', [0, 2]))).toBe('LIFT_NOT_PENDING')
  })
  it('"void" releases the capacity; conflicting majorities and non-referees are refused', async () => {
    await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 6000 }))
    await apply(await bob.sign({ op: 'lift', chit: chitId(), lift: 'lift-000002', units: 5000, referees: await refs(1), expires: 1 }))
    const stranger = deriveUserSecret(new Uint8Array(64).fill(7))
    expect(await apply({ kind: 'decision', lift: 'lift-000002', decisions: [await signLiftDecision(p, stranger, { lift: 'lift-000002', outcome: 'good' })] })).toBe('NO_REFEREE_MAJORITY')
    expect(await apply({ kind: 'decision', lift: 'lift-000002', decisions: [...(await decide('lift-000002', 'good', [0])).decisions, ...(await decide('lift-000002', 'void', [0])).decisions] })).toBe('CONFLICTING_DECISIONS')
    expect(await apply(await decide('lift-000002', 'void', [0]))).toBeUndefined()
    expect(s.balance).toBe(6000)
    expect(Object.keys(s.pending)).toEqual([])
  })
  it('a lift chit naming a referee twice is malformed (the entry is rejected)', async () => {
    const [r0] = await refs(1)
    await expect(machine.apply(s, await bob.sign({ op: 'lift', chit: chitId(), lift: 'lift-000009', units: 1, referees: [r0!, r0!], expires: 1 }))).rejects.toThrow(/named twice/)
  })
  it('a forged decision signature is rejected outright', async () => {
    await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 6000 }))
    await apply(await bob.sign({ op: 'lift', chit: chitId(), lift: 'lift-000003', units: 10, referees: await refs(1), expires: 1 }))
    const d = await decide('lift-000003', 'void', [0])
    const forged: TallyAction = { ...d, decisions: [{ ...d.decisions[0]!, body: { lift: 'lift-000003', outcome: 'good' } }] }
    await expect(machine.apply(s, forged)).rejects.toThrow(InvalidSignatureError)
  })
  it('lift chits obey credit limits and the receiver\'s max(target, bound)', async () => {
    // Bob's pending lifts count against Bob's limit (5000 granted by Alice)
    expect(await apply(await bob.sign({ op: 'lift', chit: chitId(), lift: 'lift-000004', units: 5001, referees: await refs(1), expires: 1 }))).toBe('OVER_LIMIT')
    // with defaults (bound 0) Alice may not accrue credit through lifts: research §9 scenario 25
    expect(liftRoom(s, 'foil')).toBe(0)
    expect(await apply(await bob.sign({ op: 'lift', chit: chitId(), lift: 'lift-000004', units: 1, referees: await refs(1), expires: 1 }))).toBe('OVER_BOUND')
    await apply(await alice.sign({ op: 'set', chit: chitId(), vars: { target: 0, bound: 300, reward: 0, clutch: 0 } }))
    expect(await apply(await bob.sign({ op: 'lift', chit: chitId(), lift: 'lift-000005', units: 200, referees: await refs(1), expires: 1 }))).toBeUndefined()
    expect(liftRoom(s, 'foil')).toBe(100) // pending lifts toward Alice count against her room too
    expect(await apply(await bob.sign({ op: 'lift', chit: chitId(), lift: 'lift-000006', units: 101, referees: await refs(1), expires: 1 }))).toBe('OVER_BOUND')
  })
  it('a cloud node\'s lift key, authorized by a set chit, signs lift chits without the recovery secret; revocable', async () => {
    const cloud = deriveUserSecret(new Uint8Array(64).fill(55))
    const cloudKey = toBase64url(await p.publicKey(cloud))
    await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 3000 }))
    const op = (chit: string, units: number) => ({ op: 'lift' as const, chit, lift: 'lift-000010', units, referees: [cloudKey], expires: 1 })
    const first = { kind: 'lift' as const, action: await signLiftAction(p, cloud, { tally: s.tally, side: 'stock', op: op('chit-lk-0001', 1000) }) }
    await expect(machine.apply(s, first)).rejects.toThrow(UnknownKeyError) // not authorized yet
    expect(await apply(await bob.sign({ op: 'set', chit: chitId(), liftKey: cloudKey }))).toBeUndefined()
    expect(s.stock.liftKey).toBe(cloudKey)
    expect(await apply(first)).toBeUndefined()
    expect(s.pending['chit-lk-0001']).toMatchObject({ kind: 'lift', by: 'stock', units: 1000 })
    await expect(machine.apply(s, first)).rejects.toThrow(DuplicateChitError) // a replay is rejected, not recorded
    // within the same limits and bounds as any lift chit
    expect(await apply({ kind: 'lift', action: await signLiftAction(p, cloud, { tally: s.tally, side: 'stock', op: op('chit-lk-0002', 99_999) }) })).toBe('OVER_LIMIT')
    // it cannot sign for the other side, nor tamper
    await expect(machine.apply(s, { kind: 'lift', action: await signLiftAction(p, cloud, { tally: s.tally, side: 'foil', op: op('chit-lk-0003', 1) }) })).rejects.toThrow(UnknownKeyError)
    const signed = await signLiftAction(p, cloud, { tally: s.tally, side: 'stock', op: op('chit-lk-0004', 1) })
    await expect(machine.apply(s, { kind: 'lift', action: { ...signed, body: { ...signed.body, op: op('chit-lk-0004', 2) } } })).rejects.toThrow(InvalidSignatureError)
    // revoked: refused from then on
    await apply(await bob.sign({ op: 'set', chit: chitId(), liftKey: null }))
    expect(s.stock.liftKey).toBeUndefined()
    await expect(machine.apply(s, { kind: 'lift', action: signed })).rejects.toThrow(UnknownKeyError)
  })
  it('a closing tally closes when its last pending lift settles the balance to zero', async () => {
    await apply(await alice.sign({ op: 'pay', chit: chitId(), units: 700 }))
    await apply(await bob.sign({ op: 'lift', chit: chitId(), lift: 'lift-000007', units: 700, referees: await refs(1), expires: 1 }))
    await apply(await alice.sign({ op: 'set', chit: chitId(), close: true }))
    expect(s.status).toBe('closing')
    await apply(await decide('lift-000007', 'good', [0]))
    expect(s.status).toBe('closed')
  })
})
