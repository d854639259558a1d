// Refusals raised by the worker's own services, and the mapping of any error to the { code, message }
// that crosses the RPC boundary (DESIGN.md §8: a named cause, never a stack trace).
import { ChipsError } from '../core/errors'
import type { RpcErrorShape } from './api'

/** A call that needs the wallet store came before open() (or after shutdown()). */
export class WalletNotOpenError extends ChipsError {
  constructor () { super('WALLET_NOT_OPEN', 'the wallet is not open in this tab') }
}

/** A call that needs the node came before start() (or after shutdown()). */
export class NodeNotStartedError extends ChipsError {
  constructor () { super('NODE_NOT_STARTED', 'the wallet node has not been started') }
}

/** The wallet store was closed underneath the worker (a newer version of the app, or the browser). */
export class WalletClosedError extends ChipsError {
  constructor (message: string) { super('WALLET_CLOSED', message) }
}

const MAX_MESSAGE = 1000

/** What crosses the boundary for anything thrown inside the worker. */
export function toRpcError (err: unknown): RpcErrorShape {
  if (err instanceof ChipsError) return { code: err.code, message: bounded(err.message) }
  // Anything else is a bug or a platform failure: keep its words (not its stack) so it can be reported.
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return { code: 'INTERNAL', message: bounded(message) }
}

function bounded (message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message
}
