// In-memory BroadcastChannel: a message reaches every other channel of the same hub, asynchronously
// and as a structured clone, like the real one.
import type { ChannelLike } from '../../../../src/ui/lib/tab-channel'

export class FakeBroadcastHub {
  readonly channels = new Set<FakeChannel>()
  readonly sent: unknown[] = []
  open (): FakeChannel { const c = new FakeChannel(this); this.channels.add(c); return c }
}

export class FakeChannel implements ChannelLike {
  private readonly listeners = new Set<(e: MessageEvent) => void>()
  closed = false
  constructor (private readonly hub: FakeBroadcastHub) {}

  postMessage (message: unknown): void {
    this.hub.sent.push(message)
    const data = structuredClone(message)
    for (const c of this.hub.channels) {
      if (c === this || c.closed) continue
      setTimeout(() => { c.deliver(data) }, 0)
    }
  }

  addEventListener (_type: 'message', listener: (e: MessageEvent) => void): void { this.listeners.add(listener) }
  removeEventListener (_type: 'message', listener: (e: MessageEvent) => void): void { this.listeners.delete(listener) }
  close (): void { this.closed = true; this.hub.channels.delete(this) }

  /** Delivers raw data as if another page had sent it. */
  deliver (data: unknown): void {
    if (this.closed) return
    for (const l of this.listeners) l({ data } as MessageEvent)
  }
}
