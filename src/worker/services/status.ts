// Status subscriptions from the page (see hub.ts).
import type { NodeStatus } from '../../node/api'
import { ListenerHub, type Listener } from './hub'

export type StatusListener = Listener<NodeStatus>

export class StatusHub extends ListenerHub<NodeStatus> {}
