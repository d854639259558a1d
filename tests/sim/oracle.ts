// A central route oracle, for scenarios with "discovery": "oracle": it computes routes from every node's
// certified tally states (with the session keys and link nonces the protocol uses) instead of asking the
// nodes, so a scenario can exercise execution, referees and decisions apart from distributed discovery.
// It sends no messages. The default, "nodes", is each node's own route service.
import { toBase64url } from '../../src/core/codec/base64url'
import { edgeLading } from '../../src/core/lift/lading'
import { linkNonce } from '../../src/core/lift/ids'
import type { RoutePlan } from '../../src/core/lift/types'
import type { Discovery, LiftKeys, LiftLedger, LiftServiceDeps, RouteRequest, RouteService } from '../../src/node/services/lifts/contracts'

interface OracleNode { userId: string, ledger: LiftLedger, keys: LiftKeys, random: LiftServiceDeps['random'] }

const MAX_PLANS = 64

export class RouteOracle {
  readonly #nodes = new Map<string, OracleNode>()

  /** `alive(userId)`: whether that user's node runs (a crashed node answers no discovery). */
  constructor (private readonly alive: (userId: string) => boolean = () => true) {}

  /** The route service of one node (registered by its user id; a restarted node replaces its entry). */
  service (deps: LiftServiceDeps, maxDepth: number): RouteService {
    const me: OracleNode = { userId: deps.identity.userId, ledger: deps.ledger, keys: deps.keys, random: deps.random }
    this.#nodes.set(me.userId, me)
    return {
      start: () => {},
      stop: () => {},
      find: async (request: RouteRequest) => this.#find(me, request, request.maxDepth ?? maxDepth)
    }
  }

  #find (me: OracleNode, request: RouteRequest, maxDepth: number): Discovery {
    const session = toBase64url(me.random.bytes(32))
    const target = request.kind === 'circular' ? me.userId : request.to
    const plans: RoutePlan[] = []
    const walk = (node: OracleNode, hops: RoutePlan['hops'], seen: Set<string>): void => {
      if (hops.length >= maxDepth || plans.length >= MAX_PLANS) return
      for (const t of node.ledger.tallies()) {
        const lading = edgeLading(t.state, t.side)
        if (lading.free < request.units) continue
        const next = this.#nodes.get(t.partner.userId)
        if (next === undefined || !this.alive(next.userId)) continue
        const hop = { link: linkNonce(t.id, session), key: next.keys.session(session).key, free: lading.free, clutch: lading.clutch }
        if (next.userId === target) { plans.push({ hops: [...hops, hop] }); continue }
        if (seen.has(next.userId)) continue
        walk(next, [...hops, hop], new Set([...seen, next.userId]))
      }
    }
    walk(me, [], new Set([me.userId]))
    return { session, key: me.keys.session(session).key, plans, messages: 0 }
  }
}
