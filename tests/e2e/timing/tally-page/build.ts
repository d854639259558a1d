// Builds the tally bench page (index.html + main.ts and the real wallet worker it starts) with Vite's API,
// into dist-bench/tally (git-ignored build output, like dist/). Same target and worker format as the app.
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

export const TALLY_PAGE_ROOT = fileURLToPath(new URL('.', import.meta.url))
export const TALLY_PAGE_DIST = fileURLToPath(new URL('../../../../dist-bench/tally', import.meta.url))

export async function buildTallyPage (outDir = TALLY_PAGE_DIST): Promise<string> {
  await build({
    configFile: false,
    root: TALLY_PAGE_ROOT,
    logLevel: 'warn',
    define: { __MYCHIPS_BUILD_ID__: JSON.stringify('tally-bench') },
    build: { target: 'es2022', outDir, emptyOutDir: true, reportCompressedSize: false },
    worker: { format: 'es' }
  })
  return outDir
}
