// What every node service is built from: the node's identity, its store and network, and the ports it
// takes by injection (src/node/ports.ts), so the same services run in a browser, in Node and in the simulator.
import type { SignatureProvider } from '../../core/crypto/provider'
import type { Identity } from '../api'
import type { Network } from '../net/network'
import type { Clock, Logger, Random, Timers } from '../ports'
import type { Store } from '../store/store'

export interface NodeServiceDeps {
  identity: Identity
  store: Store
  crypto: SignatureProvider
  clock: Clock
  timers: Timers
  random: Random
  logger: Logger
  network: Network
}
