// The CLI as an operator runs it: prints the URL, serves, stops gracefully on SIGTERM/SIGINT with exit
// code 0, says how to build a missing app, and refuses a bad flag with one line and exit code 2.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
let dir: string

beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'relay-cli-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

interface Run { child: ChildProcessWithoutNullStreams, stdout: () => string, stderr: () => string, exit: Promise<number | null> }

function cli (args: string[], env: Record<string, string> = {}): Run {
  // Run the relay directly under node + the tsx loader (no npm/tsx wrapper), so signals reach it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/cli.ts', ...args], {
    cwd: root, env: { ...process.env, XDG_STATE_HOME: join(dir, 'state'), ...env }
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const exit = new Promise<number | null>((resolve) => { child.on('exit', (code) => { resolve(code) }) })
  return { child, stdout: () => out, stderr: () => err, exit }
}

async function urlOf (run: Run): Promise<string> {
  const end = Date.now() + 20_000
  for (;;) {
    const m = /MyCHIPs wallet relay: open (http:\/\/\S+)/.exec(run.stdout())
    if (m?.[1] != null) return m[1]
    if (Date.now() > end || run.child.exitCode != null) throw new Error(`no URL line; stderr: ${run.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const events = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { event: string }).event)

describe('relay CLI', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints the URL, serves the relay document, and stops gracefully on %s', async (signal) => {
    const run = cli(['--port', '0', '--dist', join(dir, 'no-dist')], { MYCHIPS_RELAY_ICE_SERVERS: 'stun:stun.example:3478', XDG_STATE_HOME: join(dir, signal) })
    try {
      const url = await urlOf(run)
      const doc = await (await fetch(`${url}.well-known/mychips-relay.json`)).json() as { peerId: string, iceServers: unknown[] }
      expect(doc.iceServers).toEqual([{ urls: 'stun:stun.example:3478' }])
      expect(run.stderr()).toContain('run `npm run build`')
      run.child.kill(signal)
      expect(await run.exit).toBe(0)
      const ev = events(run.stderr())
      expect(ev).toEqual(expect.arrayContaining(['identity.created', 'app.missing', 'relay.started', 'relay.signal', 'relay.stopping', 'relay.stopped']))
      await expect(fetch(url)).rejects.toThrow()
    } finally {
      run.child.kill('SIGKILL')
    }
  })

  it('refuses a bad value with one line naming the flag and exit code 2', async () => {
    const run = cli(['--relay-data', 'lots'])
    expect(await run.exit).toBe(2)
    expect(run.stderr()).toBe('mychips-relay: --relay-data: "lots" is not a size (use e.g. 1048576, 512KiB, 1MiB)\n')
    expect(run.stdout()).toBe('')
  })

  it('says which port is taken', async () => {
    const first = cli(['--port', '0', '--dist', join(dir, 'no-dist')])
    try {
      const port = new URL(await urlOf(first)).port
      const second = cli(['--port', port, '--dist', join(dir, 'no-dist')])
      expect(await second.exit).toBe(1)
      expect(second.stderr()).toContain(`port ${port} on 127.0.0.1 is in use`)
    } finally {
      first.child.kill('SIGTERM')
      await first.exit
    }
  })
})
