import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { openDB } from 'idb'
import { IDB_SCHEMA_VERSION, deleteIdbStore, openIdbStore } from '../../../../src/node/store/idb'
import { StoreClosedError } from '../../../../src/node/store/errors'
import { storeContract } from './contract'

let n = 0
const freshName = (): string => `wallet-test-${++n}`

storeContract('indexeddb', {
  fresh () {
    const name = freshName()
    return async () => await openIdbStore({ name })
  }
})

describe('indexeddb store', () => {
  it('keeps data and raises the epoch across close and reopen', async () => {
    const name = freshName()
    const a = await openIdbStore({ name })
    await a.write(tx => tx.put('identity', 'me', { userId: 'u1' }))
    await a.close()
    const b = await openIdbStore({ name })
    expect(b.epoch).toBe(2)
    expect(await b.read(tx => tx.get('identity', 'me'))).toEqual({ userId: 'u1' })
    await b.close()
  })

  it('closes and reports versionchange when a newer version opens the database, without blocking it', async () => {
    const name = freshName()
    const reasons: string[] = []
    const blocked: string[] = []
    const store = await openIdbStore({ name, onClose: r => reasons.push(r) })
    const newer = await openDB(name, IDB_SCHEMA_VERSION + 1, { blocked () { blocked.push('blocked') } })
    expect(reasons).toEqual(['versionchange'])
    expect(blocked).toEqual([])
    expect(store.closedReason).toBe('versionchange')
    const err = await store.write(tx => tx.put('meta', 'x', 1)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreClosedError)
    expect((err as StoreClosedError).message).toMatch(/newer version/)
    newer.close()
  })

  it('deletes the database even while a store is open, which closes and reports it', async () => {
    const name = freshName()
    const reasons: string[] = []
    const store = await openIdbStore({ name, onClose: r => reasons.push(r) })
    await store.write(tx => tx.put('identity', 'me', 1))
    let blocked = false
    await deleteIdbStore(name, () => { blocked = true })
    expect(blocked).toBe(false)
    expect(reasons).toEqual(['versionchange'])
    const again = await openIdbStore({ name })
    expect(again.epoch).toBe(1)
    expect(await again.read(tx => tx.get('identity', 'me'))).toBeUndefined()
    await again.close()
  })

  it('a write body that awaits foreign work loses its transaction and fails instead of half-writing', async () => {
    const store = await openIdbStore({ name: freshName() })
    const err = await store.write(async tx => {
      await tx.put('tallies', 'a', 1)
      await new Promise(resolve => setTimeout(resolve, 5))
      await tx.put('tallies', 'b', 2)
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(await store.read(tx => tx.get('tallies', 'b'))).toBeUndefined()
    await store.close()
  })
})
