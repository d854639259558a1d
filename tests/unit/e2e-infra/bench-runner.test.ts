// The bench runner's promises: one JSON line per good figure (with the command and the machine), and a
// non-zero exit when a bench throws, reports nothing, or reports a non-finite value.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const dir = mkdtempSync(join(tmpdir(), 'mychips-bench-test-'))
const bench = (name: string, body: string): void => { writeFileSync(join(dir, `${name}.bench.ts`), `export default async (ctx: any) => { ${body} }\n`) }
bench('good', "ctx.log('working'); ctx.report({ bench: 'good', metric: 'speed', value: ctx.smoke ? 1 : 2, unit: 'ops/s' })")
bench('nan', "ctx.report({ bench: 'nan', metric: 'speed', value: Number.NaN, unit: 'ops/s' })")
bench('throws', "throw new Error('boom')")
bench('silent', '')

const run = (...args: string[]): { status: number | null, stdout: string, stderr: string } => {
  const r = spawnSync('npx', ['tsx', 'tests/bench/run.ts', ...args], { env: { ...process.env, MYCHIPS_BENCH_DIR: dir, npm_lifecycle_event: '' }, encoding: 'utf8', timeout: 30_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

describe('tests/bench/run.ts', () => {
  it('prints one JSON line per figure with the command and the machine, progress on stderr', () => {
    const r = run('--smoke', 'good')
    expect(r.status).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    const figure = JSON.parse(lines[0] as string) as Record<string, unknown>
    expect(figure).toMatchObject({ bench: 'good', metric: 'speed', value: 1, unit: 'ops/s', command: 'npx tsx tests/bench/run.ts --smoke good' })
    expect(figure.machine).toMatchObject({ node: process.version })
    expect(r.stderr).toContain('working')
  })

  it('fails on a non-finite value, a throw and a bench that reports nothing, and prints only the good figures', () => {
    const r = run('--smoke')
    expect(r.status).toBe(1)
    expect(r.stdout.trim().split('\n').map(l => (JSON.parse(l) as { bench: string }).bench)).toEqual(['good'])
    expect(r.stderr).toMatch(/nan: value NaN is not a finite number/)
    expect(r.stderr).toMatch(/throws: Error: boom/)
    expect(r.stderr).toMatch(/silent: Error: it reported no figure/)
  })

  it('refuses an unknown option', () => {
    expect(run('--fast').status).toBe(2)
  })
})
