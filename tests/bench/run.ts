// `npm run bench [-- --smoke] [name ...]`: runs every tests/bench/<name>.bench.ts (or the named ones) and
// prints one JSON line per figure on stdout: the figure, the exact command that produced it and the
// machine. Progress goes to stderr, so `npm run bench > figures.jsonl` keeps only figures.
// Exits non-zero if a bench throws, reports nothing, or reports a malformed or non-finite figure.
// `npm run bench` starts Node with --max-semi-space-size=64 (MiB): the 1,000-node simulation allocates
// short-lived messages and store copies at a high rate, and a young generation larger than V8's default
// (16 MiB) cuts its CPU by ~10 % (fewer scavenges, less promoted garbage) and lowers its peak RSS.
import '../../relay/node20-polyfill'
import { availableParallelism, cpus, platform } from 'node:os'
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Bench, BenchContext, BenchFigure } from './types'

// MYCHIPS_BENCH_DIR: another folder of *.bench.ts (the runner's own tests use it).
const dir = process.env.MYCHIPS_BENCH_DIR !== undefined ? `${process.env.MYCHIPS_BENCH_DIR.replace(/\/$/, '')}/` : fileURLToPath(new URL('.', import.meta.url))
const args = process.argv.slice(2)
const smoke = args.includes('--smoke')
const filters = args.filter(a => !a.startsWith('-'))
const unknownFlags = args.filter(a => a.startsWith('-') && a !== '--smoke')
if (unknownFlags.length > 0) {
  console.error(`unknown option(s) ${unknownFlags.join(' ')}; usage: npm run bench [-- --smoke] [name ...]`)
  process.exit(2)
}

// The command as a person would type it again.
const command = process.env.npm_lifecycle_event === 'bench'
  ? `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`
  : `npx tsx tests/bench/run.ts${args.length > 0 ? ` ${args.join(' ')}` : ''}`
const machine = { node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', platform: platform() }

const all = readdirSync(dir).filter(f => f.endsWith('.bench.ts')).map(f => f.slice(0, -'.bench.ts'.length)).sort()
const names = filters.length > 0 ? all.filter(n => filters.some(f => n.includes(f))) : all
if (names.length === 0) {
  console.error(`no bench matches ${filters.join(', ')}; benches: ${all.join(', ')}`)
  process.exit(2)
}

/** Why a figure is unacceptable, or undefined. */
function problemWith (figure: BenchFigure): string | undefined {
  for (const key of ['bench', 'metric', 'unit'] as const) {
    if (typeof figure[key] !== 'string' || figure[key] === '') return `"${key}" must be a non-empty string`
  }
  if (typeof figure.value !== 'number' || !Number.isFinite(figure.value)) return `value ${String(figure.value)} is not a finite number`
  return undefined
}

const failures: string[] = []
const t0 = performance.now()
for (const name of names) {
  const start = performance.now()
  let count = 0
  const ctx: BenchContext = {
    smoke,
    report (figure) {
      const problem = problemWith(figure)
      if (problem !== undefined) {
        failures.push(`${name}: ${problem} (${JSON.stringify(figure)})`)
        console.error(`[bench] ${name}: bad figure: ${problem}`)
        return
      }
      count++
      process.stdout.write(JSON.stringify({ ...figure, command, machine }) + '\n')
    },
    log (message) { console.error(`[bench] ${name}: ${message}`) }
  }
  console.error(`[bench] ${name}${smoke ? ' (smoke)' : ''} ...`)
  try {
    const mod = await import(pathToFileURL(`${dir}${name}.bench.ts`).href) as { default?: unknown }
    if (typeof mod.default !== 'function') throw new Error('the module does not default-export a Bench function')
    await (mod.default as Bench)(ctx)
    if (count === 0) throw new Error('it reported no figure')
    console.error(`[bench] ${name} ok: ${count} figure(s) in ${((performance.now() - start) / 1000).toFixed(1)}s`)
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err)
    failures.push(`${name}: ${message}`)
    console.error(`[bench] ${name} FAILED: ${message}`)
  }
}

console.error(`[bench] ${names.length - new Set(failures.map(f => f.split(':')[0])).size}/${names.length} benches ok in ${((performance.now() - t0) / 1000).toFixed(1)}s`)
if (failures.length > 0) {
  console.error(`[bench] failures:\n  ${failures.join('\n  ')}`)
  process.exit(1)
}
// Benches may leave handles (a relay's timers, a browser): the figures are out, so stop here.
process.exit(0)
