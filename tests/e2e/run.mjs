#!/usr/bin/env node
// `npm run test:e2e`: the Playwright suite inside a private network namespace (tests/e2e/namespace.mjs).
// Needs the builds from `npx vite build` (dist/) and the update build (dist-e2e-update/, see tests/run.mjs).
// Extra arguments go to Playwright, e.g. `npm run test:e2e -- reload.spec.ts`.
import process from 'node:process'
import { runIsolated } from './namespace.mjs'

const code = await runIsolated('npx', ['playwright', 'test', '-c', 'tests/e2e/playwright.config.ts', ...process.argv.slice(2)])
process.exit(code)
