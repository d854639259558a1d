import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// The app build (Svelte + PWA) and the Vitest projects. The PWA plugin and worker settings live with the app.
export default defineConfig({
  plugins: [svelte()],
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
