// Child-process side of the relay memory bench (tests/bench/relay-memory.bench.ts): runs one relay
// alone in its own process, so its memory can be read without the clients' memory mixed in.
// IPC protocol: → { type: 'ready', addr } ; ← 'measure' → { type: 'memory', ... } ; ← 'stop' → exits.
import '../node20-polyfill'
import { startRelay } from '../server'

const maxReservations = Number(process.env.PROBE_MAX_RESERVATIONS ?? '2048')
const relay = await startRelay({ port: 0, dist: null, logLevel: 'warn', limits: { maxReservations } })
const gc = (globalThis as { gc?: () => void }).gc

async function settle (): Promise<void> {
  // Several full collections with pauses let finalizers and weak refs clear before reading.
  for (let i = 0; i < 4; i++) {
    gc?.()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

process.on('message', (msg: unknown) => {
  if (msg === 'measure') {
    void settle().then(() => {
      const m = process.memoryUsage()
      process.send?.({ type: 'memory', rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, gc: gc != null, stats: relay.stats() })
    })
  } else if (msg === 'stop') {
    void relay.stop().then(() => { process.exit(0) })
  }
})
process.on('disconnect', () => { void relay.stop().then(() => { process.exit(0) }) })
process.send?.({ type: 'ready', addr: relay.multiaddrs[0] })
