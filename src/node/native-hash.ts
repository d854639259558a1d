// The runtime's native SHA-256, where there is one (Node: node:crypto through process.getBuiltinModule, so
// browser bundles never import node:*). Synchronous hashing in pure JS (@noble/hashes) is what the core
// uses everywhere; a Node node (cloud nodes, the simulator's thousand) keys its verify-once cache with this
// instead, several times faster on the kilobytes of a lift record. Checked once against @noble/hashes;
// any mismatch or error and there is none (callers keep noble).
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'

interface NodeHashSubset {
  createHash (algorithm: 'sha256'): { update (data: Uint8Array): { digest (): Uint8Array } }
}

let checked: ((bytes: Uint8Array) => Uint8Array) | null | undefined

/** Native synchronous SHA-256, or undefined where the runtime has none (browsers, workers). */
export function nativeSha256 (): ((bytes: Uint8Array) => Uint8Array) | undefined {
  if (checked !== undefined) return checked ?? undefined
  checked = null
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const mod = typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule('node:crypto') as Partial<NodeHashSubset> | undefined : undefined
  if (typeof mod?.createHash !== 'function') return undefined
  const crypto = mod as NodeHashSubset
  const fn = (bytes: Uint8Array): Uint8Array => {
    const d = crypto.createHash('sha256').update(bytes).digest()
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
  }
  try {
    const probe = Uint8Array.from({ length: 300 }, (_, i) => (i * 31 + 7) & 255)
    const a = fn(probe)
    const b = nobleSha256(probe)
    if (a.length === 32 && a.every((x, i) => x === b[i])) checked = fn
  } catch {
    checked = null
  }
  return checked ?? undefined
}
