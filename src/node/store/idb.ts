// IndexedDB Store (browsers; fake-indexeddb in Node tests), on the `idb` wrapper.
//
// Every read or write is one IndexedDB transaction over all tables. A write transaction first reads
// the recorded writer epoch and aborts with StaleWriterError if another node claimed the wallet.
// When a newer app version (another tab) needs the database, `versionchange` reaches us: we close at
// once and report it, so the update never stalls on `blocked`.
import { deleteDB, openDB } from 'idb'
import type { IDBPDatabase, IDBPTransaction } from 'idb'
import type { ReadTx, Store, StoreValue, Table, WriteTx } from './store'
import { TABLES } from './store'
import type { StoreCloseReason } from './errors'
import { StaleWriterError, StoreClosedError } from './errors'
import { WRITER_EPOCH_KEY, prefixEnd } from './meta'

/** Bump when TABLES grows; upgrade() creates the missing object stores. */
export const IDB_SCHEMA_VERSION = 1

export interface IdbStoreOptions {
  /** Database name, one per wallet (e.g. 'mychips-wallet'). */
  name: string
  /**
   * Called once when the connection closes by itself: 'versionchange' (another tab upgrades or deletes
   * the database: we already closed) or 'terminated' (the browser closed it). The node should stop.
   */
  onClose?: (reason: Exclude<StoreCloseReason, 'closed'>) => void
  /** Called if opening waits on an older connection that does not close (another tab of an old version). */
  onBlocked?: () => void
}

type AnyTx = IDBPTransaction<unknown, Table[], IDBTransactionMode>
type RwTx = IDBPTransaction<unknown, Table[], 'readwrite'>

class IdbReadTx implements ReadTx {
  constructor (protected readonly tx: AnyTx) {}

  async get<V = StoreValue> (table: Table, key: string): Promise<V | undefined> {
    return await this.tx.objectStore(table).get(key) as V | undefined
  }

  async list<V = StoreValue> (table: Table, prefix = ''): Promise<Array<{ key: string, value: V }>> {
    const store = this.tx.objectStore(table)
    const range = prefix === '' ? undefined : IDBKeyRange.bound(prefix, prefixEnd(prefix))
    const [keys, values] = await Promise.all([store.getAllKeys(range), store.getAll(range)])
    return keys.map((key, i) => ({ key: String(key), value: values[i] as V }))
  }
}

class IdbWriteTx extends IdbReadTx implements WriteTx {
  constructor (protected readonly rw: RwTx) { super(rw as unknown as AnyTx) }

  async put (table: Table, key: string, value: StoreValue): Promise<void> {
    await this.rw.objectStore(table).put(value, key)
  }

  async delete (table: Table, key: string): Promise<void> {
    await this.rw.objectStore(table).delete(key)
  }
}

export class IdbStore implements Store {
  #epoch = 0
  #closed: StoreCloseReason | undefined

  private constructor (private readonly db: IDBPDatabase) {}

  /** Opens (creating or upgrading) the database and claims the writer epoch. */
  static async open (options: IdbStoreOptions): Promise<IdbStore> {
    const holder: { store?: IdbStore } = {}
    let early: Exclude<StoreCloseReason, 'closed'> | undefined
    const shut = (reason: Exclude<StoreCloseReason, 'closed'>): void => {
      const store = holder.store
      if (store === undefined) { early = reason; return }
      if (store.#closed !== undefined) return
      store.#closed = reason
      options.onClose?.(reason)
    }
    const db = await openDB(options.name, IDB_SCHEMA_VERSION, {
      upgrade (database) {
        for (const table of TABLES) {
          if (!database.objectStoreNames.contains(table)) database.createObjectStore(table)
        }
      },
      blocked () { options.onBlocked?.() },
      blocking () {
        // A newer version or a delete waits for us: step aside immediately.
        db.close()
        shut('versionchange')
      },
      terminated () { shut('terminated') }
    })
    const store = holder.store = new IdbStore(db)
    if (early !== undefined) {
      const reason: Exclude<StoreCloseReason, 'closed'> = early
      shut(reason)
      throw new StoreClosedError(reason)
    }
    await store.claimWriter()
    return store
  }

  get epoch (): number { return this.#epoch }

  /** Why the store closed, if it did. */
  get closedReason (): StoreCloseReason | undefined { return this.#closed }

  async claimWriter (): Promise<number> {
    const tx = this.#tx('readwrite') as unknown as RwTx
    const meta = tx.objectStore('meta')
    const next = epochOf(await meta.get(WRITER_EPOCH_KEY)) + 1
    await meta.put(next, WRITER_EPOCH_KEY)
    await tx.done
    this.#epoch = next
    return next
  }

  async read<T> (body: (tx: ReadTx) => Promise<T>): Promise<T> {
    const tx = this.#tx('readonly')
    const result = await body(new IdbReadTx(tx))
    await tx.done
    return result
  }

  async write<T> (body: (tx: WriteTx) => Promise<T>): Promise<T> {
    const tx = this.#tx('readwrite')
    let result: T
    try {
      const current = epochOf(await tx.objectStore('meta').get(WRITER_EPOCH_KEY))
      if (this.#epoch === 0 || current !== this.#epoch) throw new StaleWriterError(this.#epoch, current)
      result = await body(new IdbWriteTx(tx as unknown as RwTx))
    } catch (err) {
      abortQuietly(tx)
      throw err
    }
    await tx.done
    return result
  }

  async close (): Promise<void> {
    if (this.#closed === undefined) this.#closed = 'closed'
    this.db.close()
  }

  #tx (mode: IDBTransactionMode): AnyTx {
    if (this.#closed !== undefined) throw new StoreClosedError(this.#closed)
    return this.db.transaction([...TABLES], mode) as unknown as AnyTx
  }
}

function epochOf (v: unknown): number {
  return typeof v === 'number' ? v : 0
}

function abortQuietly (tx: AnyTx): void {
  // tx.done rejects on abort; nobody awaits it here.
  tx.done.catch(() => undefined)
  try { tx.abort() } catch { /* already finished or aborted */ }
}

/** Opens an IndexedDB store and claims its writer epoch. */
export async function openIdbStore (options: IdbStoreOptions): Promise<IdbStore> {
  return await IdbStore.open(options)
}

/**
 * Deletes a wallet database. Open connections in other tabs get `versionchange` and close (our adapter
 * does so by itself); onBlocked reports one that does not.
 */
export async function deleteIdbStore (name: string, onBlocked?: () => void): Promise<void> {
  await deleteDB(name, { blocked () { onBlocked?.() } })
}
