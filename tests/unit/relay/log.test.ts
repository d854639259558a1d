import { describe, expect, it } from 'vitest'
import { errorFields, jsonLogger } from '../../../relay/log'

const capture = (level: Parameters<typeof jsonLogger>[0]['level']): { lines: string[], log: ReturnType<typeof jsonLogger> } => {
  const lines: string[] = []
  return { lines, log: jsonLogger({ level, write: (l) => { lines.push(l) }, now: () => Date.UTC(2026, 0, 2, 3, 4, 5) }) }
}

describe('JSON logger', () => {
  it('writes one JSON object per line with time, level, event and fields', () => {
    const { lines, log } = capture('info')
    log.log('info', 'connection.opened', { peer: 'p1', n: 3 })
    expect(lines).toEqual(['{"time":"2026-01-02T03:04:05.000Z","level":"info","event":"connection.opened","peer":"p1","n":3}\n'])
  })

  it('drops lines below its level and says which levels are on', () => {
    const { lines, log } = capture('warn')
    log.log('debug', 'a'); log.log('info', 'b'); log.log('warn', 'c'); log.log('error', 'd')
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['c', 'd'])
    expect(log.enabled('info')).toBe(false)
    expect(log.enabled('error')).toBe(true)
    const silent = capture('silent')
    silent.log.log('error', 'x')
    expect(silent.lines).toEqual([])
  })

  it('turns errors and bigints into JSON and survives values JSON cannot hold', () => {
    const { lines, log } = capture('debug')
    const err = Object.assign(new TypeError('boom'), { code: 'E_X' })
    log.log('error', 'failed', { err, big: 10n })
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ err: { name: 'TypeError', message: 'boom', code: 'E_X' }, big: 10 })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    log.log('warn', 'odd', { cyclic })
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ event: 'odd', level: 'warn' })
    expect(errorFields(new RangeError('r'))).toEqual({ error: 'r', errorName: 'RangeError' })
    expect(errorFields('plain')).toEqual({ error: 'plain' })
  })
})
