// Runs a scenario (object or file under tests/sim/scenarios) through the simulator and returns its report.
import { readFileSync } from 'node:fs'
import { parseScenario, parseScenarioText } from '../../sim/scenario'
import type { SimReport } from '../../sim/report'
import { simulate } from '../../sim/report'
import { SimWorld } from '../../sim/world'

export async function runScenario (input: unknown): Promise<SimReport> {
  return await simulate(new SimWorld(parseScenario(input)))
}

export async function runScenarioFile (name: string): Promise<SimReport> {
  const text = readFileSync(new URL(`../../sim/scenarios/${name}`, import.meta.url), 'utf8')
  return await simulate(new SimWorld(parseScenarioText(text)))
}

/** The checks every run must pass whatever happened. */
export function checksHold (report: SimReport): string[] {
  const c = report.checks
  const failures = [
    ...c.tallyAgreement.failures, ...c.limits.failures, ...c.bounds.failures, ...c.liftAgreement.failures,
    ...(c.conservation.ok ? [] : [`conservation: sum ${c.conservation.sum}`]),
    ...(c.harmless === null ? [] : c.harmless.failures)
  ]
  return failures
}
