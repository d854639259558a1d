// The tally machine inside the certified diary (src/core/diary): entries of real tally actions, certified by
// both parties' member nodes, verified offline from the genesis; key-chain faults reject whole entries;
// a re-seat is certified by the partner's majority alone.
import { describe, expect, it } from 'vitest'
import {
  applyActions, entryHash, genesisHead, makeCertificate, signAnswer, signEntry, verifyHistory,
  type Certificate, type DiaryContext, type Entry, type Genesis, type Head
} from '../../../../src/core/diary'
import { sha256 } from '../../../../src/core/codec/hash'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { tallyMachine } from '../../../../src/core/tally/machine'
import { balanceOf, tallyGenesis, type TallyState } from '../../../../src/core/tally/state'
import type { TallyAction } from '../../../../src/core/chit/types'
import { Device, TALLY_ID, chitId, openWorld, p } from './fixtures'

interface Node { secret: Uint8Array, key: string }
async function node (name: string): Promise<Node> {
  const secret = sha256(new TextEncoder().encode(`tally-diary-node:${name}`))
  return { secret, key: toBase64url(await p.publicKey(secret)) }
}

const machine = tallyMachine(p)

async function codeOf (x: Promise<unknown>): Promise<string> {
  try { await x } catch (e) { return (e as { code?: string }).code ?? String(e) }
  return 'resolved'
}

describe('the tally machine in the certified diary', () => {
  it('certifies payments, invoices, refusals, a membership change and a re-seat, and verifies them offline from genesis', async () => {
    const stock = [await node('s0')]
    const foil = [await node('f0'), await node('f1'), await node('f2')]
    const w = await openWorld({ nodes: { stock: stock.map(n => n.key), foil: foil.map(n => n.key) } })
    const ctx: DiaryContext<TallyState, TallyAction> = { provider: p, machine, tally: TALLY_ID }
    const genesis: Genesis<TallyState> = await tallyGenesis(p, w.signed)
    expect(genesis).toEqual({ tally: TALLY_ID, hash: w.state.doc, state: w.state })
    const alice = new Device(w.alice, 'foil')
    const bob = new Device(w.bob, 'stock')
    const certs: Certificate<TallyAction>[] = []
    let head: Head<TallyState> = genesisHead(genesis)

    async function entry (author: Node, actions: TallyAction[]): Promise<Entry<TallyAction>> {
      const { refused } = await applyActions(machine, head.state, actions)
      return signEntry(p, author.secret, { tally: TALLY_ID, seq: head.seq + 1, prev: head.hash, author: author.key, attempt: 0, actions, refused })
    }
    // round: absent = the fast round 0 (needs the fast quorum of each party); a recovery round needs a strict majority
    async function commit (author: Node, actions: TallyAction[], approvers: Node[], round?: { n: number, by: string }): Promise<void> {
      const e = await entry(author, actions)
      const approvals = await Promise.all(approvers.map(n => signAnswer(p, n.secret, { tally: TALLY_ID, seq: e.body.seq, entry: entryHash(e), verdict: 'approve', ...(round === undefined ? {} : { round }) })))
      certs.push(makeCertificate(e, approvals))
      head = { seq: e.body.seq, hash: entryHash(e), state: (await applyActions(machine, head.state, actions)).state }
    }

    const everyone = [...stock, ...foil]
    await commit(foil[0]!, [await alice.sign({ op: 'pay', chit: chitId(), units: 4000 })], everyone)
    const inv = chitId()
    await commit(foil[0]!, [await bob.sign({ op: 'invoice', chit: inv, units: 2500 }), await alice.sign({ op: 'pay', chit: chitId(), units: 2500, invoice: inv })], everyone)
    await commit(stock[0]!, [await bob.sign({ op: 'pay', chit: chitId(), units: 999_999 })], [stock[0]!, foil[0]!, foil[1]!], { n: 1, by: stock[0]!.key }) // refused, recorded; 2 of 3 foil: a recovery round
    expect(certs[2]!.entry.body.refused).toEqual([{ index: 0, code: 'OVER_LIMIT' }])
    // the foil lost two of its three devices: a device restored from the phrase re-seats it; only the stock approves
    const restored = await node('f-restored')
    const reseat = await new Device(w.alice, 'foil', head.state.foil.chain.index).sign({ op: 'reseat', members: [{ key: restored.key, weight: 1 }] })
    await commit(stock[0]!, [reseat], stock)
    expect(head.state.foil.members).toEqual([{ key: restored.key, weight: 1 }])
    // from now on the restored device speaks for the foil
    await commit(restored, [await bob.sign({ op: 'pay', chit: chitId(), units: 500 })], [stock[0]!, restored])

    const verified = await verifyHistory(ctx, genesis, JSON.parse(JSON.stringify(certs)) as unknown[])
    expect(verified.entries).toBe(5)
    expect(verified.refused).toBe(1)
    expect(verified.head.state).toEqual(head.state)
    expect(balanceOf(verified.head.state, 'stock')).toBe(4000 + 2500 - 500)
    expect(balanceOf(verified.head.state, 'foil')).toBe(-6000)

    // a tampered amount breaks the entry's author signature; a stale chain key makes the entry invalid
    const tampered = JSON.parse(JSON.stringify(certs)) as Array<{ entry: { body: { actions: Array<{ action: { body: { op: { units: number } } } }> } } }>
    tampered[0]!.entry.body.actions[0]!.action.body.op.units = 1
    expect(await codeOf(verifyHistory(ctx, genesis, tampered))).toBe('INVALID_SIGNATURE')
    const replayed = [certs[0]!.entry.body.actions[0]!]
    expect(await codeOf(applyActions(machine, head.state, replayed))).toBe('KEY_USED')
    const e = await signEntry(p, stock[0]!.secret, { tally: TALLY_ID, seq: head.seq + 1, prev: head.hash, author: stock[0]!.key, attempt: 0, actions: replayed, refused: [] })
    const approvals = await Promise.all([stock[0]!, restored].map(n => signAnswer(p, n.secret, { tally: TALLY_ID, seq: e.body.seq, entry: entryHash(e), verdict: 'approve' })))
    expect(await codeOf(verifyHistory(ctx, genesis, [...certs, makeCertificate(e, approvals)]))).toBe('KEY_USED')
  })
})
