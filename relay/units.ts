// Human-friendly durations and sizes for flags and environment variables ("10m", "1MiB").
import { RelayConfigError } from './errors'

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** "500ms", "30s", "10m", "2h", "1d"; a bare integer means seconds. Returns milliseconds. */
export function parseDuration (what: string, text: string): number {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text)
  if (m == null) throw new RelayConfigError(`${what}: "${text}" is not a duration (use e.g. 30s, 10m, 2h; a bare number means seconds)`)
  const value = Number(m[1]) * (DURATION_UNITS[m[2] ?? 's'] ?? 1000)
  if (!Number.isSafeInteger(value)) throw new RelayConfigError(`${what}: "${text}" is too large`)
  return value
}

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3
}

/** "1048576", "512KiB", "1MiB", "2MB"; a bare integer means bytes. Returns bytes. */
export function parseBytes (what: string, text: string): number {
  const m = /^\s*(\d+)\s*([kKmMgG]i?[bB]|[bB])?\s*$/.exec(text)
  if (m == null) throw new RelayConfigError(`${what}: "${text}" is not a size (use e.g. 1048576, 512KiB, 1MiB)`)
  const value = Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1)
  if (!Number.isSafeInteger(value)) throw new RelayConfigError(`${what}: "${text}" is too large`)
  return value
}

/** A whole number within [min, max]. */
export function parseInteger (what: string, text: string, min: number, max: number): number {
  if (!/^\s*\d+\s*$/.test(text)) throw new RelayConfigError(`${what}: "${text}" is not a whole number`)
  const value = Number(text)
  if (value < min || value > max) throw new RelayConfigError(`${what}: ${value} is out of range (${min} to ${max})`)
  return value
}

export function formatDuration (ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

export function formatBytes (n: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (n >= size && n % size === 0) return `${n / size}${unit}`
  }
  return `${n}B`
}
