// Structured logs: one JSON object per line ({ time, level, event, ...fields }). Implements the node
// runtime's Logger port, so cloud nodes hosted by the relay can log through the same sink.
import type { LogLevel, Logger } from '../src/node/ports'
import type { RelayLogLevel } from './config'

const RANK: Record<RelayLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export interface JsonLoggerOptions {
  level: RelayLogLevel
  /** Where lines go (default: process.stderr). */
  write?: (line: string) => void
  now?: () => number
}

export interface JsonLogger extends Logger {
  enabled (level: LogLevel): boolean
}

export function jsonLogger (opts: JsonLoggerOptions): JsonLogger {
  const min = RANK[opts.level]
  const write = opts.write ?? ((line: string) => { process.stderr.write(line) })
  const now = opts.now ?? Date.now
  return {
    enabled: (level) => RANK[level] >= min,
    log (level, event, fields) {
      if (RANK[level] < min) return
      let line: string
      try {
        line = JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...fields }, replacer)
      } catch (err) {
        line = JSON.stringify({ time: new Date(now()).toISOString(), level, event, unloggable: String(err) })
      }
      write(line + '\n')
    }
  }
}

/** Errors, bigints and peer ids/multiaddrs (via toString) become plain JSON. */
function replacer (_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code
    return { name: value.name, message: value.message, ...(code != null ? { code } : {}) }
  }
  if (typeof value === 'bigint') return Number(value)
  return value
}

/** Error → plain fields for a log line. */
export function errorFields (err: unknown): { error: string, errorName?: string } {
  if (err instanceof Error) return { error: err.message, errorName: err.name }
  return { error: String(err) }
}
