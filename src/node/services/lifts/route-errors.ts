// Named refusals of route discovery (/mychips/route/1.0.0). Stable codes: a querying partner receives them
// over the wire, the lift service may show them.
import { ChipsError } from '../../../core/errors'

/**
 * A route query names a link that is not one of the tallies this node shares with the sender (a stale or
 * forged query, or a sender that is not a partner): answering it would let anyone probe the graph.
 */
export class RouteLinkUnknownError extends ChipsError {
  constructor () { super('ROUTE_LINK_UNKNOWN', 'no tally shared with the sender matches the link of this route query') }
}

/** Too many discoveries are running on this node already (a bound against query floods). */
export class RouteBusyError extends ChipsError {
  constructor (readonly limit: number) { super('ROUTE_BUSY', `this node is already working on ${limit} route discoveries`) }
}

/** The route service is stopped. */
export class RouteStoppedError extends ChipsError {
  constructor () { super('ROUTE_STOPPED', 'route discovery is stopped') }
}
