// base64url without padding (RFC 4648 §5), the encoding of every key, id, hash and signature we emit.
// Decoding is strict: one canonical text per byte string, so a re-encoded value never changes a hash.
import { MalformedError } from '../errors'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i

export function toBase64url (bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!
  }
  return out
}

/** Throws MalformedError on padding, characters outside the alphabet, an impossible length or non-zero spare bits. */
export function fromBase64url (s: string): Uint8Array {
  if (typeof s !== 'string') throw new MalformedError('base64url: not a string')
  if (s.length % 4 === 1) throw new MalformedError('base64url: impossible length')
  const out = new Uint8Array(Math.floor((s.length * 3) / 4))
  let acc = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const v = c < 128 ? LOOKUP[c]! : -1
    if (v < 0) throw new MalformedError('base64url: invalid character')
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new MalformedError('base64url: non-canonical trailing bits')
  return out
}

/** Decodes and checks the byte length (keys: 32, signatures: 64). */
export function fromBase64urlOfLength (s: string, length: number, what: string): Uint8Array {
  const bytes = fromBase64url(s)
  if (bytes.length !== length) throw new MalformedError(`${what}: expected ${length} bytes, got ${bytes.length}`)
  return bytes
}
