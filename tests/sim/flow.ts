// Exact maximum circulation on a directed multigraph with integer capacities (test and bench code only).
//
// "Maximize Σ_e f(e) subject to 0 ≤ f(e) ≤ cap(e) and flow conservation at every node" is a min-cost
// circulation with cost −1 per unit on every edge. It is solved exactly by saturating every edge first
// (f = cap: the most any edge can carry) and then routing the resulting imbalance back as cheaply as
// possible: the residual graph then only holds "undo" arcs of cost +1, so a min-cost flow from the nodes
// with surplus inflow to those with surplus outflow (primal-dual: Dijkstra on reduced costs for the
// potentials, then a Dinic blocking flow on the zero-reduced-cost arcs, repeated) removes the fewest
// units. Every phase raises the source–sink distance by at least one, so there are at most n + 2 phases.
// `isOptimal` checks the result independently: a circulation is maximal iff its residual graph has no
// negative cycle (Bellman–Ford).

export interface FlowEdge {
  from: number
  to: number
  /** Non-negative integer capacity. */
  cap: number
}

export interface Circulation {
  /** Σ over edges of the flow on the edge. */
  value: number
  /** Flow per edge, in the order of the input edges. */
  flow: number[]
}

export class FlowInputError extends Error {
  readonly code = 'BAD_FLOW_INPUT'
}

/** Arcs of a residual graph, in pairs: arc 2k and arc 2k+1 are each other's reverse. */
class Residual {
  readonly head: number[] = []
  readonly res: number[] = []
  readonly cost: number[] = []
  readonly out: number[][]

  constructor (readonly n: number) {
    this.out = Array.from({ length: n }, () => [])
  }

  /** Adds arc u→v (capacity cap, cost) and its reverse v→u (capacity 0, −cost); returns the forward arc. */
  add (u: number, v: number, cap: number, cost: number): number {
    const a = this.head.length
    this.head.push(v, u)
    this.res.push(cap, 0)
    this.cost.push(cost, -cost)
    this.out[u]!.push(a)
    this.out[v]!.push(a + 1)
    return a
  }

  tail (a: number): number { return this.head[a ^ 1]! }
}

function checkInput (nodes: number, edges: readonly FlowEdge[]): void {
  if (!Number.isSafeInteger(nodes) || nodes < 0) throw new FlowInputError(`node count must be a non-negative integer, not ${nodes}`)
  edges.forEach((e, i) => {
    if (!Number.isSafeInteger(e.from) || !Number.isSafeInteger(e.to) || e.from < 0 || e.to < 0 || e.from >= nodes || e.to >= nodes) {
      throw new FlowInputError(`edge ${i}: endpoints must be nodes 0..${nodes - 1}`)
    }
    if (e.from === e.to) throw new FlowInputError(`edge ${i}: a self-loop is not a lift edge`)
    if (!Number.isSafeInteger(e.cap) || e.cap < 0) throw new FlowInputError(`edge ${i}: capacity must be a non-negative integer, not ${e.cap}`)
  })
}

/** The circulation with the largest Σ of edge flows (exact, integral). */
export function maxCirculation (nodes: number, edges: readonly FlowEdge[]): Circulation {
  checkInput(nodes, edges)
  const n = nodes + 2
  const source = nodes
  const sink = nodes + 1
  const g = new Residual(n)
  // Each input edge u→v, saturated: its forward arc (cost −1) has no room left, its reverse (cost +1,
  // "carry one unit less") has room cap.
  const arcOf = edges.map(e => {
    const a = g.add(e.from, e.to, 0, -1)
    g.res[a + 1] = e.cap
    return a
  })
  const excess = new Array<number>(nodes).fill(0)
  for (const e of edges) { excess[e.to]! += e.cap; excess[e.from]! -= e.cap }
  let needed = 0
  for (let v = 0; v < nodes; v++) {
    const x = excess[v]!
    if (x > 0) { g.add(source, v, x, 0); needed += x } else if (x < 0) g.add(v, sink, -x, 0)
  }
  const potential = new Array<number>(n).fill(0)
  let routed = 0
  while (routed < needed) {
    const dist = shortestReduced(g, potential, source)
    const dt = dist[sink]!
    if (dt === Infinity) throw new Error('flow: the imbalance cannot be routed back (internal error)')
    for (let v = 0; v < n; v++) potential[v]! += Math.min(dist[v]!, dt)
    routed += blockingFlow(g, potential, source, sink)
  }
  const flow = arcOf.map(a => g.res[a + 1]!)
  return { value: flow.reduce((s, f) => s + f, 0), flow }
}

/** Dijkstra from `s` over arcs with room, on reduced costs (all ≥ 0 under valid potentials). */
function shortestReduced (g: Residual, potential: number[], s: number): number[] {
  const dist = new Array<number>(g.n).fill(Infinity)
  dist[s] = 0
  const heap = new MinHeap()
  heap.push(0, s)
  while (heap.size > 0) {
    const [d, u] = heap.pop()
    if (d > dist[u]!) continue
    for (const a of g.out[u]!) {
      if (g.res[a]! <= 0) continue
      const v = g.head[a]!
      const nd = d + g.cost[a]! + potential[u]! - potential[v]!
      if (nd < dist[v]!) { dist[v] = nd; heap.push(nd, v) }
    }
  }
  return dist
}

/** Max flow from s to t over the admissible arcs (room left, reduced cost 0): Dinic, returns units moved. */
function blockingFlow (g: Residual, potential: number[], s: number, t: number): number {
  const admissible = (a: number): boolean => g.res[a]! > 0 && g.cost[a]! + potential[g.tail(a)]! - potential[g.head[a]!]! === 0
  let total = 0
  for (;;) {
    const level = new Array<number>(g.n).fill(-1)
    level[s] = 0
    const queue = [s]
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i]!
      for (const a of g.out[u]!) {
        const v = g.head[a]!
        if (level[v] === -1 && admissible(a)) { level[v] = level[u]! + 1; queue.push(v) }
      }
    }
    if (level[t] === -1) return total
    const next = new Array<number>(g.n).fill(0)
    // Iterative DFS (paths can be as long as the graph): push along level-increasing admissible arcs.
    for (;;) {
      const path: number[] = []
      let u = s
      while (u !== t) {
        const arcs = g.out[u]!
        let advanced = false
        while (next[u]! < arcs.length) {
          const a = arcs[next[u]!]!
          const v = g.head[a]!
          if (level[v] === level[u]! + 1 && admissible(a)) { path.push(a); u = v; advanced = true; break }
          next[u]!++
        }
        if (advanced) continue
        if (u === s) break
        // Dead end: retreat and never try it again in this phase.
        level[u] = -1
        const back = path.pop()!
        u = g.tail(back)
        next[u]!++
      }
      if (u !== t) break
      let push = Infinity
      for (const a of path) push = Math.min(push, g.res[a]!)
      for (const a of path) { g.res[a]! -= push; g.res[a ^ 1]! += push }
      total += push
    }
  }
}

class MinHeap {
  readonly #keys: number[] = []
  readonly #vals: number[] = []
  get size (): number { return this.#keys.length }

  push (key: number, val: number): void {
    const k = this.#keys; const v = this.#vals
    let i = k.length
    k.push(key); v.push(val)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (k[p]! <= key) break
      k[i] = k[p]!; v[i] = v[p]!
      i = p
    }
    k[i] = key; v[i] = val
  }

  pop (): [number, number] {
    const k = this.#keys; const v = this.#vals
    const top: [number, number] = [k[0]!, v[0]!]
    const lastK = k.pop()!; const lastV = v.pop()!
    if (k.length > 0) {
      let i = 0
      for (;;) {
        let c = 2 * i + 1
        if (c >= k.length) break
        if (c + 1 < k.length && k[c + 1]! < k[c]!) c++
        if (k[c]! >= lastK) break
        k[i] = k[c]!; v[i] = v[c]!
        i = c
      }
      k[i] = lastK; v[i] = lastV
    }
    return top
  }
}

/** Whether `flow` is a circulation within the capacities (conservation at every node, 0 ≤ f ≤ cap). */
export function isCirculation (nodes: number, edges: readonly FlowEdge[], flow: readonly number[]): boolean {
  if (flow.length !== edges.length) return false
  const balance = new Array<number>(nodes).fill(0)
  for (const [i, e] of edges.entries()) {
    const f = flow[i]!
    if (!Number.isSafeInteger(f) || f < 0 || f > e.cap) return false
    balance[e.to]! += f
    balance[e.from]! -= f
  }
  return balance.every(b => b === 0)
}

/**
 * Optimality certificate, independent of how `flow` was found: a circulation has the largest Σ f iff
 * its residual graph (room cap − f at cost −1 forward, room f at cost +1 backward) has no negative cycle.
 */
export function isOptimal (nodes: number, edges: readonly FlowEdge[], flow: readonly number[]): boolean {
  const arcs: Array<[number, number, number]> = []
  for (const [i, e] of edges.entries()) {
    if (flow[i]! < e.cap) arcs.push([e.from, e.to, -1])
    if (flow[i]! > 0) arcs.push([e.to, e.from, 1])
  }
  // Bellman–Ford from a virtual root joined to every node at cost 0.
  const dist = new Array<number>(nodes).fill(0)
  for (let round = 0; round < nodes; round++) {
    let changed = false
    for (const [u, v, c] of arcs) if (dist[u]! + c < dist[v]!) { dist[v] = dist[u]! + c; changed = true }
    if (!changed) return true
  }
  return false
}
