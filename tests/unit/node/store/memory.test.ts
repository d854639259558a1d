import { describe, expect, it } from 'vitest'
import { MemoryDatabase, MemoryStore, openMemoryStore } from '../../../../src/node/store/memory'
import { StaleWriterError } from '../../../../src/node/store/errors'
import { storeContract } from './contract'

storeContract('memory', {
  fresh () {
    const db = new MemoryDatabase()
    return async () => await openMemoryStore(db)
  }
})

describe('memory store', () => {
  it('refuses writes from a store that never claimed a writer epoch', async () => {
    const store = new MemoryStore()
    await expect(store.write(tx => tx.put('meta', 'x', 1))).rejects.toBeInstanceOf(StaleWriterError)
    await expect(store.write(tx => tx.put('meta', 'x', 1))).rejects.toThrow(/not claimed/)
  })
})
