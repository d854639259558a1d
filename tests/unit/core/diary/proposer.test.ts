// The proposer state machine: collect, decide, rebase and retry with backoff, give up with a named error;
// drive mode (a crashed author's pending entry taken to a decision); recovery rounds (phase 1 promises, the
// choice rule, phase 2 in the recovery round).
import { describe, expect, it } from 'vitest'
import {
  entryHash, genesisHead, preferredProposer, backoffWindow, proposerStep, signPromise, startDrive, startProposal, startRecovery,
  type Entry, type ProposerCommand, type ProposerConfig, type ProposerContext, type ProposerState, type Round, type RoundPromise
} from '../../../../src/core/diary'
import { add, answer, digestOf, entryOn, extend, makeToy, node, type TestNode, type Toy, type ToyAction, type ToyState } from './fixtures'

const config: ProposerConfig = { maxAttempts: 3, maxRounds: 2, resendMs: 100, backoff: { baseMs: 50, capMs: 400 }, checkpointEvery: 3 }

function ctxOf (toy: Toy, n: TestNode, c = config): ProposerContext<ToyState, ToyAction> {
  return { ...toy.ctx, identity: { secret: n.secret, key: n.key }, config: c }
}

const types = (cs: ProposerCommand<ToyAction>[]): string[] => cs.map(c => c.type)
type S = ProposerState<ToyState, ToyAction>

async function feedAnswers (ctx: ProposerContext<ToyState, ToyAction>, state: S, answers: unknown[]): Promise<{ state: S, commands: ProposerCommand<ToyAction>[] }> {
  let s = state
  const commands: ProposerCommand<ToyAction>[] = []
  for (const a of answers) {
    const step = await proposerStep(ctx, s, { type: 'answer', answer: a })
    s = step.state
    commands.push(...step.commands)
  }
  return { state: s, commands }
}

async function promise (toy: Toy, n: TestNode, round: Round, vote?: { entry: Entry<ToyAction>, round?: Round }): Promise<RoundPromise> {
  return await signPromise(toy.ctx.provider, n.secret, {
    tally: toy.ctx.tally, seq: 1, round, ...(vote !== undefined ? { vote: { entry: entryHash(vote.entry), ...(vote.round !== undefined ? { round: vote.round } : {}) } } : {})
  })
}

async function feedPromises (ctx: ProposerContext<ToyState, ToyAction>, state: S, list: Array<[TestNode, RoundPromise, Entry<ToyAction>?]>): Promise<{ state: S, commands: ProposerCommand<ToyAction>[] }> {
  let s = state
  const commands: ProposerCommand<ToyAction>[] = []
  for (const [n, p, e] of list) {
    const step = await proposerStep(ctx, s, { type: 'promise', member: n.key, promise: p, ...(e !== undefined ? { entry: e } : {}) })
    s = step.state
    commands.push(...step.commands)
  }
  return { state: s, commands }
}

describe('proposer', () => {
  it('sends to every member, then publishes the certificate once each party has a majority', async () => {
    const toy = await makeToy({ stock: 2, foil: 3 })
    const ctx = ctxOf(toy, toy.foil[0]!)
    const start = await startProposal(ctx, genesisHead(toy.genesis), [add(5)])
    expect(types(start.commands)).toEqual(['send', 'wait'])
    const send = start.commands[0] as { to: string[] }
    expect(send.to.sort()).toEqual(toy.all.map(n => n.key).sort())
    const e = start.state.entry
    const partial = await feedAnswers(ctx, start.state, [await answer(toy.stock[0]!, e), await answer(toy.stock[1]!, e), await answer(toy.foil[0]!, e), await answer(toy.foil[2]!, e)])
    expect(partial.commands).toEqual([]) // a majority of each party, but round 0 needs the fast quorum (all of 3)
    const done = await feedAnswers(ctx, partial.state, [await answer(toy.foil[1]!, e)])
    expect(types(done.commands)).toEqual(['publish', 'certified'])
    expect(done.state.status).toBe('done')
  })

  it('ignores answers from non-members (NOT_A_MEMBER) and answers about other entries', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    const start = await startProposal(ctx, genesisHead(toy.genesis), [add(5)])
    const r = await feedAnswers(ctx, start.state, [await answer(await node('outsider'), start.state.entry)])
    expect(r.commands).toEqual([expect.objectContaining({ type: 'ignored', error: expect.objectContaining({ code: 'NOT_A_MEMBER' }) })])
    const other = await entryOn(toy, genesisHead(toy.genesis), toy.foil[1]!, [add(1)])
    expect((await feedAnswers(ctx, r.state, await Promise.all(toy.all.map(n => answer(n, other))))).commands).toEqual([])
  })

  it('lost race: a split round 0 goes to a recovery round (backoff, promises, free choice, phase 2) and certifies', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const [s0] = toy.stock as [TestNode]
    const [f0, f1, f2] = toy.foil as [TestNode, TestNode, TestNode]
    const ctx = ctxOf(toy, f0)
    const g = genesisHead(toy.genesis)
    const start = await startProposal(ctx, g, [add(5)])
    const e = start.state.entry
    const rival = await entryOn(toy, g, f1, [add(1)])
    const conflict = await (await import('../../../../src/core/diary')).signAnswer(ctx.provider, f1.secret, {
      tally: toy.ctx.tally, seq: 1, entry: entryHash(e), verdict: 'conflict', reserved: entryHash(rival)
    })
    // f1 voted for the rival: no fast quorum (all three foil) is possible; f2 is silent (lost).
    const r = await feedAnswers(ctx, start.state, [await answer(s0, e), await answer(f0, e), conflict])
    expect(r.commands).toEqual([{ type: 'wait', ...backoffWindow(1, config.backoff), timer: 2 }])
    // Only the latest wait is live: the round-0 resend timer (id 1) firing now is ignored.
    expect(start.commands[1]).toMatchObject({ type: 'wait', timer: 1 })
    expect((await proposerStep(ctx, r.state, { type: 'timer', timer: 1 })).commands).toEqual([])
    const prep = await proposerStep(ctx, r.state, { type: 'timer', timer: 2 })
    const round = { n: 1, by: f0.key }
    expect(prep.commands[0]).toEqual({ type: 'prepare', to: toy.all.map(n => n.key), seq: 1, round })
    expect(prep.state.status).toBe('preparing')
    // Promises: f0 and s0 voted e in round 0, f1 the rival; f2 is outside. Neither could have had all three foil: free.
    const p = await feedPromises(ctx, prep.state, [[f0, await promise(toy, f0, round, { entry: e })], [s0, await promise(toy, s0, round, { entry: e })]])
    expect(p.commands).toEqual([]) // one foil promise of three is no majority
    const p2 = await feedPromises(ctx, p.state, [[f1, await promise(toy, f1, round, { entry: rival }), rival]])
    expect(types(p2.commands)).toEqual(['send', 'wait'])
    const send = p2.commands[0] as Extract<ProposerCommand<ToyAction>, { type: 'send' }>
    expect(send.round).toEqual(round)
    expect(send.entry).toBe(e)
    expect(send.promises).toHaveLength(3)
    expect(send.votes?.map(v => entryHash(v)).sort()).toEqual([entryHash(e), entryHash(rival)].sort())
    // Phase 2: a strict majority of each party approves in round 1 (round-0 approvals do not count here).
    const half = await feedAnswers(ctx, p2.state, [await answer(s0, e, 'approve', round), await answer(f0, e, 'approve', round)])
    expect(half.commands).toEqual([])
    const done = await feedAnswers(ctx, half.state, [await answer(f1, e, 'approve', round)])
    expect(types(done.commands)).toEqual(['publish', 'certified'])
    const cert = (done.commands[0] as { certificate: { approvals: Array<{ body: { round?: Round } }> } }).certificate
    expect(cert.approvals.every(a => a.body.round?.n === 1)).toBe(true)
    void f2
  })

  it('recovery: re-proposes the entry that could have been certified in round 0, then rebases its own actions on it', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const [s0] = toy.stock as [TestNode]
    const [f0, f1, f2] = toy.foil as [TestNode, TestNode, TestNode]
    const ctx = ctxOf(toy, f0)
    const g = genesisHead(toy.genesis)
    const mine = add(5)
    const start = await startProposal(ctx, g, [mine])
    const rival = await entryOn(toy, g, f1, [add(1)])
    const round = { n: 3, by: f0.key }
    const prep = await startRecovery(ctx, g, start.state.entry, { n: 2, by: f1.key })
    expect(prep.commands[0]).toMatchObject({ type: 'prepare', round })
    // f1, f2 and s0 report the rival in round 0; f0 (outside) may have approved it too: it may be certified.
    const p = await feedPromises(ctx, prep.state, [
      [f1, await promise(toy, f1, round, { entry: rival }), rival], [f2, await promise(toy, f2, round, { entry: rival }), rival], [s0, await promise(toy, s0, round, { entry: rival }), rival]
    ])
    const send = p.commands[0] as Extract<ProposerCommand<ToyAction>, { type: 'send' }>
    expect(entryHash(send.entry)).toBe(entryHash(rival))
    // Own mode: the imposed entry's certificate is published, then our actions are rebased onto it.
    const own = { ...p.state, mode: 'own' as const }
    const done = await feedAnswers(ctx, own, await Promise.all([s0, f1, f2].map(n => answer(n, rival, 'approve', round))))
    expect(types(done.commands)).toEqual(['publish', 'send', 'wait'])
    expect(done.state.entry.body).toMatchObject({ seq: 2, prev: entryHash(rival), actions: [mine] })
  })

  it('recovery: the entry voted in the highest recovery round is imposed; a higher promise makes it back off and go above', async () => {
    const toy = await makeToy({ stock: 1, foil: 3 })
    const [s0] = toy.stock as [TestNode]
    const [f0, f1, f2] = toy.foil as [TestNode, TestNode, TestNode]
    const ctx = ctxOf(toy, f2)
    const g = genesisHead(toy.genesis)
    const e = await entryOn(toy, g, f2, [add(5)])
    const rival = await entryOn(toy, g, f1, [add(1)])
    const prep = await startRecovery(ctx, g, e)
    const round = { n: 1, by: f2.key }
    const r1 = { n: 1, by: f0.key }
    // s0 voted e in round 0 (later), f1 voted the rival in recovery round r1: r1 is the highest round reported.
    const p = await feedPromises(ctx, prep.state, [
      [s0, await promise(toy, s0, round, { entry: e }), e], [f1, await promise(toy, f1, round, { entry: rival, round: r1 }), rival], [f2, await promise(toy, f2, round, { entry: e }), e]
    ])
    expect(entryHash((p.commands[0] as { entry: Entry<ToyAction> }).entry)).toBe(entryHash(rival))
    // Someone promised round (5, f0): back off, then prepare above it.
    const o = await proposerStep(ctx, p.state, { type: 'outranked', member: f0.key, seq: 1, promised: { n: 5, by: f0.key } })
    expect(types(o.commands)).toEqual(['wait'])
    const again = await proposerStep(ctx, o.state, { type: 'timer' })
    expect(again.commands[0]).toMatchObject({ type: 'prepare', round: { n: 6, by: f2.key } })
    // A promise for an old round is ignored.
    const stale = await feedPromises(ctx, again.state, [[s0, await promise(toy, s0, round, { entry: e }), e]])
    expect(stale.commands).toEqual([])
    expect(Object.keys(stale.state.recovery!.promises)).toEqual([])
  })

  it('gives up after maxAttempts recovery rounds (PROPOSAL_GAVE_UP)', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    let state = (await startProposal(ctx, genesisHead(toy.genesis), [add(5)])).state
    state = (await feedAnswers(ctx, state, [await answer(toy.stock[1]!, state.entry, 'conflict')])).state
    let last: ProposerCommand<ToyAction>[] = []
    for (let i = 0; i <= config.maxAttempts; i++) {
      const t = await proposerStep(ctx, state, { type: 'timer' }) // → prepare (or give up)
      last = t.commands
      if (t.state.status === 'done') break
      const o = await proposerStep(ctx, t.state, { type: 'outranked', member: toy.stock[1]!.key, seq: 1, promised: { n: 50 + i, by: toy.stock[1]!.key } })
      state = o.state
    }
    expect(last).toEqual([{ type: 'failed', error: expect.objectContaining({ code: 'PROPOSAL_GAVE_UP' }) }])
  })

  it('reports a stall after maxRounds of silence (PROPOSAL_STALLED), resending only to silent members', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    const start = await startProposal(ctx, genesisHead(toy.genesis), [add(5)])
    const r = await feedAnswers(ctx, start.state, [await answer(toy.foil[0]!, start.state.entry)])
    const t1 = await proposerStep(ctx, r.state, { type: 'timer' })
    expect((t1.commands[0] as { to: string[] }).to).toHaveLength(3)
    // Round 0 still undecided: a recovery round (it needs only a majority of each party).
    const t2 = await proposerStep(ctx, t1.state, { type: 'timer' })
    expect(t2.commands[0]).toMatchObject({ type: 'prepare', to: toy.all.map(n => n.key) })
    const round = (t2.commands[0] as { round: Round }).round
    const p = await feedPromises(ctx, t2.state, [[toy.foil[0]!, await promise(toy, toy.foil[0]!, round, { entry: start.state.entry })]])
    const t3 = await proposerStep(ctx, p.state, { type: 'timer' })
    expect((t3.commands[0] as { to: string[] }).to).toHaveLength(3) // resent to the silent members only
    const t4 = await proposerStep(ctx, t3.state, { type: 'timer' })
    const t5 = await proposerStep(ctx, t4.state, { type: 'timer' })
    expect(t5.commands).toEqual([{ type: 'failed', error: expect.objectContaining({ code: 'PROPOSAL_STALLED' }) }])
  })

  it('fails on a reject on the merits (PROPOSAL_REJECTED) but catches up on a stale answer', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    const g = genesisHead(toy.genesis)
    const start = await startProposal(ctx, g, [add(5)])
    const merits = await feedAnswers(ctx, start.state, [await answer(toy.stock[0]!, start.state.entry, 'reject')])
    expect(types(merits.commands)).toEqual(['release', 'failed'])
    expect((merits.commands[1] as { error: { code: string } }).error.code).toBe('PROPOSAL_REJECTED')
    const again = await startProposal(ctx, g, [add(5)])
    const stale = await feedAnswers(ctx, again.state, [await answer(toy.stock[0]!, again.state.entry, 'stale')])
    expect(types(stale.commands)).toEqual(['release', 'catchUp'])
    expect(stale.state.status).toBe('catching-up')
  })

  it('rebases on a newer head: actions certified elsewhere are dropped; all absorbed ends the proposal', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    const g = genesisHead(toy.genesis)
    const a1 = add(1); const a2 = add(2)
    const start = await startProposal(ctx, g, [a1, a2])
    const { cert, head } = await extend(toy, g, [a1], toy.stock[0]!)
    const r = await proposerStep(ctx, start.state, { type: 'certificate', certificate: cert })
    expect(types(r.commands)).toEqual(['send', 'wait'])
    expect(r.state.entry.body).toMatchObject({ seq: 2, prev: head.hash, actions: [a2], attempt: 1 })
    const { cert: c2, head: h2 } = await extend(toy, head, [a2], toy.stock[0]!)
    const done = await proposerStep(ctx, r.state, { type: 'head', head: h2, certificates: [c2] })
    expect(done.commands).toEqual([{ type: 'absorbed' }])
  })

  it('learns of its own certificate from elsewhere (partial sync) and asks behind members for certificates', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    const start = await startProposal(ctx, genesisHead(toy.genesis), [add(5)])
    const behind = await proposerStep(ctx, start.state, { type: 'behind', member: toy.stock[0]!.key, head: { seq: 0, hash: toy.genesis.hash } })
    expect(behind.commands).toEqual([{ type: 'sendCertificates', to: toy.stock[0]!.key, after: 0 }])
    const cert = { entry: start.state.entry, approvals: await Promise.all(toy.all.map(n => answer(n, start.state.entry))) }
    const done = await proposerStep(ctx, start.state, { type: 'certificate', certificate: cert })
    expect(types(done.commands)).toEqual(['certified'])
  })

  it('puts a checkpoint digest on every checkpointEvery-th entry', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    let head = genesisHead(toy.genesis)
    for (let i = 0; i < 2; i++) head = (await extend(toy, head, [add(1)])).head
    const start = await startProposal(ctx, head, [add(1)])
    expect(start.state.entry.body.checkpoint).toBe(await digestOf(head.state))
  })

  it('refuses to start an entry its own rules reject (PROPOSAL_REJECTED)', async () => {
    const toy = await makeToy()
    await expect(startProposal(ctxOf(toy, await node('outsider')), genesisHead(toy.genesis), [add(1)])).rejects.toMatchObject({ code: 'PROPOSAL_REJECTED', reason: 'NOT_A_MEMBER' })
  })

  it('drive mode: takes a crashed author\'s entry to a certificate, a recovery round, or a release proof', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const orphan = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const d = await startDrive(ctx, g, orphan)
    expect(types(d.commands)).toEqual(['send', 'wait'])
    const ok = await feedAnswers(ctx, d.state, await Promise.all(toy.all.map(n => answer(n, orphan))))
    expect(types(ok.commands)).toEqual(['publish', 'certified'])
    const d2 = await startDrive(ctx, g, orphan) // a state is consumed by the step it is given to
    const split = await feedAnswers(ctx, d2.state, [await answer(toy.stock[1]!, orphan, 'conflict')])
    expect(types(split.commands)).toEqual(['wait']) // then a recovery round
    const d3 = await startDrive(ctx, g, orphan)
    const dead = await feedAnswers(ctx, d3.state, [await answer(toy.stock[1]!, orphan, 'reject')])
    expect(types(dead.commands)).toEqual(['release', 'released'])
  })

  it('preferred proposer: the foil\'s first reachable member', async () => {
    const toy = await makeToy({ foil: 3 })
    const members = toy.genesis.state.members
    expect(preferredProposer(members, () => true)).toBe(toy.foil[0]!.key)
    expect(preferredProposer(members, k => k !== toy.foil[0]!.key)).toBe(toy.foil[1]!.key)
    expect(preferredProposer(members, () => false)).toBeUndefined()
    expect(backoffWindow(1, { baseMs: 100, capMs: 1000 })).toEqual({ minMs: 50, maxMs: 100 })
    expect(backoffWindow(9, { baseMs: 100, capMs: 1000 })).toEqual({ minMs: 500, maxMs: 1000 })
  })
})
