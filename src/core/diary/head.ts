// The certified head a node builds on, the genesis every history starts from, and what every diary
// operation is given (the crypto provider and the replicated machine: the diary has no I/O of its own).
import type { SignatureProvider } from '../crypto/provider'
import type { ReplicatedMachine } from './machine'

export interface HeadRef {
  seq: number
  hash: string
}

/** The last certified entry (seq 0 = the genesis) and the machine state after it. */
export interface Head<S> extends HeadRef {
  state: S
}

/** Where a diary starts: the tally id, the hash entry 1 chains onto (the tally document's hash) and the initial state. */
export interface Genesis<S> {
  tally: string
  hash: string
  state: S
}

export interface DiaryContext<S, A> {
  provider: SignatureProvider
  machine: ReplicatedMachine<S, A>
  /** The tally id this diary belongs to. */
  tally: string
}

export function genesisHead<S> (g: Genesis<S>): Head<S> {
  return { seq: 0, hash: g.hash, state: g.state }
}

export function refOf (h: HeadRef): HeadRef {
  return { seq: h.seq, hash: h.hash }
}
