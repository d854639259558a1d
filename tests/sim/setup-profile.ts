// Setup-only timing of the simulator world (tests/sim/world.ts build()) on the lift-sim bench's random network
// (seed 1, 3 tallies per user): `[SIM_SETUP=negotiated|direct] npx tsx tests/sim/setup-profile.ts [users]` prints
// the wall and CPU seconds of build() on stderr (add `node --cpu-prof --import tsx` to profile it).
import '../../relay/node20-polyfill'
import { generateNetwork, scenarioOf } from './generate'
import { parseScenario } from './scenario'
import { SimWorld } from './world'

const users = Number(process.argv[2] ?? 1000)
const g = generateNetwork({ seed: 1, users, tallies: 3 * users })
const scenario = parseScenario(scenarioOf(g, { actions: [], network: { latencyMs: [50, 50], loss: 0 }, until: 1000 }))
const world = new SimWorld(scenario, { log: line => { process.stderr.write(`${(performance.now() / 1000).toFixed(1)} ${line}\n`) } })
const t0 = performance.now()
const c0 = process.cpuUsage()
await world.build()
const c = process.cpuUsage(c0)
process.stderr.write(`setup ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} s CPU, ${world.setupMessages} messages, ${world.crypto.issued} crypto ops, virtual ${world.start} ms\n`)
await world.stop()
