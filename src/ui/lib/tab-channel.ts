// Messages between tabs of the app (BroadcastChannel). Another tab is the same origin but still an
// input from outside this page, so each message is checked before it is acted on.
import * as v from 'valibot'

export const TAB_CHANNEL_NAME = 'mychips-wallet'

const TabId = v.pipe(v.string(), v.minLength(1), v.maxLength(64))

export const TabMessageSchema = v.variant('t', [
  /** A tab wants the wallet: the holder stops its node and releases the lock. */
  v.object({ t: v.literal('release-request'), from: TabId }),
  /** The holder stopped its node and released the lock. */
  v.object({ t: v.literal('released'), from: TabId }),
  /** The user accepted an update: every tab stops its node now, then reloads on controllerchange. */
  v.object({ t: v.literal('update-prepare'), from: TabId, buildId: v.optional(v.pipe(v.string(), v.maxLength(128))) })
])

export type TabMessage = v.InferOutput<typeof TabMessageSchema>

/** The part of BroadcastChannel the coordination uses (a fake in tests). */
export interface ChannelLike {
  postMessage (message: unknown): void
  addEventListener (type: 'message', listener: (event: MessageEvent) => void): void
  removeEventListener (type: 'message', listener: (event: MessageEvent) => void): void
  close (): void
}

/** Typed view of the tab channel: send checked messages, receive only valid ones. */
export class TabChannel {
  private readonly handlers = new Set<(m: TabMessage) => void>()
  private readonly onMessage = (event: MessageEvent): void => {
    const parsed = v.safeParse(TabMessageSchema, event.data)
    if (!parsed.success) return // not ours, or from an incompatible build: ignore
    for (const h of this.handlers) h(parsed.output)
  }

  constructor (private readonly channel: ChannelLike) {
    channel.addEventListener('message', this.onMessage)
  }

  send (message: TabMessage): void {
    this.channel.postMessage(message)
  }

  on (handler: (message: TabMessage) => void): () => void {
    this.handlers.add(handler)
    return () => { this.handlers.delete(handler) }
  }

  close (): void {
    this.channel.removeEventListener('message', this.onMessage)
    this.channel.close()
  }
}

/** A random id for this tab (for messages only; not a secret). */
export function newTabId (): string {
  const bytes = new Uint8Array(8)
  globalThis.crypto.getRandomValues(bytes)
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}
