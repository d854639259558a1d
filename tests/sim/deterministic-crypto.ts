// Real Ed25519 with a replayable schedule. Native WebCrypto completes on a thread pool in whatever order
// the machine gives, so continuations (and the messages and random draws they make) would interleave
// differently from run to run. This wrapper holds every result until the simulator's driver asks for
// them, and then hands out all finished results at once, in the order the operations were issued. The
// driver only does so when nothing is in flight any more, so which operations exist and the order of
// their continuations depend on the seed alone. The signatures are the real ones: nothing is faked.
import type { SignatureProvider } from '../../src/core/crypto/provider'

interface Slot {
  seq: number
  done: boolean
  ok: boolean
  value: unknown
  resolve: (v: never) => void
  reject: (e: unknown) => void
}

export interface DeterministicCrypto {
  /** The ordered provider over the run's default backend. */
  readonly provider: SignatureProvider
  /** An ordered provider over another backend instance, sharing this schedule (e.g. one per node, so key caches do not thrash). */
  wrap (inner: SignatureProvider): SignatureProvider
  /** Operations whose real computation has not finished yet. */
  readonly inFlight: number
  /** Finished operations whose results were not handed out yet. */
  readonly held: number
  /** Operations issued so far. */
  readonly issued: number
  /** Resolves once no real computation is in flight. */
  idle (): Promise<void>
  /** Hands out every held result in issue order (call only when inFlight is 0); returns how many. */
  deliver (): number
}

export function deterministicCrypto (inner: SignatureProvider): DeterministicCrypto {
  let seq = 0
  let inFlight = 0
  const held: Slot[] = []
  let waiters: Array<() => void> = []

  function track<T> (work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const slot: Slot = { seq: ++seq, done: false, ok: false, value: undefined, resolve: resolve as (v: never) => void, reject }
      held.push(slot)
      inFlight++
      const finish = (ok: boolean, value: unknown): void => {
        slot.done = true; slot.ok = ok; slot.value = value
        inFlight--
        if (inFlight === 0) { const w = waiters; waiters = []; for (const f of w) f() }
      }
      let started: Promise<T>
      try {
        started = work()
      } catch (err) {
        started = Promise.reject(err)
      }
      started.then(v => { finish(true, v) }, (e: unknown) => { finish(false, e) })
    })
  }

  const wrap = (inner: SignatureProvider): SignatureProvider => ({
    name: `${inner.name}+ordered`,
    publicKey: (secret) => track(() => inner.publicKey(secret)),
    sign: (secret, message) => track(() => inner.sign(secret, message)),
    verify: (publicKey, message, signature) => track(() => inner.verify(publicKey, message, signature))
  })

  return {
    provider: wrap(inner),
    wrap,
    get inFlight () { return inFlight },
    get held () { return held.length },
    get issued () { return seq },
    idle: async () => {
      if (inFlight === 0) return
      await new Promise<void>(resolve => { waiters.push(resolve) })
    },
    deliver: () => {
      if (inFlight > 0) throw new Error('deliver() while crypto is still in flight would depend on thread timing')
      const batch = held.splice(0, held.length)
      for (const slot of batch) {
        if (slot.ok) slot.resolve(slot.value as never)
        else slot.reject(slot.value)
      }
      return batch.length
    }
  }
}
