// Lifts between real wallet nodes over libp2p on loopback (outside the simulator). Three Node wallet nodes
// P, X, Q, EACH IN ITS OWN WORKER THREAD (its own event loop, as on its own machine; native Ed25519 through
// WebCrypto), tallies P–X and X–Q opened through the real invitation flow. P pays Q, with whom it has no
// tally, through X: discovery (/mychips/route/1.0.0), the lift (/mychips/lift/1.0.0), the referee (P's own
// node) and three certified diary entries per leg. Two link setups, each measured on its own trio:
// - relayed: every link goes through the project's relay (relay/server.ts on the main thread, 1 GiB data
//   limit per relayed connection so that its reset policy is not what is measured) — how browsers connect;
// - direct: the nodes listen on loopback WebSockets and dial each other, no relay — how cloud nodes connect.
// Figures, per setup:
// - latency: one payment at a time, request (pay) → good at the payer, p50 and p99 (target ≤ 100 ms), with
//   the median of each phase (phases.ts);
// - concurrency (relayed setup): payments started at once, all carried by X (the intermediary holds every
//   lift's two chits); reported: the largest batch in which every lift ended good (target ≥ 100).
// Smoke mode: 3 warm-up and 5 measured payments per setup, a batch of 10.
// Knobs (investigation only; the figures above use none): LIFT_LIBP2P_LINKS=relayed|direct (one setup),
// LIFT_LIBP2P_N (measured payments), LIFT_LIBP2P_WARM (warm-up payments), LIFT_LIBP2P_TRACE=1 (every
// request timed; timelines of the median and the slowest lift, LIFT_LIBP2P_TAIL ms after it; median round
// trip per protocol), LIFT_LIBP2P_THREADS=1 (CPU per lift of every thread), LIFT_LIBP2P_PROF=<dir> (a CPU
// profile of each wallet thread while measuring), DEBUG_WALLET=1 (the nodes' logs).
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { startRelay } from '../../relay/server'
import { phaseMedians, requestTimes, timeline } from './lift-libp2p/phases'
import { remoteTrio, type RemoteTrio } from './lift-libp2p/remote'
import type { TimedEvent } from './lift-libp2p/messages'
import type { Bench, BenchContext } from './types'

/** Payments before the measured ones: connections, code paths, verify caches, and each thread's JIT (every worker
 * warms its own; a wallet node that has been running a while is warm). */
/** Payments measured back to back after the one-at-a-time ones. */
const BACK_TO_BACK = 50

const warmUp = (smoke: boolean): number => Number(process.env.LIFT_LIBP2P_WARM ?? (smoke ? 3 : 30))

function percentile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

function round (x: number): number {
  return Math.round(x * 100) / 100
}

/** tid → [name, utime+stime in clock ticks] of this process's threads (Linux). */
function threadTimes (): Map<string, [string, number]> {
  const out = new Map<string, [string, number]>()
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(tid, [comm, Number(f[11]) + Number(f[12])])
    }
  } catch { /* not Linux */ }
  return out
}

function perLift (counts: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round(v / n)]))
}

/** Payments one after the other; `settle`: each starts once the previous one is settled at every node. */
async function payments (trio: RemoteTrio, link: string, n: number, settle: boolean): Promise<{ ms: number[], ids: string[], rediscovered: number[] }> {
  const { p, x, q } = trio
  const ms: number[] = []
  const ids: string[] = []
  /** Latencies of the payments whose first discovery found no route in its budget (they ran a second). */
  const rediscovered: number[] = []
  for (let i = 0; i < n; i++) {
    if (settle) await Promise.all([p, x, q].map(async w => await w.call('settle', 10_000)))
    const lift = await p.call('liftPay', q.userId, 1 + (i % 5))
    if (lift.status !== 'good') throw new Error(`${link}: payment ${i} ended ${lift.status} (${lift.code ?? ''})`)
    ms.push(lift.ms)
    ids.push(lift.id)
    if (lift.discoveries > 1) rediscovered.push(round(lift.ms))
  }
  ms.sort((a, b) => a - b)
  return { ms, ids, rediscovered }
}

/**
 * One payment at a time, each started once the previous one is settled everywhere (its decision recorded
 * on both tallies by all three nodes), so that it is measured alone: p50, p99, the phase medians, what
 * each node signed, verified and sent, and CPU time (all threads). Then, outside smoke mode, payments
 * back to back (each right after the payer learnt the last one good, whose tail still runs at X and Q).
 */
async function latency (ctx: BenchContext, trio: RemoteTrio, link: 'relayed' | 'direct', n: number): Promise<void> {
  const { p, x, q } = trio
  const kinds = [...new Set([...await p.call('links'), ...await q.call('links')])]
  if (kinds.length !== 1 || kinds[0] !== link) throw new Error(`the ${link} setup holds ${JSON.stringify(kinds)} links`)
  const warm = warmUp(ctx.smoke)
  await payments(trio, link, warm, false)
  await Promise.all([p, x, q].map(async w => await w.call('events', true)))
  const tasks0 = threadTimes()
  const cpu0 = process.cpuUsage()
  const wall0 = performance.now()
  const { ms, ids, rediscovered } = await payments(trio, link, n, true)
  const cpu = process.cpuUsage(cpu0)
  const wallMs = round((performance.now() - wall0) / n)
  if (process.env.LIFT_LIBP2P_THREADS !== undefined) {
    const tasks1 = threadTimes()
    const rows = [...tasks1].map(([tid, [comm, t]]) => [tid, comm, round((t - (tasks0.get(tid)?.[1] ?? 0)) * 10 / n)] as const).filter(r => r[2] > 0.5).sort((a, b) => b[2] - a[2])
    ctx.log(`CPU ms per lift by thread: ${JSON.stringify(rows)}`)
  }
  const counts = Object.fromEntries(await Promise.all([p, x, q].map(async w => [w.name, perLift(await w.call('stats'), n)] as const)))
  const events: TimedEvent[] = (await Promise.all([p, x, q].map(async w => await w.call('events', false)))).flat()
  const extra = { payments: n, warmUp: warm, users: 3, legs: 2, link: `${link} (loopback)`, threads: 'one worker thread per wallet', crypto: 'webcrypto', load: loadAverage() }
  ctx.report({ bench: 'lift-libp2p', metric: `payment lift request→good p50, ${link}`, value: round(percentile(ms, 0.5)), unit: 'ms', target: '<= 100 ms', ...extra })
  ctx.report({ bench: 'lift-libp2p', metric: `payment lift request→good p99, ${link}`, value: round(percentile(ms, 0.99)), unit: 'ms', p90: round(percentile(ms, 0.9)), slowest: ms.slice(-5).map(round), rediscovered, ...extra })
  const phases = phaseMedians(events, ids)
  if (process.env.LIFT_LIBP2P_TRACE !== undefined) {
    ctx.log(`timeline of the median lift:\n${timeline(events, ids, ms)}`)
    ctx.log(`timeline of the slowest lift:\n${timeline(events, ids, ms, 1)}`)
    ctx.log(`median request round trip (ms) by sender and protocol: ${JSON.stringify(requestTimes(events))}`)
  }
  ctx.report({
    bench: 'lift-libp2p', metric: `payment lift phases, medians, ${link}`, value: round(Object.values(phases).reduce((a, b) => a + b, 0)), unit: 'ms',
    phases, perLift: { ...counts, cpuMsAllThreads: round((cpu.user + cpu.system) / 1000 / n), wallMs }, ...extra
  })
  if (ctx.smoke) return
  const b2b = await payments(trio, link, BACK_TO_BACK, false)
  const more = { ...extra, payments: BACK_TO_BACK, load: loadAverage() }
  ctx.report({ bench: 'lift-libp2p', metric: `payment lift request→good p50, ${link}, back to back`, value: round(percentile(b2b.ms, 0.5)), unit: 'ms', ...more })
  ctx.report({ bench: 'lift-libp2p', metric: `payment lift request→good p99, ${link}, back to back`, value: round(percentile(b2b.ms, 0.99)), unit: 'ms', ...more })
}

/** The machine is shared: the 1, 5 and 15 min load averages when a figure was taken. */
function loadAverage (): number[] {
  return loadavg().map(l => round(l))
}

/** Batches of payments started at once: the largest in which every lift ended good. */
async function concurrency (ctx: BenchContext, trio: RemoteTrio, link: string, batches: number[]): Promise<void> {
  let carried = 0
  for (const n of batches) {
    const r = await trio.p.call('batch', trio.q.userId, n)
    ctx.log(`${link}: ${n} concurrent payments: ${r.good} good in ${round(r.ms / 1000)} s; failed ${JSON.stringify(r.failed.slice(0, 5))} other ${JSON.stringify(r.other.slice(0, 5))}`)
    if (r.good !== n) break
    carried = n
  }
  ctx.report({ bench: 'lift-libp2p', metric: 'lifts one node carries at once without failures', value: carried, unit: 'lifts', target: '>= 100', tried: batches, node: 'X (intermediary)', link: `${link} (loopback)`, threads: 'one worker thread per wallet' })
}

/** LIFT_LIBP2P_LINKS=relayed|direct: only that setup (default both). */
function wanted (link: 'relayed' | 'direct'): boolean {
  const only = process.env.LIFT_LIBP2P_LINKS
  return only === undefined || only.split(',').includes(link)
}

const bench: Bench = async (ctx) => {
  const latencyN = ctx.smoke ? 5 : Number(process.env.LIFT_LIBP2P_N ?? 100)
  const batches = ctx.smoke ? [10] : [50, 100, 200]
  if (wanted('relayed')) await relayedSetup(ctx, latencyN, batches)
  if (wanted('direct')) await directSetup(ctx, latencyN)
}

async function relayedSetup (ctx: BenchContext, latencyN: number, batches: number[]): Promise<void> {
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dist: null, keyFile: null, logLevel: 'silent', limits: { relayDataBytes: 1024 ** 3 } })
  try {
    const addr = relay.multiaddrs[0]
    if (addr === undefined) throw new Error('the relay has no address')
    const relayed = await remoteTrio({ relay: addr, direct: false })
    try {
      await latency(ctx, relayed, 'relayed', latencyN)
      await concurrency(ctx, relayed, 'relayed', batches)
    } finally {
      await relayed.stop()
    }
  } finally {
    await relay.stop()
  }
}

async function directSetup (ctx: BenchContext, latencyN: number): Promise<void> {
  const direct = await remoteTrio({ direct: true })
  try {
    await latency(ctx, direct, 'direct', latencyN)
  } finally {
    await direct.stop()
  }
}

export default bench
