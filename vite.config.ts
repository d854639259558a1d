import { execFileSync } from 'node:child_process'
import { defineConfig, type Plugin } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { VitePWA } from 'vite-plugin-pwa'

// The app build (Svelte + PWA) and the Vitest projects.

/** The build id shown in the page and the update prompt: MYCHIPS_BUILD_ID, else commit + build time. */
function buildId (): string {
  const fromEnv = process.env.MYCHIPS_BUILD_ID?.trim()
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^[\w.+-]{1,64}$/.test(fromEnv)) throw new Error('MYCHIPS_BUILD_ID may hold letters, digits and . _ + - (at most 64)')
    return fromEnv
  }
  let commit = 'nogit'
  try { commit = execFileSync('git', ['rev-parse', '--short=10', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() } catch { /* not a git checkout */ }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return `${commit}-${stamp}`
}

const BUILD_ID = buildId()
/** Named per build so a new service worker never imports the previous build's copy from the HTTP cache. */
const SW_BUILD_FILE = `sw-build.${BUILD_ID.replace(/[^\w.-]/g, '_')}.js`

/**
 * Writes the build id into the page (<meta name="mychips-build">) and into sw-build.<id>.js, which the
 * service worker imports so a waiting worker can tell the page which build it would install.
 */
function buildIdPlugin (id: string, swFile: string): Plugin {
  return {
    name: 'mychips-build-id',
    transformIndexHtml: html => html.replace('%MYCHIPS_BUILD_ID%', id),
    generateBundle () {
      this.emitFile({
        type: 'asset',
        fileName: swFile,
        source: `// The build id of this service worker, for the update prompt.\nself.addEventListener('message', e => { if (e.data && e.data.type === 'MYCHIPS_BUILD_ID' && e.ports[0]) e.ports[0].postMessage(${JSON.stringify(id)}) })\n`
      })
    }
  }
}

export default defineConfig({
  define: { __MYCHIPS_BUILD_ID__: JSON.stringify(BUILD_ID) },
  plugins: [
    svelte(),
    buildIdPlugin(BUILD_ID, SW_BUILD_FILE),
    VitePWA({
      // The user consents to every update (DESIGN.md §6); src/ui/lib/sw-updates.ts registers the worker.
      registerType: 'prompt',
      injectRegister: false,
      strategies: 'generateSW',
      filename: 'sw.js',
      // Icons come in through globPatterns below; listing them here too would precache them twice.
      includeAssets: [],
      includeManifestIcons: false,
      manifest: {
        id: '/',
        name: 'MyCHIPs Wallet',
        short_name: 'MyCHIPs',
        description: 'A MyCHIPs wallet that runs entirely in your browser: private credit with people you trust.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: '#0b6b50',
        background_color: '#f3f5f4',
        categories: ['finance'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
        ]
      },
      workbox: {
        // The app shell: page, page JS and CSS, the wallet worker chunk, icons, manifest.
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        globIgnores: ['sw-build.*.js', '**/node_modules/**'],
        navigateFallback: '/index.html',
        // The relay document and anything under /.well-known are live data, never the shell.
        navigateFallbackDenylist: [/^\/\.well-known\//],
        importScripts: [SW_BUILD_FILE],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024
      }
    })
  ],
  build: { target: 'es2022' },
  worker: { format: 'es' },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], setupFiles: ['tests/setup/node20.ts'], environment: 'node' }
      },
      {
        extends: true,
        test: {
          name: 'integration', include: ['tests/integration/**/*.test.ts'], setupFiles: ['tests/setup/node20.ts'],
          environment: 'node', testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false
        }
      }
    ]
  }
})
