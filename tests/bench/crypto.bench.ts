// Ed25519 signatures signed and verified per second for each backend of src/core/crypto (the figure's
// `backend` names it): noble (pure JS) and native WebCrypto (node:crypto's SubtleCrypto here), one at a
// time and, for verification, 64 in flight (how a diary is verified). Messages are 256 bytes, the size
// of a typical tally action. Smoke mode signs and verifies a handful, just to prove the bench runs.
import { webcrypto } from 'node:crypto'
import { nobleProvider } from '../../src/core/crypto/noble'
import { webCryptoProvider } from '../../src/core/crypto/webcrypto'
import { chooseProvider } from '../../src/core/crypto/select'
import type { SignatureProvider } from '../../src/core/crypto/provider'
import type { Bench } from './types'

const MSG_BYTES = 256

function messages (n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => Uint8Array.from({ length: MSG_BYTES }, (_, j) => (i * 31 + j * 7) & 255))
}

/** Runs `op` over `n` items, `parallel` in flight; returns operations per second. */
async function rate (n: number, parallel: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < n) await op(next++)
  }))
  return n / ((performance.now() - start) / 1000)
}

const bench: Bench = async (ctx) => {
  const subtle = webcrypto.subtle as SubtleCrypto
  const chosen = await chooseProvider(subtle)
  ctx.log(`chooseProvider picked ${chosen.name}`)
  const backends: SignatureProvider[] = [nobleProvider, webCryptoProvider(subtle)]
  const secret = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
  for (const p of backends) {
    // noble is ~10× slower: fewer operations keep each figure near one second on this machine
    const n = ctx.smoke ? 8 : p.name === 'noble' ? 400 : 4000
    const msgs = messages(n)
    const pub = await p.publicKey(secret)
    await p.sign(secret, msgs[0]!) // warm up (key import, JIT)
    const sigs: Uint8Array[] = new Array(n)
    const signed = await rate(n, 1, async i => { sigs[i] = await p.sign(secret, msgs[i]!) })
    const verified = await rate(n, 1, async i => { if (!(await p.verify(pub, msgs[i]!, sigs[i]!))) throw new Error(`${p.name}: a signature failed to verify`) })
    const parallel = await rate(n, 64, async i => { if (!(await p.verify(pub, msgs[i]!, sigs[i]!))) throw new Error(`${p.name}: a signature failed to verify`) })
    const common = { bench: 'crypto', unit: 'ops/s', backend: p.name, messageBytes: MSG_BYTES, operations: n, chosenByDefault: p.name === chosen.name }
    ctx.report({ ...common, metric: `Ed25519 sign (${p.name}, one at a time)`, value: Math.round(signed) })
    ctx.report({ ...common, metric: `Ed25519 verify (${p.name}, one at a time)`, value: Math.round(verified) })
    ctx.report({ ...common, metric: `Ed25519 verify (${p.name}, 64 in flight)`, value: Math.round(parallel) })
  }
}

export default bench
