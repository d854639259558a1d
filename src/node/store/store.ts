// Storage for one node: a small set of tables of JSON-serialisable values, every state change in one
// transaction (a crash never leaves half a chit). Adapters: IndexedDB (idb) in browsers, memory in
// Node and the simulator.
//
// Single writer (DESIGN.md §5): a node opens the store with a writer epoch one above the last one
// recorded; every write transaction first checks that the recorded epoch is still its own and
// otherwise fails with StaleWriterError, so a node that was taken over stops at its first write.
//
// IndexedDB rule that shapes this API: a transaction commits as soon as it has no pending request, so
// a transaction body must await only the transaction's own operations (compute, sign and verify first).

/** The tables; a new one means a new schema version in the IndexedDB adapter. */
export const TABLES = ['meta', 'identity', 'contacts', 'tallies', 'entries', 'pending', 'lifts', 'outbox'] as const
export type Table = typeof TABLES[number]

export type StoreValue = unknown

export interface ReadTx {
  get<V = StoreValue> (table: Table, key: string): Promise<V | undefined>
  /** All values whose key starts with prefix, in key order. */
  list<V = StoreValue> (table: Table, prefix?: string): Promise<Array<{ key: string, value: V }>>
}

export interface WriteTx extends ReadTx {
  put (table: Table, key: string, value: StoreValue): Promise<void>
  delete (table: Table, key: string): Promise<void>
}

export interface Store {
  /** This node's writer epoch (set by claimWriter). */
  readonly epoch: number
  /** Records a writer epoch above every earlier one and makes it this store's own. */
  claimWriter (): Promise<number>
  read<T> (body: (tx: ReadTx) => Promise<T>): Promise<T>
  /** Runs body in one transaction after checking the writer epoch; all or nothing. */
  write<T> (body: (tx: WriteTx) => Promise<T>): Promise<T>
  close (): Promise<void>
}
