// Turns anything thrown across the worker boundary into words for people (DESIGN.md §8: never a
// stack trace, never silence). Errors arrive as { code, message } (RpcErrorShape) or as Error.

export interface ShownError {
  code?: string
  message: string
}

const FALLBACK = 'Something went wrong. Please try again.'

export function describeError (err: unknown): ShownError {
  if (typeof err === 'string') return { message: clean(err) }
  if (typeof err === 'object' && err !== null) {
    const rec = err as { code?: unknown, message?: unknown }
    const message = typeof rec.message === 'string' && rec.message.trim() !== '' ? clean(rec.message) : FALLBACK
    return typeof rec.code === 'string' ? { code: rec.code, message } : { message }
  }
  return { message: FALLBACK }
}

/** First line only, no "Error:" prefixes, bounded length. */
function clean (message: string): string {
  const first = message.split('\n')[0] ?? ''
  const text = first.replace(/^(\w*Error:\s*)+/, '').trim()
  const bounded = text.length > 300 ? `${text.slice(0, 297)}…` : text
  return bounded === '' ? FALLBACK : bounded.charAt(0).toUpperCase() + bounded.slice(1)
}

/**
 * A quick check before asking the worker to connect, so an obvious paste mistake gets a clear
 * message at once. The worker still parses and validates the link fully.
 */
export function precheckContactLink (input: string): string | undefined {
  const text = input.trim()
  if (text === '') return 'Paste the contact link your contact shared with you.'
  if (text.startsWith('{')) return undefined // a raw contact card (JSON)
  let url: URL
  try { url = new URL(text) } catch {
    return 'This is not a contact link. A contact link is a web address; paste the whole link.'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'web+mychips:') {
    return 'This is not a contact link: it must start with https://.'
  }
  if (url.hash.length < 2 && url.search.length < 2 && url.protocol !== 'web+mychips:') {
    return 'This link has no contact in it. Ask your contact to share their link again.'
  }
  return undefined
}
