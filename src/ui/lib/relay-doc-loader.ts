// Fetches the relay document from the page's own origin, keeps the last good copy (so a wallet
// opened offline, or while the relay is down, still knows its relay), and retries with backoff.
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff'
import { parseRelayDoc, RELAY_DOC_PATH, type RelayDoc } from './relay-doc'
import type { PageTimers } from './timers'

export type RelayDocState =
  | { kind: 'loading' }
  | { kind: 'ok', doc: RelayDoc, cached: boolean }
  | { kind: 'failed', error: string, retryAt: number, attempt: number, cached?: RelayDoc }

export interface KeyValueStore {
  getItem (key: string): string | null
  setItem (key: string, value: string): void
}

export interface RelayDocLoaderDeps {
  fetch: (url: string, init: RequestInit) => Promise<Response>
  storage: KeyValueStore | undefined
  timers: PageTimers
  random: () => number
  /** Base URL the document path resolves against (the page's origin). */
  origin: string
  backoff?: BackoffOptions
  /** How long one fetch may take (ms). */
  fetchTimeoutMs?: number
}

const CACHE_KEY = 'mychips.relayDoc'

export class RelayDocLoader {
  private readonly deps: RelayDocLoaderDeps
  private readonly listeners = new Set<(state: RelayDocState) => void>()
  private current: RelayDocState = { kind: 'loading' }
  private attempt = 0
  private timer: unknown
  private stopped = false

  constructor (deps: RelayDocLoaderDeps) {
    this.deps = deps
  }

  get state (): RelayDocState { return this.current }

  /** The last good document kept from an earlier visit, if any. */
  cached (): RelayDoc | undefined {
    const raw = this.safeGet()
    if (raw === null) return undefined
    try { return parseRelayDoc(JSON.parse(raw)) } catch { return undefined }
  }

  onChange (listener: (state: RelayDocState) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Starts loading; on failure retries with backoff until it succeeds or stop() is called. */
  start (): void {
    this.stopped = false
    void this.load()
  }

  stop (): void {
    this.stopped = true
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Tries again now (a "retry" button). */
  retryNow (): void {
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer)
    this.timer = undefined
    void this.load()
  }

  private set (state: RelayDocState): void {
    this.current = state
    for (const l of this.listeners) l(state)
  }

  private async load (): Promise<void> {
    try {
      const doc = await this.fetchOnce()
      if (this.stopped) return
      this.attempt = 0
      try { this.deps.storage?.setItem(CACHE_KEY, JSON.stringify(doc)) } catch { /* storage full or denied: the cache is a convenience */ }
      this.set({ kind: 'ok', doc, cached: false })
    } catch (err) {
      if (this.stopped) return
      const delay = backoffDelay(this.attempt, this.deps.random, this.deps.backoff ?? DEFAULT_BACKOFF)
      const retryAt = this.deps.timers.now() + delay
      this.attempt += 1
      const cached = this.cached()
      const error = err instanceof Error ? err.message : String(err)
      this.set(cached === undefined ? { kind: 'failed', error, retryAt, attempt: this.attempt } : { kind: 'failed', error, retryAt, attempt: this.attempt, cached })
      this.timer = this.deps.timers.setTimeout(() => { this.timer = undefined; void this.load() }, delay)
    }
  }

  private async fetchOnce (): Promise<RelayDoc> {
    const url = new URL(RELAY_DOC_PATH, this.deps.origin).href
    const controller = new AbortController()
    const timeout = this.deps.timers.setTimeout(() => { controller.abort() }, this.deps.fetchTimeoutMs ?? 8_000)
    let response: Response
    try {
      response = await this.deps.fetch(url, { cache: 'no-store', signal: controller.signal, headers: { accept: 'application/json' } })
    } catch {
      throw new Error('could not reach the relay that serves this app')
    } finally {
      this.deps.timers.clearTimeout(timeout)
    }
    if (!response.ok) throw new Error(`the relay answered ${response.status} for its relay document`)
    let body: unknown
    try { body = await response.json() } catch { throw new Error('the relay document is not JSON') }
    return parseRelayDoc(body)
  }

  private safeGet (): string | null {
    try { return this.deps.storage?.getItem(CACHE_KEY) ?? null } catch { return null }
  }
}
