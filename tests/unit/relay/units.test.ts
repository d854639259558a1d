import { describe, expect, it } from 'vitest'
import { formatBytes, formatDuration, parseBytes, parseDuration, parseInteger } from '../../../relay/units'
import { RelayConfigError } from '../../../relay/errors'

describe('durations', () => {
  it.each([
    ['500ms', 500], ['30s', 30_000], ['10m', 600_000], ['2h', 7_200_000], ['1d', 86_400_000], ['90', 90_000], [' 5m ', 300_000]
  ])('%s → %d ms', (text, ms) => { expect(parseDuration('d', text)).toBe(ms) })
  it.each(['', 'm', '1.5m', '-1s', '10 minutes', '1w', '1e3'])('refuses %j', (text) => {
    expect(() => parseDuration('--relay-duration', text)).toThrow(RelayConfigError)
    expect(() => parseDuration('--relay-duration', text)).toThrow(/^--relay-duration: /)
  })
  it('formats back', () => {
    expect([600_000, 3_600_000, 1500, 30_000, 86_400_000].map(formatDuration)).toEqual(['10m', '1h', '1500ms', '30s', '1d'])
  })
})

describe('sizes', () => {
  it.each([
    ['1048576', 1_048_576], ['512KiB', 524_288], ['1MiB', 1_048_576], ['1mib', 1_048_576], ['2MB', 2_000_000], ['1GiB', 1024 ** 3], ['64kb', 64_000], ['100B', 100]
  ])('%s → %d bytes', (text, n) => { expect(parseBytes('s', text)).toBe(n) })
  it.each(['', 'MiB', '1.5MiB', '-5', '1TiB', '10 bytes'])('refuses %j', (text) => {
    expect(() => parseBytes('--relay-data', text)).toThrow(/^--relay-data: /)
  })
  it('refuses values past the safe integer range', () => {
    expect(() => parseBytes('s', '9999999999999999GiB')).toThrow(/too large/)
  })
  it('formats back', () => {
    expect([1_048_576, 524_288, 1000, 1024 ** 3].map(formatBytes)).toEqual(['1MiB', '512KiB', '1000B', '1GiB'])
  })
})

describe('integers', () => {
  it('checks range and form', () => {
    expect(parseInteger('n', '42', 1, 100)).toBe(42)
    expect(() => parseInteger('n', '0', 1, 100)).toThrow(/n: 0 is out of range \(1 to 100\)/)
    expect(() => parseInteger('n', '4e1', 1, 100)).toThrow(/not a whole number/)
  })
})
