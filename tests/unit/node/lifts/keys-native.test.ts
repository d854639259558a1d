// The lift keys' synchronous public keys: Node's native function gives exactly noble's keys (RFC 8032
// vectors and 300 seeded random secrets), so session keys and referee keys do not depend on the runtime.
import { describe, expect, it } from 'vitest'
import { ed25519 } from '@noble/curves/ed25519.js'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { liftKeys, noblePublicKey } from '../../../../src/node/services/lifts/keys'
import { nativePublicKey } from '../../../../src/node/services/lifts/keys-native'
import { seededRandom } from '../../../../src/node/net/sim/random'

function hex (s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map(b => parseInt(b, 16)))
}

describe('lift keys: native and noble public keys', () => {
  const native = nativePublicKey()

  it('Node has the native function', () => {
    expect(native).toBeTypeOf('function')
  })

  it('gives RFC 8032 test keys (tests 1–3)', () => {
    const vectors = [
      ['9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'],
      ['4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'],
      ['c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7', 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025']
    ]
    for (const [secret, pub] of vectors) {
      expect(native!(hex(secret!))).toEqual(hex(pub!))
      expect(noblePublicKey(hex(secret!))).toEqual(hex(pub!))
    }
  })

  it('equals noble on 300 seeded random secrets, and both make the same lift keys', () => {
    const random = seededRandom(11)
    for (let i = 0; i < 300; i++) {
      const secret = random.bytes(32)
      expect(toBase64url(native!(secret))).toBe(toBase64url(ed25519.getPublicKey(secret)))
    }
    const member = random.bytes(32)
    const a = liftKeys(member, native)
    const b = liftKeys(member, noblePublicKey)
    expect(a.referee.key).toBe(b.referee.key)
    for (const s of ['s1', 's2', 's3']) expect(a.session(s)).toEqual(b.session(s))
  })

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => native!(new Uint8Array(31))).toThrow(RangeError)
  })

  it('session keys: the cache returns the same pair, and an evicted session is derived again identically', () => {
    const keys = liftKeys(seededRandom(3).bytes(32), native, 2)
    const first = keys.session('a')
    expect(keys.session('a')).toBe(first)
    keys.session('b'); keys.session('c') // 'a' is evicted (cache of 2)
    const again = keys.session('a')
    expect(again).not.toBe(first)
    expect(again).toEqual(first)
  })
})
