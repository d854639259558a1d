// An in-memory Web Locks manager (exclusive mode) with the parts of the spec the tab lock relies on:
// ifAvailable, steal (the old holder's request rejects with AbortError), signal, and a FIFO queue.
import type { LocksLike } from '../../../../src/ui/lib/tab-lock'

interface Entry {
  name: string
  callback: (lock: unknown) => Promise<unknown>
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
  stolen: boolean
}

function abortError (): Error {
  const e = new Error('The lock request was aborted')
  e.name = 'AbortError'
  return e
}

export class FakeLocks implements LocksLike {
  private readonly held = new Map<string, Entry>()
  private readonly queue: Entry[] = []

  holder (name: string): boolean { return this.held.has(name) }

  request (name: string, options: { ifAvailable?: boolean, steal?: boolean, signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const entry: Entry = { name, callback, resolve, reject, stolen: false }
      if (options.signal?.aborted === true) { reject(abortError()); return }
      if (options.steal === true) {
        const old = this.held.get(name)
        if (old !== undefined) { old.stolen = true; this.held.delete(name); old.reject(abortError()) }
        this.grant(entry)
        return
      }
      const busy = this.held.has(name) || this.queue.some(e => e.name === name)
      if (options.ifAvailable === true && busy) {
        callback(null).then(resolve, reject)
        return
      }
      if (!busy) { this.grant(entry); return }
      this.queue.push(entry)
      options.signal?.addEventListener('abort', () => {
        const i = this.queue.indexOf(entry)
        if (i >= 0) { this.queue.splice(i, 1); reject(abortError()) }
      })
    })
  }

  private grant (entry: Entry): void {
    this.held.set(entry.name, entry)
    entry.callback({ name: entry.name }).then(
      v => { this.done(entry); entry.resolve(v) },
      (e: unknown) => { this.done(entry); entry.reject(e) }
    )
  }

  private done (entry: Entry): void {
    if (entry.stolen) return // a stolen lock's callback finishing releases nothing
    if (this.held.get(entry.name) === entry) this.held.delete(entry.name)
    const next = this.queue.findIndex(e => e.name === entry.name)
    if (next >= 0) {
      const [n] = this.queue.splice(next, 1)
      if (n !== undefined) this.grant(n)
    }
  }
}
