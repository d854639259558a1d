// The phases of a payment lift P → X → Q, from the events the three wallets logged (wallet-worker.ts):
// where the time between the request and the decision goes. Medians over the lifts measured.
import type { TimedEvent } from './messages'

/** Phase name → [from, to] as (node, event, leg?). */
const PHASES: Array<[string, [string, string, number?], [string, string, number?]]> = [
  ['discovery + record (P)', ['P', 'pay.start'], ['P', 'lift.originate']],
  ['promise request 0 reaches X', ['P', 'lift.originate'], ['X', 'lift.received', 0]],
  ['chit 0 certified, seen by X', ['X', 'lift.received', 0], ['X', 'lift.verified', 0]],
  ['X promises, request 1 reaches Q', ['X', 'lift.verified', 0], ['Q', 'lift.received', 1]],
  ['chit 1 certified, seen by Q', ['Q', 'lift.received', 1], ['Q', 'lift.verified', 1]],
  ['Q promises, calls', ['Q', 'lift.verified', 1], ['Q', 'lift.call']],
  ['referee decides (at P)', ['Q', 'lift.call'], ['P', 'referee.decided']],
  ['decision reaches the payer', ['P', 'referee.decided'], ['P', 'pay.end']]
]

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? Number.NaN : s[Math.floor(s.length / 2)]!
}

/** Median ms of each phase over the given lifts (phases with no sample are left out). */
export function phaseMedians (events: readonly TimedEvent[], lifts: readonly string[]): Record<string, number> {
  const byLift = new Map<string, TimedEvent[]>()
  for (const e of events) {
    if (e.lift === undefined) continue
    let list = byLift.get(e.lift)
    if (list === undefined) byLift.set(e.lift, list = [])
    list.push(e)
  }
  const find = (list: readonly TimedEvent[], [node, event, leg]: [string, string, number?]): number | undefined =>
    list.find(e => e.node === node && e.event === event && (leg === undefined || e.leg === leg))?.at
  const out: Record<string, number> = {}
  for (const [phase, from, to] of PHASES) {
    const samples: number[] = []
    for (const id of lifts) {
      const list = byLift.get(id) ?? []
      const a = find(list, from)
      const b = find(list, to)
      if (a !== undefined && b !== undefined) samples.push(b - a)
    }
    if (samples.length > 0) out[phase] = Math.round(median(samples) * 10) / 10
  }
  return out
}

/** Every event between the request and the answer of the lift at quantile `q` of latency (the median by default), relative ms. */
export function timeline (events: readonly TimedEvent[], lifts: readonly string[], sortedMs: readonly number[], q = 0.5): string {
  const mid = sortedMs[Math.min(sortedMs.length - 1, Math.floor(sortedMs.length * q))]
  const starts = new Map(events.filter(e => e.event === 'pay.start').map(e => [e.lift, e.at]))
  const ends = new Map(events.filter(e => e.event === 'pay.end').map(e => [e.lift, e.at]))
  let best: string | undefined
  let gap = Number.POSITIVE_INFINITY
  for (const id of lifts) {
    const d = Math.abs((ends.get(id) ?? 0) - (starts.get(id) ?? 0) - (mid ?? 0))
    if (d < gap) { gap = d; best = id }
  }
  const t0 = starts.get(best) ?? 0
  const t1 = ends.get(best) ?? 0
  return events.filter(e => e.at >= t0 && e.at <= t1 + Number(process.env.LIFT_LIBP2P_TAIL ?? 5)).sort((a, b) => a.at - b.at)
    .map(e => `${(e.at - t0).toFixed(1).padStart(7)} ${e.node} ${e.event}${e.leg !== undefined ? ` leg ${e.leg}` : ''}`).join('\n')
}

/** Median round trip of the requests each node sent, per protocol (from the '> proto' and '< proto' trace events, in order). */
export function requestTimes (events: readonly TimedEvent[]): Record<string, number> {
  const open = new Map<string, number[]>()
  const out = new Map<string, number[]>()
  for (const e of [...events].sort((a, b) => a.at - b.at)) {
    const m = /^([<>]) (\S+)/.exec(e.event)
    if (m === null) continue
    const key = `${e.node} ${m[2]!}`
    if (m[1] === '>') { let l = open.get(key); if (l === undefined) open.set(key, l = []); l.push(e.at); continue }
    const start = open.get(key)?.shift()
    if (start === undefined) continue
    let l = out.get(key)
    if (l === undefined) out.set(key, l = [])
    l.push(e.at - start)
  }
  return Object.fromEntries([...out].map(([k, v]) => [k, Math.round(median(v) * 10) / 10]))
}
