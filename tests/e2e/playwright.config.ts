// Playwright suite: Debian Chromium (never a downloaded browser), run inside the private network
// namespace by tests/e2e/run.mjs. Builds come from stage 5 of tests/run.mjs (dist/, dist-e2e-update/).
import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './fixtures/browser'

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // Two workers on two cores: each spec drives two or three browser contexts, more would starve them.
  workers: 2,
  fullyParallel: true,
  forbidOnly: true,
  // One retry, and the list reporter marks a spec that needed it as flaky: a spec that fails twice still
  // fails the run. Flakes seen so far come from a loaded machine (several browsers on 2 cores).
  retries: 1,
  // Specs take 4-22 s on an idle 2-core machine; the headroom is for a loaded one.
  timeout: 45_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: '../../test-results/e2e',
  globalSetup: './fixtures/global-setup.ts',
  use: {
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure'
  }
})
