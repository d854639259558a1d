// What a pasted, scanned or opened link is: a contact link (`#contact=…`) or a tally invitation
// (`#invite=…`, or `web+mychips:invite=…` from the registered protocol handler). The UI may not import
// src/node, so the fragment prefixes are read here; the worker still parses and verifies the link fully.

export const PROTOCOL_SCHEME = 'web+mychips'

export type LinkKind = 'invite' | 'contact'

export type ClassifiedLink =
  | { kind: LinkKind, link: string }
  | { kind: 'unknown', error: string }

/** The parameters of the fragment (or of a `web+mychips:` URL), or undefined if there is none. */
function fragmentOf (text: string): URLSearchParams | undefined {
  if (text.toLowerCase().startsWith(`${PROTOCOL_SCHEME}:`)) return new URLSearchParams(text.slice(PROTOCOL_SCHEME.length + 1))
  const hash = text.indexOf('#')
  if (hash < 0) return undefined
  const fragment = text.slice(hash + 1)
  // The protocol handler opens `<app>/#web%2Bmychips%3Ainvite%3D…` (the whole URL, percent-encoded).
  const decoded = decodeProtocolFragment(fragment)
  if (decoded !== undefined) return new URLSearchParams(decoded.slice(PROTOCOL_SCHEME.length + 1))
  return new URLSearchParams(fragment)
}

/** `web%2Bmychips%3Ainvite%3D…` or `web+mychips:invite=…` → `web+mychips:invite=…`; else undefined. */
export function decodeProtocolFragment (fragment: string): string | undefined {
  let text = fragment
  if (/^web%2bmychips/i.test(text)) {
    try { text = decodeURIComponent(text) } catch { return undefined }
  }
  return text.toLowerCase().startsWith(`${PROTOCOL_SCHEME}:`) ? text : undefined
}

/** Tells an invitation from a contact link; anything else gets a sentence saying what is wrong. */
export function classifyLink (input: string): ClassifiedLink {
  const text = input.trim()
  if (text === '') return { kind: 'unknown', error: 'Paste a link, or scan its QR code.' }
  if (text.startsWith('{')) return { kind: 'contact', link: text } // a raw contact card (JSON)
  const params = fragmentOf(text)
  if (params?.has('invite') === true) return { kind: 'invite', link: normalizeInvite(text) }
  if (params?.has('contact') === true) return { kind: 'contact', link: text }
  if (!/^(https?:\/\/|web\+mychips:)/i.test(text)) {
    return { kind: 'unknown', error: 'This is not a MyCHIPs link. A link starts with https://; paste the whole link.' }
  }
  return { kind: 'unknown', error: 'This link has neither an invitation nor a contact in it. Ask for the link again.' }
}

/** An invitation as the worker takes it: a protocol-handler URL is turned back into `web+mychips:invite=…`. */
function normalizeInvite (text: string): string {
  const hash = text.indexOf('#')
  if (hash < 0) return text
  return decodeProtocolFragment(text.slice(hash + 1)) ?? text
}

/**
 * The link the page was opened with, from its location hash: `#invite=…`, `#contact=…`, or a
 * protocol-handler fragment. Returns undefined for any other hash.
 */
export function linkFromLocation (href: string, hash: string): ClassifiedLink | undefined {
  if (hash.length < 2) return undefined
  const found = classifyLink(href)
  return found.kind === 'unknown' ? undefined : found
}
