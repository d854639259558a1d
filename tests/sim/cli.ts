// `npm run sim -- <scenario.json> [--crypto noble|webcrypto]`: runs a scenario in the simulator and prints
// its JSON report on stdout (byte-identical for the same scenario and seed); progress and timings go to
// stderr. Exit codes: 0 ran, 2 bad scenario or usage, 1 the run failed.
import '../../relay/node20-polyfill'
import { readFile } from 'node:fs/promises'
import { ChipsError } from '../../src/core/errors'
import { parseScenarioText } from './scenario'
import { simulate } from './report'
import { SimWorld } from './world'

async function main (argv: string[]): Promise<number> {
  const args = argv.filter(a => !a.startsWith('--'))
  const cryptoFlag = argv.indexOf('--crypto')
  const crypto = cryptoFlag >= 0 ? argv[cryptoFlag + 1] : 'webcrypto'
  const file = args.find(a => a !== crypto)
  if (file === undefined || (crypto !== 'webcrypto' && crypto !== 'noble')) {
    process.stderr.write('usage: npm run sim -- <scenario.json> [--crypto webcrypto|noble]\n')
    return 2
  }
  let scenario
  try {
    scenario = parseScenarioText(await readFile(file, 'utf8'))
  } catch (err) {
    process.stderr.write(`sim: ${err instanceof ChipsError ? `${err.code}: ` : ''}${err instanceof Error ? err.message : String(err)}\n`)
    return 2
  }
  const log = (line: string): void => { process.stderr.write(line + '\n') }
  const report = await simulate(new SimWorld(scenario, { crypto, log }), log)
  process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  return 0
}

main(process.argv.slice(2)).then(code => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`sim: failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
