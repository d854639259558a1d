#!/usr/bin/env node
// `npm test`: every test layer in order, each stage timed, stopping at the first failure.
//   node tests/run.mjs                 all stages
//   node tests/run.mjs e2e bench       only the named stages (the preflight always runs)
// Stages: typecheck, lint, unit, integration, build, e2e, bench. Budget: < 12 min on 2 cores.
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import process from 'node:process'

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

/** The id of the second build used by the update e2e spec (tests/e2e/update.spec.ts). */
const UPDATE_BUILD_ID = 'e2e-update'
const UPDATE_DIST = 'dist-e2e-update'

/** @type {{ name: string, steps: { cmd: string, args: string[], env?: Record<string, string>, capture?: boolean }[], check?: (out: string) => string | undefined }[]} */
const stages = [
  { name: 'typecheck', steps: [{ cmd: 'npm', args: ['run', '--silent', 'typecheck'] }] },
  { name: 'lint', steps: [{ cmd: 'npm', args: ['run', '--silent', 'lint'] }] },
  { name: 'unit', steps: [{ cmd: 'npx', args: ['vitest', 'run', '--project', 'unit'] }] },
  { name: 'integration', steps: [{ cmd: 'npx', args: ['vitest', 'run', '--project', 'integration'] }] },
  {
    name: 'build',
    steps: [
      { cmd: 'npx', args: ['vite', 'build'] },
      // A second build with another id, so the update spec can swap what the relay serves.
      { cmd: 'npx', args: ['vite', 'build', '--outDir', UPDATE_DIST, '--emptyOutDir'], env: { MYCHIPS_BUILD_ID: UPDATE_BUILD_ID } }
    ]
  },
  { name: 'e2e', steps: [{ cmd: 'node', args: ['tests/e2e/run.mjs'] }] },
  { name: 'bench', steps: [{ cmd: 'npm', args: ['run', '--silent', 'bench', '--', '--smoke'], capture: true }], check: checkBenchOutput }
]

function checkBenchOutput (out) {
  const lines = out.split('\n').filter(l => l.trim() !== '')
  if (lines.length === 0) return 'the bench printed no figure'
  for (const line of lines) {
    let fig
    try { fig = JSON.parse(line) } catch { return `not a JSON line: ${line.slice(0, 200)}` }
    if (typeof fig !== 'object' || fig === null) return `not a JSON object: ${line.slice(0, 200)}`
    for (const key of ['bench', 'metric', 'unit', 'command']) {
      if (typeof fig[key] !== 'string' || fig[key] === '') return `figure without "${key}": ${line.slice(0, 200)}`
    }
    if (typeof fig.value !== 'number' || !Number.isFinite(fig.value)) return `figure with a non-finite value: ${line.slice(0, 200)}`
  }
  return undefined
}

function run (step) {
  return new Promise((resolve) => {
    const child = spawn(step.cmd, step.args, {
      stdio: ['ignore', step.capture ? 'pipe' : 'inherit', 'inherit'],
      env: { ...process.env, ...step.env }
    })
    let out = ''
    child.stdout?.on('data', (d) => { out += d; process.stdout.write(d) })
    const forward = (sig) => child.kill(sig)
    process.on('SIGINT', forward); process.on('SIGTERM', forward)
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward); process.off('SIGTERM', forward)
      resolve({ code: code ?? (signal ? 1 : 0), out })
    })
    child.on('error', (err) => { console.error(`[stage] cannot start ${step.cmd}: ${err.message}`); resolve({ code: 1, out }) })
  })
}

// (0) preflight: one line, before anything else.
try { accessSync(chromium, constants.X_OK) } catch {
  console.error(`Chromium not found at ${chromium}: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.`)
  process.exit(1)
}

const only = process.argv.slice(2).filter(a => !a.startsWith('-'))
const unknown = only.filter(n => !stages.some(s => s.name === n))
if (unknown.length > 0) {
  console.error(`unknown stage(s): ${unknown.join(', ')}; stages: ${stages.map(s => s.name).join(', ')}`)
  process.exit(2)
}
const selected = only.length > 0 ? stages.filter(s => only.includes(s.name)) : stages

const results = []
const t0 = performance.now()
let failed = false
for (const stage of selected) {
  const start = performance.now()
  console.log(`\n[stage] ${stage.name} ...`)
  let ok = true
  let reason = ''
  for (const step of stage.steps) {
    const { code, out } = await run(step)
    if (code !== 0) { ok = false; reason = `${step.cmd} ${step.args.join(' ')} exited ${code}`; break }
    const problem = stage.check?.(out)
    if (problem) { ok = false; reason = problem; break }
  }
  const secs = (performance.now() - start) / 1000
  results.push({ name: stage.name, secs, ok })
  console.log(`[stage] ${stage.name} ${secs.toFixed(1)}s ${ok ? 'ok' : 'FAILED'}${reason ? ` (${reason})` : ''}`)
  if (!ok) { failed = true; break }
}

const total = (performance.now() - t0) / 1000
console.log('\nstage         time     result')
for (const r of results) console.log(`${r.name.padEnd(13)} ${(r.secs.toFixed(1) + 's').padStart(7)}  ${r.ok ? 'ok' : 'FAILED'}`)
for (const s of selected.slice(results.length)) console.log(`${s.name.padEnd(13)} ${'-'.padStart(7)}  not run`)
console.log(`${'total'.padEnd(13)} ${(total.toFixed(1) + 's').padStart(7)}  ${failed ? 'FAILED' : 'ok'}`)
console.log(`stages: ${results.filter(r => r.ok).length} passed, ${results.filter(r => !r.ok).length} failed`)
process.exit(failed ? 1 : 0)
