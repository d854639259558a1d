// A verify-once cache around a provider: a (public key, message, signature) triple that verified before is
// not verified again (diaries are re-read, certificates re-checked). Only successes are remembered, keyed by
// SHA-256 over the length-prefixed triple, so nothing that was never verified is ever accepted from it.
// `hash` lets a runtime with a native SHA-256 (Node: node/native-hash.ts) key the cache faster than
// @noble/hashes; it must be SHA-256 (or as collision-resistant).
import { sha256 } from '@noble/hashes/sha2.js'
import { toBase64url } from '../codec/base64url'
import type { SignatureProvider } from './provider'

export interface VerifyCacheStats { hits: number, misses: number, size: number }

export interface CachedProvider extends SignatureProvider {
  stats (): VerifyCacheStats
}

function lengthPrefixed (parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + 4 + p.length, 0)
  const out = new Uint8Array(total)
  const view = new DataView(out.buffer)
  let o = 0
  for (const p of parts) { view.setUint32(o, p.length); out.set(p, o + 4); o += 4 + p.length }
  return out
}

export function verifyOnceCache (inner: SignatureProvider, limit = 100_000, hash: (bytes: Uint8Array) => Uint8Array = sha256): CachedProvider {
  const verified = new Set<string>()
  let hits = 0
  let misses = 0
  return {
    name: inner.name,
    publicKey: (secret) => inner.publicKey(secret),
    sign: (secret, message) => inner.sign(secret, message),
    async verify (publicKey, message, signature) {
      const key = toBase64url(hash(lengthPrefixed([publicKey, message, signature])))
      if (verified.has(key)) {
        verified.delete(key); verified.add(key) // refresh its place (LRU)
        hits++
        return true
      }
      misses++
      const ok = await inner.verify(publicKey, message, signature)
      if (ok) {
        verified.add(key)
        if (verified.size > limit) verified.delete(verified.values().next().value as string)
      }
      return ok
    },
    stats: () => ({ hits, misses, size: verified.size })
  }
}
