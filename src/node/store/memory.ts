// In-memory Store for Node tests, cloud-node experiments and the simulator. Semantics match the
// IndexedDB adapter: values are structured clones (a caller never aliases stored state), write
// transactions run one at a time and apply all-or-nothing, and every write checks the writer epoch.
import type { ReadTx, Store, StoreValue, Table, WriteTx } from './store'
import { TABLES } from './store'
import { StaleWriterError, StoreClosedError } from './errors'
import { WRITER_EPOCH_KEY } from './meta'

type Tables = Map<Table, Map<string, StoreValue>>

/** The data behind one or more MemoryStores (two stores over one database model two tabs of a wallet). */
export class MemoryDatabase {
  tables: Tables = new Map(TABLES.map(t => [t, new Map()]))
  /** Serialises write transactions across every store open on this database. */
  queue: Promise<unknown> = Promise.resolve()
}

class MemoryReadTx implements ReadTx {
  constructor (protected readonly tables: Tables) {}

  async get<V = StoreValue> (table: Table, key: string): Promise<V | undefined> {
    const value = this.table(table).get(key)
    return value === undefined ? undefined : structuredClone(value) as V
  }

  async list<V = StoreValue> (table: Table, prefix = ''): Promise<Array<{ key: string, value: V }>> {
    const rows = [...this.table(table).entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    return rows.map(([key, value]) => ({ key, value: structuredClone(value) as V }))
  }

  protected table (table: Table): Map<string, StoreValue> {
    const t = this.tables.get(table)
    if (t === undefined) throw new TypeError(`unknown table '${table}'`)
    return t
  }
}

class MemoryWriteTx extends MemoryReadTx implements WriteTx {
  /** Tables this transaction copied (copy on first write: the others stay shared with the committed state). */
  readonly #copied = new Set<Table>()

  async put (table: Table, key: string, value: StoreValue): Promise<void> {
    this.#writable(table).set(key, structuredClone(value))
  }

  async delete (table: Table, key: string): Promise<void> {
    this.#writable(table).delete(key)
  }

  #writable (table: Table): Map<string, StoreValue> {
    const rows = this.table(table)
    if (this.#copied.has(table)) return rows
    const copy = new Map(rows)
    this.tables.set(table, copy)
    this.#copied.add(table)
    return copy
  }
}

function copyTables (tables: Tables): Tables {
  return new Map(tables)
}

export class MemoryStore implements Store {
  #epoch = 0
  #closed = false

  constructor (readonly db: MemoryDatabase = new MemoryDatabase()) {}

  get epoch (): number { return this.#epoch }

  async claimWriter (): Promise<number> {
    return await this.#exclusive(async () => {
      const rows = this.#open().get('meta') as Map<string, StoreValue>
      const next = currentEpoch(rows) + 1
      rows.set(WRITER_EPOCH_KEY, next)
      this.#epoch = next
      return next
    })
  }

  async read<T> (body: (tx: ReadTx) => Promise<T>): Promise<T> {
    return await body(new MemoryReadTx(this.#open()))
  }

  async write<T> (body: (tx: WriteTx) => Promise<T>): Promise<T> {
    return await this.#exclusive(async () => {
      const tables = this.#open()
      const current = currentEpoch(tables.get('meta') as Map<string, StoreValue>)
      if (this.#epoch === 0 || current !== this.#epoch) throw new StaleWriterError(this.#epoch, current)
      // Work on a copy and swap it in only on success: all or nothing.
      const draft = copyTables(tables)
      const result = await body(new MemoryWriteTx(draft))
      this.#open()
      this.db.tables = draft
      return result
    })
  }

  async close (): Promise<void> {
    this.#closed = true
  }

  #open (): Tables {
    if (this.#closed) throw new StoreClosedError('closed')
    return this.db.tables
  }

  async #exclusive<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.db.queue.then(fn)
    this.db.queue = run.catch(() => undefined)
    return await run
  }
}

function currentEpoch (meta: Map<string, StoreValue>): number {
  const v = meta.get(WRITER_EPOCH_KEY)
  return typeof v === 'number' ? v : 0
}

/** Opens a memory store and claims its writer epoch (what a node does at start). */
export async function openMemoryStore (db: MemoryDatabase = new MemoryDatabase()): Promise<MemoryStore> {
  const store = new MemoryStore(db)
  await store.claimWriter()
  return store
}
