// The RPC between the bench (main thread) and one wallet worker (wallet-worker.ts): a request names a
// command, the answer carries its result or the error's code and message.

export interface WalletStart {
  name: string
  /** Relay multiaddr: the node reserves a slot there and is dialled through it. */
  relay?: string
  /** Listen on loopback WebSockets: the node is dialled directly (a cloud node). */
  direct: boolean
}

/** One payment as the payer saw it: request → answer (the decision) in ms of its own clock. */
export interface PaidLift { id: string, status: string, code?: string, ms: number, /** discoveries the payment ran (at most 2) */ discoveries: number }

export interface BatchResult { good: number, ms: number, failed: string[], other: string[] }

/** A log event with its time (epoch ms, sub-ms precision: comparable across threads). */
export interface TimedEvent { at: number, node: string, event: string, lift?: string, leg?: number }

export interface Commands {
  start: (s: WalletStart) => { userId: string }
  /** Resolves once others can dial the node (relay reservation held, or listening). */
  ready: () => { addrs: string[] }
  invite: (limit: number) => { link: string }
  redeem: (link: string) => { id: string }
  accept: (id: string) => null
  tally: (id: string) => { status: string, balance: number }
  payTally: (id: string, units: number) => { status: string }
  liftPay: (to: string, units: number, maxFee?: number) => PaidLift
  batch: (to: string, n: number) => BatchResult
  /** The link kinds this node holds to its peers (direct, relayed). */
  links: () => string[]
  /** Starts (true) or stops recording lift events; returns and clears what was recorded. */
  events: (record: boolean) => TimedEvent[]
  /** Resolves once no lift chit is pending on any of this node's tallies (every lift's decision recorded). */
  settle: (ms: number) => null
  /** Counts (signatures, verifications, requests sent per protocol) since events were last started. */
  stats: () => Record<string, number>
  stop: () => null
}

export type Command = keyof Commands
export interface Request<C extends Command = Command> { id: number, cmd: C, args: Parameters<Commands[C]> }
export type Answer = { id: number, ok: true, value: unknown } | { id: number, ok: false, code: string, message: string }
