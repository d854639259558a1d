// The proposer state machine: collect, decide, rebase and retry with backoff, give up with a named error;
// and drive mode (a crashed author's pending entry taken to a certificate or a release proof).
import { describe, expect, it } from 'vitest'
import {
  entryHash, genesisHead, preferredProposer, backoffWindow, proposerStep, startDrive, startProposal,
  type ProposerCommand, type ProposerConfig, type ProposerContext, type ProposerState
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

describe('proposer', () => {
  it('sends to every member, then publishes the certificate once each party has a majority', async () => {
    const toy = await makeToy({ stock: 2, foil: 3 })
    const ctx = ctxOf(toy, toy.foil[0]!)
    const start = await startProposal(ctx, genesisHead(toy.genesis), [add(5)])
    expect(types(start.commands)).toEqual(['send', 'wait'])
    const send = start.commands[0] as { to: string[] }
    expect(send.to.sort()).toEqual(toy.all.map(n => n.key).sort())
    const e = start.state.entry
    const partial = await feedAnswers(ctx, start.state, [await answer(toy.stock[0]!, e), await answer(toy.stock[1]!, e), await answer(toy.foil[0]!, e)])
    expect(partial.commands).toEqual([])
    const done = await feedAnswers(ctx, partial.state, [await answer(toy.foil[2]!, e)])
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

  it('lost race: publishes the release proof, drives the competitor, backs off, then retries with a new attempt', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    const g = genesisHead(toy.genesis)
    const start = await startProposal(ctx, g, [add(5)])
    const e = start.state.entry
    const rival = await entryOn(toy, g, toy.foil[1]!, [add(1)])
    const conflict = await (await import('../../../../src/core/diary')).signAnswer(ctx.provider, toy.stock[1]!.secret, {
      tally: toy.ctx.tally, seq: 1, entry: entryHash(e), verdict: 'conflict', reserved: entryHash(rival)
    })
    const r = await feedAnswers(ctx, start.state, [conflict])
    expect(types(r.commands)).toEqual(['release', 'drive', 'wait'])
    expect(r.commands[1]).toMatchObject({ type: 'drive', hash: entryHash(rival), from: toy.stock[1]!.key })
    expect(r.commands[2]).toEqual({ type: 'wait', ...backoffWindow(1, config.backoff) })
    const retry = await proposerStep(ctx, r.state, { type: 'timer' })
    expect(types(retry.commands)).toEqual(['send', 'wait'])
    expect(retry.state.entry.body.attempt).toBe(1)
    expect(retry.state.hash).not.toBe(entryHash(e))
  })

  it('gives up after maxAttempts (PROPOSAL_GAVE_UP)', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.foil[0]!)
    let state = (await startProposal(ctx, genesisHead(toy.genesis), [add(5)])).state
    let last: ProposerCommand<ToyAction>[] = []
    for (let i = 0; i < config.maxAttempts; i++) {
      const r = await feedAnswers(ctx, state, [await answer(toy.stock[1]!, state.entry, 'conflict')])
      const t = await proposerStep(ctx, r.state, { type: 'timer' })
      state = t.state; last = t.commands
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
    const t2 = await proposerStep(ctx, t1.state, { type: 'timer' })
    const t3 = await proposerStep(ctx, t2.state, { type: 'timer' })
    expect(t3.commands).toEqual([{ type: 'failed', error: expect.objectContaining({ code: 'PROPOSAL_STALLED' }) }])
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

  it('drive mode: takes a crashed author\'s entry to a certificate, or to a release proof', async () => {
    const toy = await makeToy()
    const ctx = ctxOf(toy, toy.stock[0]!)
    const g = genesisHead(toy.genesis)
    const orphan = await entryOn(toy, g, toy.foil[0]!, [add(1)])
    const d = await startDrive(ctx, g, orphan)
    expect(types(d.commands)).toEqual(['send', 'wait'])
    const ok = await feedAnswers(ctx, d.state, await Promise.all(toy.all.map(n => answer(n, orphan))))
    expect(types(ok.commands)).toEqual(['publish', 'certified'])
    const d2 = await startDrive(ctx, g, orphan) // a state is consumed by the step it is given to
    const dead = await feedAnswers(ctx, d2.state, [await answer(toy.stock[1]!, orphan, 'conflict')])
    expect(types(dead.commands)).toEqual(['release', 'drive', 'released'])
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
