// Relay memory per held reservation (issue 2 figure; target ≤ 100 KB each). The relay runs alone in a
// child process (relay/testing/memory-probe.ts, with --expose-gc) so its memory is read without the
// clients'; the clients — full Node libp2p nodes (WebSockets, Noise, yamux, identify, circuit relay
// transport), each holding a reservation — run in this process. Memory is read after forced GC with
// W warm clients connected (one-time costs: JIT, lazily loaded code, buffers) and again after N more;
// the figure is the difference divided by N. Full: W = 20, N = 300. Smoke: W = 2, N = 8.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { reserveOn, startTestClient, type TestClient } from '../../relay/testing/client'
import type { Bench } from './types'

interface Memory { rss: number, heapUsed: number, external: number, arrayBuffers: number, gc: boolean, stats: { reservations: number, connections: number } }

const probe = fileURLToPath(new URL('../../relay/testing/memory-probe.ts', import.meta.url))

const bench: Bench = async (ctx) => {
  const warm = ctx.smoke ? 2 : 20
  const wanted = ctx.smoke ? 8 : 300
  const deadline = Date.now() + (ctx.smoke ? 30_000 : 110_000)

  const child = fork(probe, [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, PROBE_MAX_RESERVATIONS: String(warm + wanted + 16) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc']
  })
  const clients: TestClient[] = []
  try {
    const { addr } = await next<{ addr: string }>(child, 'ready', 30_000)
    /** Connects up to `count` more clients; stops early at the deadline and returns how many it added. */
    const connect = async (count: number): Promise<number> => {
      // A few at a time: 2 shared cores do the Noise handshakes on both sides.
      const batch = 10
      let done = 0
      for (; done < count; done += batch) {
        if (Date.now() > deadline) {
          ctx.log(`time budget reached after ${done} of ${count} clients; measuring those`)
          return done
        }
        const size = Math.min(batch, count - done)
        const started = await Promise.all(Array.from({ length: size }, async () => {
          const c = await startTestClient()
          clients.push(c)
          await reserveOn(c, addr, 20_000)
          return c
        }))
        if (started.length !== size) throw new Error('client start failed')
      }
      return Math.min(done, count)
    }

    const t0 = Date.now()
    if (await connect(warm) !== warm) throw new Error('out of time while connecting the warm-up clients')
    const before = await measure(child)
    const n = await connect(wanted)
    if (n < Math.min(wanted, 50)) throw new Error(`only ${n} clients connected within the time budget; too few to measure`)
    const after = await measure(child)
    const seconds = (Date.now() - t0) / 1000
    if (after.stats.reservations !== warm + n) throw new Error(`relay holds ${after.stats.reservations} reservations, expected ${warm + n}`)

    const per = (bytes: number): number => Math.round((bytes / n / 1024) * 10) / 10
    const jsBefore = before.heapUsed + before.external
    const jsAfter = after.heapUsed + after.external
    ctx.log(`${warm}+${n} clients in ${seconds.toFixed(1)}s; relay heap+external ${(jsBefore / 2 ** 20).toFixed(1)} → ${(jsAfter / 2 ** 20).toFixed(1)} MiB, rss ${(before.rss / 2 ** 20).toFixed(1)} → ${(after.rss / 2 ** 20).toFixed(1)} MiB, gc ${after.gc ? 'forced' : 'unavailable'}`)
    const common = { bench: 'relay-memory', unit: 'KB', reservations: n, reservationsWanted: wanted, warmReservations: warm, connections: after.stats.connections, gcForced: after.gc, smoke: ctx.smoke }
    // The headline: what one more connected wallet holding a slot costs the relay in live memory.
    ctx.report({ ...common, metric: 'relay memory per held reservation (JS heap + external, after GC)', value: per(jsAfter - jsBefore), target: '<= 100 KB' })
    ctx.report({ ...common, metric: 'relay JS heap per held reservation', value: per(after.heapUsed - before.heapUsed) })
    // RSS understates: V8 grows into pages it committed at start-up (tsx, module loading), so the
    // process footprint barely moves at this scale. Reported for completeness, not as the figure.
    ctx.report({ ...common, metric: 'relay RSS delta per held reservation (noisy; see comment)', value: per(after.rss - before.rss) })
  } finally {
    await Promise.all(clients.map(async (c) => { await Promise.resolve(c.stop()).catch(() => {}) }))
    await stop(child)
  }
}

export default bench

async function next<T> (child: ChildProcess, type: string, ms: number): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`relay probe sent no ${type} within ${ms} ms`)) }, ms)
    const onMessage = (msg: unknown): void => {
      if (typeof msg === 'object' && msg != null && (msg as { type?: unknown }).type === type) { cleanup(); resolve(msg as T) }
    }
    const onExit = (code: number | null): void => { cleanup(); reject(new Error(`relay probe exited (${code}) before ${type}`)) }
    const cleanup = (): void => { clearTimeout(timer); child.off('message', onMessage); child.off('exit', onExit) }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

async function measure (child: ChildProcess): Promise<Memory> {
  const reply = next<Memory>(child, 'memory', 20_000)
  child.send('measure')
  return await reply
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode != null || child.signalCode != null) return
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  child.send('stop')
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 5000)
  await exited
  clearTimeout(timer)
}
