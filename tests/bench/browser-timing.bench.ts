// Browser timings on loopback, median of 5 (smoke: 1), measured by tests/e2e/timing/driver.ts inside
// the private network namespace: navigation → "reservation held" (target <= 2 s) and Connect →
// "direct WebRTC link up" between two wallets (target <= 3 s). Needs the build in dist/.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runIsolated } from '../e2e/namespace.mjs'
import type { Bench } from './types'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

const bench: Bench = async (ctx) => {
  if (!existsSync(`${ROOT}dist/index.html`)) throw new Error('dist/index.html is missing: build the app first (npx vite build)')
  const runs = ctx.smoke ? 1 : 5
  let out = ''
  const code = await runIsolated('npx', ['tsx', 'tests/e2e/timing/driver.ts', '--runs', String(runs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    quiet: true,
    onChild: (child) => { child.stdout?.on('data', (d: Buffer) => { out += d.toString() }) }
  })
  if (code !== 0) throw new Error(`the timing driver exited ${code}`)
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '') as { reserveMs: number[], directMs: number[] }
  const round = (n: number): number => Math.round(n)
  ctx.report({ bench: 'browser-timing', metric: 'navigation to "reservation held"', value: round(median(result.reserveMs)), unit: 'ms', target: '<= 2000 ms', runs, stat: 'median', samples: result.reserveMs.map(round) })
  ctx.report({ bench: 'browser-timing', metric: 'connect to direct WebRTC link up', value: round(median(result.directMs)), unit: 'ms', target: '<= 3000 ms', runs, stat: 'median', samples: result.directMs.map(round) })
}

export default bench
