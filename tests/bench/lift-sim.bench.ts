// Lifts in the simulator (issue 5 figures) on a random network (tests/sim/generate.ts) of 1,000 users and
// 3,000 tallies, 50 ms per hop, real node runtime and Ed25519 (tests/sim/world.ts):
// - clearing: with the clearing plan (docs/lifts.md §10; LIFT_SIM_PLAN=ms of pushing, default 8,000; 0: greedy,
//   every user looks for circular lifts at staggered times, two rounds in the first 50 s), every user asks to
//   clear once within the plan's join time; the share of the reference's exact maximum clearable debt
//   (tests/sim/reference.ts) cleared within 60 simulated s (LIFT_SIM_UNTIL to change);
// - payments: random payer/payee pairs without a shared tally for which the reference finds a route (≤ maxDepth
//   legs, every leg's free lading ≥ its units with the intermediaries' clutch fees, fee within pay's default
//   1 % limit), one every `spacing` ms; the share that ends good;
// - discovery latency (action → lift record), lift latency (record → decision), p50/p99; messages per lift;
// - wall time of setup (tests/sim/world.ts: negotiated up to 100 tallies, else built directly into the stores,
//   the same records either way) and of the 60 simulated seconds, peak RSS.
// Two separate worlds (clearing changes the lading payments would be judged on); LIFT_SIM_PARTS=clearing or
// =payments runs one. Smoke: 30 users, 90 tallies, one clearing round, 3 payments.
import { loadavg } from 'node:os'
import { generateNetwork, scenarioOf, staggeredClears } from '../sim/generate'
import type { GeneratedNetwork } from '../sim/generate'
import { clearableDebt, greedyClearing, ladingNetwork, routeExists } from '../sim/reference'
import type { LadingEdge, LadingNetwork } from '../sim/reference'
import { edgeLading } from '../../src/core/lift/lading'
import { parseScenario } from '../sim/scenario'
import type { Scenario, ScenarioAction } from '../sim/scenario'
import { buildReport } from '../sim/report'
import type { SimReport } from '../sim/report'
import { SimWorld } from '../sim/world'
import { seededRandom } from '../../src/node/net/sim/random'
import { DEFAULT_LIFT_CONFIG } from '../../src/node/services/lifts/contracts'
import type { LiftLedger } from '../../src/node/services/lifts/contracts'
import type { Bench, BenchContext } from './types'

/** Time a plan epoch spreads before the pushes start (the bench network's diameter is ~10 hops of 50 ms). */
const PLAN_JOIN_MS = 1_500
/** Walks stop here (the plan's lift window ends), a little before UNTIL. */
const PLAN_WALKS_END = 55_000
/** Virtual time after UNTIL before the safety checks are read (figures are read at UNTIL). */
const SETTLE_MS = 30_000
const BENCH = 'lift-sim'
const HOP_MS = 50
const UNTIL = Number(process.env.LIFT_SIM_UNTIL ?? 60_000)
/** pay's default fee limit (services/lifts/service.ts DEFAULT_FEE_SHARE). */
const FEE_SHARE = 0.01

interface Run {
  /** At UNTIL (the figures). */
  report: SimReport
  /** SETTLE_MS later, with no new action (the safety checks). */
  settled: SimReport
  /** How the world's tallies were set up (tests/sim/world.ts). */
  setupMode: string
  setupMs: number
  runMs: number
  /** CPU time (user + system) of this process, ms: what the run costs when the machine is shared. */
  setupCpuMs: number
  runCpuMs: number
}

function cpuMs (since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since)
  return (u.user + u.system) / 1000
}

async function run (ctx: BenchContext, scenario: Scenario, label: string, prepare?: (world: SimWorld) => void): Promise<Run> {
  const world = new SimWorld(parseScenario(scenario), { log: line => { ctx.log(`${label}: ${line}`) } })
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  await world.build()
  const t1 = performance.now()
  const setupCpuMs = cpuMs(c0)
  const c1 = process.cpuUsage()
  ctx.log(`${label}: setup ${((t1 - t0) / 1000).toFixed(1)} s wall, ${(setupCpuMs / 1000).toFixed(1)} s CPU (${world.tallies.length} tallies)`)
  // Progress every 5 simulated seconds (a long run on a shared machine otherwise says nothing for minutes).
  let last = performance.now()
  const tick = (): void => {
    ctx.log(`${label}: t = ${world.now() / 1000} s, ${((performance.now() - last) / 1000).toFixed(1)} s wall since the last line, ${world.net.counters.delivered - world.setupMessages} messages`)
    last = performance.now()
    if (world.now() + 5_000 < UNTIL) world.time.timers.setTimeout(tick, 5_000)
  }
  world.time.timers.setTimeout(tick, 5_000)
  prepare?.(world)
  await world.run()
  const t2 = performance.now()
  const runCpuMs = cpuMs(c1)
  ctx.log(`${label}: ${UNTIL / 1000} simulated s in ${((t2 - t1) / 1000).toFixed(1)} s wall, ${(runCpuMs / 1000).toFixed(1)} s CPU (${world.driver.steps} timer steps, ${world.crypto.issued} crypto operations)`)
  const report = await buildReport(world)
  // The figures are read at UNTIL; the safety checks (both sides of every tally agree, conservation, …) after
  // SETTLE_MS more with no new action, so that a certificate still on its way at UNTIL is not a disagreement.
  await world.driver.runUntil(world.start + UNTIL + SETTLE_MS)
  const settled = await buildReport(world)
  await world.stop().catch((err: unknown) => { ctx.log(`${label}: stop failed: ${String(err)}`) })
  return { report, settled, setupMode: world.setupMode, setupMs: t1 - t0, runMs: t2 - t1, setupCpuMs, runCpuMs }
}

function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))]!
}

/** Action → lift record (discovery) and record → decision (execution), ms, for lifts started by one action each. */
function latencies (report: SimReport): { discovery: number[], lift: number[] } {
  const discovery: number[] = []
  const lift: number[] = []
  const at = new Map(report.actions.filter(a => a.kind === 'clear' || a.kind === 'pay').map(a => [a.index, a.at]))
  for (const l of report.lifts) {
    const start = at.get(l.action)
    if (start !== undefined && l.status !== 'failed') discovery.push(l.createdAt - start)
    if (l.decidedAt !== undefined && l.status === 'good') lift.push(l.decidedAt - l.createdAt)
  }
  return { discovery, lift }
}

function failedChecks (report: SimReport): string[] {
  const c = report.checks
  return [
    ...c.tallyAgreement.failures, ...c.limits.failures, ...c.bounds.failures, ...c.liftAgreement.failures,
    ...(c.conservation.ok ? [] : [`conservation: sum ${c.conservation.sum}`]),
    ...(c.harmless?.failures ?? [])
  ]
}

/** Payer/payee pairs without a shared tally for which the reference finds a route, one every `spacing` ms. */
function payments (g: GeneratedNetwork, count: number, spacing: number, seed: number, maxDepth: number): { actions: ScenarioAction[], tried: number } {
  const net = ladingNetwork(g)
  const rnd = seededRandom(seed)
  const int = (n: number): number => Math.floor(rnd.float() * n)
  const partners = new Set(g.tallies.map(t => `${t.foil}:${t.stock}`))
  const actions: ScenarioAction[] = []
  let tried = 0
  while (actions.length < count && tried < 1000 * count) {
    tried++
    const from = g.users[int(g.users.length)]!
    const to = g.users[int(g.users.length)]!
    if (from === to || partners.has(`${from}:${to}`) || partners.has(`${to}:${from}`)) continue
    // Amounts from 100 to 1,000 units: large enough that pay's 1 % fee limit admits clutch fees, small
    // against typical lading (limits 1,000–100,000), so overlapping payments rarely compete for an edge.
    const units = 100 + int(901)
    if (!routeExists(net, from, to, units, maxDepth, { maxFee: Math.floor(units * FEE_SHARE) })) continue
    actions.push({ at: actions.length * spacing, pay: { from, to, units } })
  }
  return { actions, tried }
}

/**
 * The lading network as the nodes hold it now (each giving edge from its giver's certified tally state,
 * pending lift chits included): earlier payments move balances and hold lading while they run, so a route
 * of the starting network may be gone when a later payment starts.
 */
function liveLading (world: SimWorld): LadingNetwork {
  const names = new Map<string, string>()
  for (const [name, u] of world.users) names.set(u.identity.userId, name)
  const edges: LadingEdge[] = []
  for (const [name, u] of world.users) {
    // The lift service's ledger (as tests/sim/report.ts reads it): LiftApi does not name it.
    const ledger = (u.node?.lifts as { ledger?: LiftLedger } | undefined)?.ledger
    for (const t of ledger?.tallies() ?? []) {
      const l = edgeLading(t.state, t.side)
      const receiver = names.get(t.partner.userId)
      if (l.free > 0 && receiver !== undefined) edges.push({ tally: t.id, giver: name, receiver, free: l.free, max: l.max, clutch: l.clutch, reward: l.reward })
    }
  }
  return { users: [...world.users.keys()], edges, bothWays: [] }
}

const bench: Bench = async (ctx) => {
  // LIFT_SIM_USERS=n runs a smaller (or larger) network of n users and 3n tallies (a quick look at a change;
  // the issue's figure is the default 1,000 users).
  const sized = Number(process.env.LIFT_SIM_USERS ?? 0)
  const params = ctx.smoke ? { users: 30, tallies: 90 } : sized > 0 ? { users: sized, tallies: 3 * sized } : { users: 1000, tallies: 3000 }
  const networkSeed = 1
  const clearSeed = 2
  const paySeed = 3
  // LIFT_SIM_PARTS=clearing or =payments runs one of the two worlds (each takes minutes at 1,000 users).
  const parts = new Set((process.env.LIFT_SIM_PARTS ?? 'clearing,payments').split(','))
  const g = generateNetwork({ seed: networkSeed, ...params })
  // LIFT_SIM_DEPTH=d: the nodes' route limit (lifts.maxDepth) and the reference's, for both worlds.
  const maxDepth = Number(process.env.LIFT_SIM_DEPTH ?? DEFAULT_LIFT_CONFIG.maxDepth)
  // LIFT_SIM_PLAN=ms: clear with a clearing plan (docs/lifts.md §10) pushing for that long; 0: greedy clearing.
  const planMs = Number(process.env.LIFT_SIM_PLAN ?? 10_000)
  const liftConfig = { ...(maxDepth === DEFAULT_LIFT_CONFIG.maxDepth ? {} : { maxDepth }), ...(planMs > 0 ? { planMs, planJoinMs: PLAN_JOIN_MS, planLiftMs: PLAN_WALKS_END - PLAN_JOIN_MS - planMs } : {}) }
  const generator = { ...g.params, seeds: { network: networkSeed, clears: clearSeed, payments: paySeed }, hopMs: HOP_MS, maxDepth, planMs }
  ctx.log(`network: ${JSON.stringify(generator)}; parts: ${[...parts].join(', ')}`)
  const extra = { generator }
  const net = { latencyMs: [HOP_MS, HOP_MS] as [number, number], loss: 0 }
  const runs: Array<[string, Run]> = []
  const failed: string[] = []

  // ---- circular clearing ----
  if (parts.has('clearing')) {
    const tRef = performance.now()
    const reference = clearableDebt(ladingNetwork(g))
    ctx.log(`reference: ${reference.debt} units clearable over ${reference.flows.length} edges (${reference.usable} usable) in ${(performance.now() - tRef).toFixed(0)} ms`)
    // The ceiling of greedy circular lifting at the nodes' depth, with a whole view (lifts never undo one another).
    const greedy = (['shortest', 'widest'] as const).map(choose => greedyClearing(ladingNetwork(g), { maxDepth, choose, seed: clearSeed }))
    const greedyShare = greedy.map(r => reference.debt === 0 ? 100 : Math.round(r.debt / reference.debt * 1000) / 10)
    ctx.log(`central greedy at depth ${maxDepth}: shortest cycle ${greedyShare[0]} %, widest ${greedyShare[1]} % of the maximum`)
    // Two rounds in the first 50 s (smoke: one), each user at a seeded time within its slot.
    const round = 25_000
    const spacing = Math.max(1, Math.floor(round / g.users.length))
    // With a plan, one clear per user within the plan's join time (the first starts the epoch, the rest join it).
    const clears = planMs > 0
      ? staggeredClears(g.users, 0, Math.max(1, Math.floor(PLAN_JOIN_MS / 2 / g.users.length)), clearSeed)
      : [...staggeredClears(g.users, 0, spacing, clearSeed), ...(ctx.smoke ? [] : staggeredClears(g.users, round, spacing, clearSeed + 1))]
    const clearing = await run(ctx, scenarioOf(g, { actions: clears, network: net, lifts: liftConfig, until: UNTIL }), 'clearing')
    runs.push(['clearing', clearing])
    const cr = clearing.report
    const share = reference.debt === 0 ? 1 : cr.totals.unitsCleared / reference.debt
    const voids: Record<string, number> = {}
    for (const l of cr.lifts) if (l.status !== 'good') voids[`${l.status}:${l.error ?? '-'}`] = (voids[`${l.status}:${l.error ?? '-'}`] ?? 0) + 1
    ctx.report({ bench: BENCH, metric: 'circular debt cleared / reference maximum', value: Math.round(share * 1000) / 10, unit: '%', target: '>= 90 %', cleared: cr.totals.unitsCleared, reference: reference.debt, debtReduction: cr.totals.debtReduction, clears: clears.length, lifts: cr.totals.liftsTried, good: cr.totals.good, void: cr.totals.void, pending: cr.totals.pending, failed: cr.totals.failed, notGood: voids, messages: cr.totals.messages, messagesPerLift: cr.totals.liftsTried === 0 ? 0 : Math.round(cr.totals.messages / cr.totals.liftsTried), centralGreedyShare: { shortest: greedyShare[0], widest: greedyShare[1] }, runMs: Math.round(clearing.runMs), ...extra })
    failed.push(...failedChecks(clearing.settled).map(f => `clearing: ${f}`))
  }

  // ---- linear payments ----
  if (parts.has('payments')) {
    const count = ctx.smoke ? 3 : 100
    const pay = payments(g, count, ctx.smoke ? 2_000 : 400, paySeed, maxDepth)
    ctx.log(`payments: ${pay.actions.length} pairs with a route (of ${pay.tried} random pairs tried)`)
    // Whether a route still exists when each payment starts, judged by the reference on the lading the nodes
    // hold at that moment (checked just before the payment's action: same virtual time, scheduled first).
    const routeAtStart = new Map<number, boolean>()
    const judge = (world: SimWorld): void => {
      pay.actions.forEach((a, index) => {
        if (!('pay' in a)) return
        world.time.timers.setTimeout(() => {
          routeAtStart.set(index, routeExists(liveLading(world), a.pay.from, a.pay.to, a.pay.units, maxDepth, { maxFee: Math.floor(a.pay.units * FEE_SHARE) }))
        }, a.at)
      })
    }
    const paying = await run(ctx, scenarioOf(g, { actions: pay.actions, network: net, lifts: liftConfig, until: UNTIL }), 'payments', judge)
    runs.push(['payments', paying])
    const pr = paying.report
    const status = new Map(pr.lifts.map(l => [l.id, l.status]))
    let good = 0
    let eligible = 0
    let eligibleGood = 0
    const byStatus: Record<string, number> = {}
    const missed: string[] = []
    for (const a of pr.actions) {
      if (a.kind !== 'pay') continue
      const k = a.error?.code ?? a.status ?? 'none'
      byStatus[k] = (byStatus[k] ?? 0) + 1
      const ok = a.lifts.some(id => status.get(id) === 'good')
      if (ok) good++
      if (routeAtStart.get(a.index) !== true) continue
      eligible++
      if (ok) eligibleGood++
      else missed.push(`#${a.index} ${k}`)
    }
    const gone = pay.actions.length - eligible
    ctx.log(`payments: ${gone} of ${pay.actions.length} had no route left when they started (earlier payments had taken the lading); missed with a route: ${missed.length === 0 ? 'none' : missed.join(', ')}`)
    ctx.report({ bench: BENCH, metric: 'linear payments good where a route exists', value: eligible === 0 ? 0 : Math.round(eligibleGood / eligible * 1000) / 10, unit: '%', target: '>= 99 %', payments: pay.actions.length, routeAtStart: eligible, good: eligibleGood, note: 'route judged by the reference on the lading the nodes hold when the payment starts', outcomes: byStatus, ...extra })
    ctx.report({ bench: BENCH, metric: 'linear payments good of all tried (route on the starting network)', value: pay.actions.length === 0 ? 0 : Math.round(good / pay.actions.length * 1000) / 10, unit: '%', payments: pay.actions.length, good, noRouteLeftAtStart: gone, ...extra })
    failed.push(...failedChecks(paying.settled).map(f => `payments: ${f}`))
  }

  // ---- latency and messages ----
  const discovery: number[] = []
  const lift: number[] = []
  let lifts = 0
  let messages = 0
  for (const [, r] of runs) {
    const l = latencies(r.report)
    discovery.push(...l.discovery)
    lift.push(...l.lift)
    lifts += r.report.totals.liftsTried
    messages += r.report.totals.messages
  }
  for (const [metric, values] of [['discovery latency', discovery], ['lift latency', lift]] as const) {
    if (values.length === 0) { ctx.log(`${metric}: no lifts to measure`); continue }
    ctx.report({ bench: BENCH, metric: `${metric} p50`, value: percentile(values, 50), unit: 'ms (virtual)', samples: values.length, hopMs: HOP_MS, runs: runs.map(([n]) => n), ...extra })
    ctx.report({ bench: BENCH, metric: `${metric} p99`, value: percentile(values, 99), unit: 'ms (virtual)', samples: values.length, hopMs: HOP_MS, runs: runs.map(([n]) => n), ...extra })
  }
  if (lifts === 0) ctx.log(`messages per lift: no lift was made (${messages} messages)`)
  else ctx.report({ bench: BENCH, metric: 'messages per lift', value: Math.round(messages / lifts), unit: 'messages', lifts, messages, runs: runs.map(([n]) => n), note: 'every delivery after setup (discovery of attempts that made no lift included) / lifts made', ...extra })

  // ---- cost of the runs on this machine ----
  const load = loadavg()[0]
  for (const [name, r] of runs) {
    ctx.report({ bench: BENCH, metric: `wall time of 60 simulated s (${name} run)`, value: Math.round(r.runMs), unit: 'ms', target: '<= 60 s', cpuMs: Math.round(r.runCpuMs), setupMs: Math.round(r.setupMs), setupCpuMs: Math.round(r.setupCpuMs), loadAverage: load, ...extra })
    ctx.report({ bench: BENCH, metric: `CPU time of 60 simulated s (${name} run)`, value: Math.round(r.runCpuMs), unit: 'ms', note: 'user + system CPU of the process: the cost on a machine shared with other work', ...extra })
    ctx.report({ bench: BENCH, metric: `wall time of setup (${name} run, ${r.setupMode} setup)`, value: Math.round(r.setupMs), unit: 'ms', cpuMs: Math.round(r.setupCpuMs), loadAverage: load, ...extra })
  }
  const peak = process.resourceUsage().maxRSS * 1024
  ctx.report({ bench: BENCH, metric: 'peak memory (process max RSS)', value: Math.round(peak / 2 ** 20), unit: 'MiB', target: '<= 2 GB', runs: runs.map(([n]) => n), ...extra })
  if (failed.length > 0) {
    ctx.log(`CHECKS FAILED: ${failed.slice(0, 10).join('; ')}${failed.length > 10 ? ` … (${failed.length})` : ''}`)
    throw new Error(`the simulator's checks failed: ${failed.slice(0, 5).join('; ')}`)
  }
}

export default bench
