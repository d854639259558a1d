// The bench's side of the wallet workers: a typed call per command, and the trio P–X–Q (P pays Q through
// X) with both tallies opened through the real invitation flow, each wallet in its own worker thread.
import { Worker } from 'node:worker_threads'
import type { Answer, Command, Commands, Request } from './messages'
import { until } from './wait'

export class RemoteWallet {
  readonly #worker: Worker
  readonly #pending = new Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>()
  #next = 0
  userId = ''

  constructor (readonly name: string) {
    this.#worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: new URL('./wallet-worker.ts', import.meta.url).href } })
    this.#worker.on('message', (a: Answer) => {
      const p = this.#pending.get(a.id)
      if (p === undefined) return
      this.#pending.delete(a.id)
      if (a.ok) p.resolve(a.value)
      else p.reject(Object.assign(new Error(`${name}: ${a.message}`), { code: a.code }))
    })
    this.#worker.on('error', err => { this.#failAll(err) })
    this.#worker.on('exit', code => { this.#failAll(new Error(`${name}: the worker exited (${code})`)) })
  }

  async call<C extends Command> (cmd: C, ...args: Parameters<Commands[C]>): Promise<ReturnType<Commands[C]>> {
    const id = this.#next++
    return await new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.#worker.postMessage({ id, cmd, args } satisfies Request<C>)
    })
  }

  async terminate (): Promise<void> {
    await this.call('stop').catch(() => undefined)
    await this.#worker.terminate()
  }

  #failAll (err: Error): void {
    for (const p of this.#pending.values()) p.reject(err)
    this.#pending.clear()
  }
}

export interface RemoteTrio {
  p: RemoteWallet
  x: RemoteWallet
  q: RemoteWallet
  /** Tally ids: X owes P (P gives to X), Q owes X (X gives to Q). */
  px: string
  xq: string
  stop (): Promise<void>
}

/** Opens a tally where `foil` owes `stock` `balance` (a real payment), with `limit` of credit from the stock. */
async function openOwing (foil: RemoteWallet, stock: RemoteWallet, balance: number, limit: number): Promise<string> {
  const { link } = await stock.call('invite', limit)
  const { id } = await foil.call('redeem', link)
  await foil.call('accept', id)
  for (const w of [stock, foil]) await until(async () => await w.call('tally', id), v => v.status === 'open', `the tally to open at ${w.name}`)
  const paid = await foil.call('payTally', id, balance)
  if (paid.status !== 'final') throw new Error(`the opening payment is ${paid.status}`)
  await until(async () => await stock.call('tally', id), v => v.balance === balance, 'the payment at the stock')
  return id
}

/**
 * Three wallets P, X, Q, each in its own worker thread, with P–X and X–Q tallies carrying `balance`.
 * `relay`: every link goes through it (browsers); `direct`: the nodes listen on loopback WebSockets and
 * dial each other (cloud nodes), no relay.
 */
export async function remoteTrio (options: { relay?: string, direct: boolean, balance?: number }): Promise<RemoteTrio> {
  const balance = options.balance ?? 1_000_000
  const all = ['P', 'X', 'Q'].map(n => new RemoteWallet(n))
  const stop = async (): Promise<void> => { await Promise.all(all.map(async w => { await w.terminate() })) }
  try {
    await Promise.all(all.map(async w => {
      w.userId = (await w.call('start', { name: w.name, direct: options.direct, ...(options.relay !== undefined ? { relay: options.relay } : {}) })).userId
      await w.call('ready')
    }))
    const [p, x, q] = all as [RemoteWallet, RemoteWallet, RemoteWallet]
    const px = await openOwing(x, p, balance, 10 * balance)
    const xq = await openOwing(q, x, balance, 10 * balance)
    return { p, x, q, px, xq, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
