// A seeded, deterministic Random for the simulator (xoshiro128**, seeded through splitmix32). Not for keys
// a real wallet uses: only for simulated runs that must replay exactly from their seed.
import type { Random } from '../../ports'

export function seededRandom (seed: number): Random & { float (): number } {
  let x = seed >>> 0
  const splitmix = (): number => {
    x = (x + 0x9e3779b9) >>> 0
    let z = x
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  const s = [splitmix(), splitmix(), splitmix(), splitmix()]
  const next = (): number => {
    const [s0 = 0, s1 = 0, s2 = 0, s3 = 0] = s
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0
    const t = (s1 << 9) >>> 0
    let n2 = (s2 ^ s0) >>> 0
    let n3 = (s3 ^ s1) >>> 0
    const n1 = (s1 ^ n2) >>> 0
    const n0 = (s0 ^ n3) >>> 0
    n2 = (n2 ^ t) >>> 0
    n3 = rotl(n3, 11)
    s[0] = n0; s[1] = n1; s[2] = n2; s[3] = n3
    return result
  }
  return {
    bytes (length: number): Uint8Array {
      const out = new Uint8Array(length)
      for (let i = 0; i < length; i += 4) {
        const word = next()
        for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff
      }
      return out
    },
    float (): number { return next() / 2 ** 32 }
  }
}

function rotl (v: number, k: number): number {
  return ((v << k) | (v >>> (32 - k))) >>> 0
}
