// A central, asynchronous model of the clearing plan (core/lift/relax.ts) for tests: one RelaxNode per user
// over the lading network's usable edges, messages (pushes, answers, prices) delivered after seeded random
// delays in any order, until no node has surplus and nothing is in flight.
import { RelaxNode } from '../../../../src/core/lift/relax'
import { seededRandom } from '../../../../src/node/net/sim/random'
import type { LadingNetwork } from '../../../sim/reference'

export interface ModelResult {
  nodes: RelaxNode[]
  /** Planned units per usable edge as its giver holds them, and as its receiver does. */
  giverX: number[]
  receiverX: number[]
  caps: number[]
  ends: Array<{ from: number, to: number }>
  messages: number
  events: number
  value: number
}

export function runRelaxModel (net: LadingNetwork, seed: number, maxEvents = 5_000_000): ModelResult {
  const index = new Map(net.users.map((u, i) => [u, i]))
  const usable = net.edges.filter(e => e.clutch <= 0 && e.free > 0)
  const ends = usable.map(e => ({ from: index.get(e.giver)!, to: index.get(e.receiver)! }))
  const arcsOf: Array<Array<{ tally: string, out: boolean, cap: number, other: number }>> = net.users.map(() => [])
  usable.forEach((e, k) => {
    arcsOf[ends[k]!.from]!.push({ tally: e.tally, out: true, cap: e.free, other: ends[k]!.to })
    arcsOf[ends[k]!.to]!.push({ tally: e.tally, out: false, cap: e.free, other: ends[k]!.from })
  })
  const nodes = arcsOf.map(a => new RelaxNode(a))
  const rnd = seededRandom(seed)
  type Msg = { at: number, run: () => void }
  const queue: Msg[] = []
  let now = 0
  let messages = 0
  const send = (run: () => void): void => { messages++; queue.push({ at: now + 1 + Math.floor(rnd.float() * 5), run }) }
  const wake = (i: number): void => {
    const node = nodes[i]!
    const step = node.step()
    const pushed = new Set<number>()
    for (const p of step.pushes) {
      const arc = arcsOf[i]![p.arc]!
      pushed.add(arc.other)
      send(() => {
        const j = arc.other
        const theirs = nodes[j]!.arcOf(p.tally)!
        const ok = nodes[j]!.receive(theirs, p.delta, p.price)
        const price = nodes[j]!.price
        send(() => { node.answered(p.arc, ok, price); wake(i) })
        wake(j)
      })
    }
    if (step.raisedTo !== undefined) {
      const price = step.raisedTo
      arcsOf[i]!.forEach((arc, k) => {
        if (pushed.has(arc.other)) return
        send(() => { const j = arc.other; nodes[j]!.heard(nodes[j]!.arcOf(arc.tally)!, price); wake(j) })
        void k
      })
    }
  }
  nodes.forEach((_, i) => { wake(i) })
  let events = 0
  while (queue.length > 0) {
    if (++events > maxEvents) throw new Error('the plan did not settle')
    // Deliver the earliest message (ties: a seeded pick, so order varies with the seed).
    let best = 0
    for (let k = 1; k < queue.length; k++) if (queue[k]!.at < queue[best]!.at) best = k
    const [m] = queue.splice(best, 1)
    now = m!.at
    m!.run()
  }
  const giverX = usable.map((e, k) => nodes[ends[k]!.from]!.arcs[nodes[ends[k]!.from]!.arcOf(e.tally)!]!.x)
  const receiverX = usable.map((e, k) => nodes[ends[k]!.to]!.arcs[nodes[ends[k]!.to]!.arcOf(e.tally)!]!.x)
  return { nodes, giverX, receiverX, caps: usable.map(e => e.free), ends, messages, events, value: giverX.reduce((s, x) => s + x, 0) }
}
