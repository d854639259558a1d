// Types of tests/e2e/namespace.mjs (plain JS so that tests/e2e/run.mjs needs no TypeScript loader).
import type { ChildProcess, StdioOptions } from 'node:child_process'

export const HOST_FALLBACK_CHROMIUM_ARGS: string[]
export function namespaceMode (): 'inside' | 'root' | 'user' | 'host'
export function isolate (cmd: string, args: string[]): { mode: string, cmd: string, args: string[], env: Record<string, string>, description: string }
export function runIsolated (cmd: string, args: string[], options?: {
  stdio?: StdioOptions
  env?: Record<string, string>
  quiet?: boolean
  onChild?: (child: ChildProcess) => void
}): Promise<number>
