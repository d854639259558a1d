// Picks the fastest backend that works here: native WebCrypto Ed25519 if the given SubtleCrypto supports it
// and agrees with noble on a known-answer test, noble otherwise. The probe runs once per SubtleCrypto.
import { nobleProvider } from './noble'
import type { SignatureProvider } from './provider'
import { webCryptoProvider } from './webcrypto'

// RFC 8032 §7.1 TEST 1: secret, public key and the signature of the empty message.
const KAT_SECRET = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')
const KAT_PUBLIC = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
const KAT_SIG = hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b')

function hex (s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

const probed = new WeakMap<SubtleCrypto, Promise<SignatureProvider>>()

async function probe (subtle: SubtleCrypto): Promise<SignatureProvider> {
  try {
    const native = webCryptoProvider(subtle)
    const msg = new Uint8Array(0)
    const pub = await native.publicKey(KAT_SECRET)
    const sig = await native.sign(KAT_SECRET, msg)
    const tampered = Uint8Array.from(KAT_SIG); tampered[0]! ^= 1
    if (equal(pub, KAT_PUBLIC) && equal(sig, KAT_SIG) &&
        await native.verify(KAT_PUBLIC, msg, KAT_SIG) && !(await native.verify(KAT_PUBLIC, msg, tampered))) {
      return native
    }
  } catch {
    // no native Ed25519 here: fall through
  }
  return nobleProvider
}

/** Native WebCrypto Ed25519 when `subtle` supports it correctly, else noble. */
export function chooseProvider (subtle?: SubtleCrypto): Promise<SignatureProvider> {
  if (subtle === undefined) return Promise.resolve(nobleProvider)
  let p = probed.get(subtle)
  if (p === undefined) { p = probe(subtle); probed.set(subtle, p) }
  return p
}
