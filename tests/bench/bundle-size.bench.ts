// Gzipped size of what the browser must fetch before the wallet runs, from the production build in
// dist/ (npx vite build): the page's first-load JS (index.html's module scripts and everything they
// import statically) and the wallet worker's chunk: the worker entry with everything it imports,
// statically or dynamically (the entry loads the node runtime with import() at start, so that is part
// of what every wallet downloads before its node runs).
// Targets from issue 2: page <= 100 KB, worker <= 250 KB (gzip level 9, KB = 1000 bytes).
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, posix, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import type { Bench } from './types'

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url))

/** Static imports of a built ES module: `import"./x.js"`, `from"./x.js"`. */
function staticImports (code: string): string[] {
  return [...code.matchAll(/\b(?:import|from)\s*["']([^"']+\.m?js)["']/g)].map(m => m[1] as string)
}

/** Dynamic imports with a literal specifier: import("./x.js"), import(`./x.js`). */
function dynamicImports (code: string): string[] {
  return [...code.matchAll(/\bimport\(\s*["'`]([^"'`$]+\.m?js)["'`]\s*\)/g)].map(m => m[1] as string)
}

/** A URL as written in the build (absolute from the site root or relative to `from`) → a file in dist. */
function resolveIn (from: string, spec: string): string {
  return spec.startsWith('/') ? join(DIST, spec) : join(dirname(from), spec)
}

/** The files and every file they import (statically; dynamically too when `dynamic`). */
function closure (entries: string[], dynamic = false): Set<string> {
  const seen = new Set<string>()
  const todo = [...entries]
  while (todo.length > 0) {
    const file = todo.pop() as string
    if (seen.has(file) || !existsSync(file)) continue
    seen.add(file)
    const code = readFileSync(file, 'utf8')
    for (const spec of [...staticImports(code), ...(dynamic ? dynamicImports(code) : [])]) todo.push(resolveIn(file, spec))
  }
  return seen
}

const gz = (files: Iterable<string>): { raw: number, gzip: number } => {
  let raw = 0
  let gzip = 0
  for (const f of files) {
    const bytes = readFileSync(f)
    raw += bytes.length
    gzip += gzipSync(bytes, { level: 9 }).length
  }
  return { raw, gzip }
}

function allJs (dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(f => /\.m?js$/.test(f)).map(f => join(dir, f))
}

const bench: Bench = async (ctx) => {
  const html = join(DIST, 'index.html')
  if (!existsSync(html)) throw new Error('dist/index.html is missing: build the app first (npx vite build)')
  const page = readFileSync(html, 'utf8')
  const entries = [...page.matchAll(/<script[^>]*type=["']module["'][^>]*src=["']([^"']+)["']/g), ...page.matchAll(/<link[^>]*rel=["']modulepreload["'][^>]*href=["']([^"']+)["']/g)]
    .map(m => resolveIn(html, posix.normalize(m[1] as string).replace(/^\.\//, '')))
  if (entries.length === 0) throw new Error('dist/index.html has no module script')
  const pageFiles = closure(entries)

  // The worker entry is the chunk some page chunk hands to `new Worker(new URL("…", import.meta.url))`.
  const workerEntries = new Set<string>()
  for (const file of allJs(DIST)) {
    const code = readFileSync(file, 'utf8')
    for (const m of code.matchAll(/new\s+Worker\(\s*(?:new\s+URL\(\s*)?["'`]([^"'`]+\.m?js)["'`]/g)) {
      const spec = m[1] as string
      // Vite writes worker URLs relative to the importing chunk, or from the site root.
      const asRelative = resolveIn(file, spec)
      workerEntries.add(existsSync(asRelative) ? asRelative : join(DIST, spec.replace(/^\.?\//, '')))
    }
  }
  if (workerEntries.size === 0) throw new Error('no `new Worker(new URL(…))` found in dist: where is the wallet worker?')
  const workerEntryFiles = closure([...workerEntries])
  const workerFiles = closure([...workerEntries], true)

  const pageSize = gz(pageFiles)
  const workerSize = gz(workerFiles)
  const workerEntrySize = gz(workerEntryFiles)
  const list = (files: Set<string>): string[] => [...files].map(f => relative(DIST, f)).sort()
  ctx.log(`page: ${list(pageFiles).join(', ')}`)
  ctx.log(`worker: ${list(workerFiles).join(', ')}`)
  ctx.report({ bench: 'bundle-size', metric: 'page first-load JS (gzip)', value: round1(pageSize.gzip / 1000), unit: 'KB', target: '<= 100 KB', rawKB: round1(pageSize.raw / 1000), files: list(pageFiles) })
  ctx.report({ bench: 'bundle-size', metric: 'worker chunk (gzip)', value: round1(workerSize.gzip / 1000), unit: 'KB', target: '<= 250 KB', rawKB: round1(workerSize.raw / 1000), entryOnlyKB: round1(workerEntrySize.gzip / 1000), files: list(workerFiles) })
}

const round1 = (n: number): number => Math.round(n * 10) / 10

export default bench
