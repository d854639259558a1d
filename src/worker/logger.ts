// Structured logs from the worker to the console (the page's devtools show worker consoles).
import type { Logger, LogLevel } from '../node/ports'

export function consoleLogger (prefix = 'wallet', minimum: LogLevel = 'info'): Logger {
  const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }
  return {
    log (level, event, fields) {
      if (rank[level] < rank[minimum]) return
      const line = `[${prefix}] ${event}`
      if (fields === undefined) console[level](line)
      else console[level](line, fields)
    }
  }
}
