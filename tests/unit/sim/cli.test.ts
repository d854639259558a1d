// `npm run sim -- <scenario.json>`: two separate processes print byte-identical reports for the same
// scenario (thread-pool crypto timings differ between them); a bad scenario exits 2 with its named error.
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const tsx = `${root}node_modules/.bin/tsx`

async function sim (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(tsx, ['tests/sim/cli.ts', ...args], { cwd: root, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
}

describe('npm run sim', { timeout: 120_000 }, () => {
  it('prints the same bytes from two processes; timings only on stderr', async () => {
    const [a, b] = await Promise.all([sim('tests/sim/scenarios/22-three-node-cycle.json'), sim('tests/sim/scenarios/22-three-node-cycle.json')])
    expect(a.code).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    const report = JSON.parse(a.stdout) as { seed: number, totals: { liftsTried: number } }
    expect(report.seed).toBe(1)
    expect(report.totals.liftsTried).toBeGreaterThanOrEqual(1)
    expect(a.stderr).toMatch(/sim: setup \d+ ms wall/)
    expect(a.stdout).not.toMatch(/ms wall/)
  })

  it('refuses a bad scenario with exit code 2 and BAD_SCENARIO naming the field; a missing file or none: 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-cli-'))
    const file = join(dir, 'bad.json')
    await writeFile(file, JSON.stringify({ users: ['A'], tallies: [{ foil: 'A', stock: 'Z' }] }))
    const bad = await sim(file)
    await rm(dir, { recursive: true })
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toContain('BAD_SCENARIO: tallies.0.stock: unknown user Z')
    expect((await sim('tests/sim/scenarios/does-not-exist.json')).code).toBe(2)
    const usage = await sim()
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/usage: npm run sim/)
  })
})
