// The Store contract, run against every adapter (memory, IndexedDB).
import { describe, expect, it } from 'vitest'
import type { Store } from '../../../../src/node/store/store'
import { StaleWriterError, StoreClosedError } from '../../../../src/node/store/errors'

export interface StoreHarness {
  /** A new, empty database; returns an opener for stores on it (each open claims a new writer epoch). */
  fresh (): () => Promise<Store>
}

export function storeContract (name: string, harness: StoreHarness): void {
  describe(`Store contract: ${name}`, () => {
    it('claims a writer epoch at open, above every earlier one', async () => {
      const open = harness.fresh()
      const a = await open()
      expect(a.epoch).toBe(1)
      const b = await open()
      expect(b.epoch).toBe(2)
      expect(await b.claimWriter()).toBe(3)
      expect(b.epoch).toBe(3)
      await a.close(); await b.close()
    })

    it('puts, gets, deletes and lists by prefix in key order', async () => {
      const store = await harness.fresh()()
      await store.write(async tx => {
        await tx.put('contacts', 'b/2', { n: 2 })
        await tx.put('contacts', 'a/1', { n: 1 })
        await tx.put('contacts', 'b/1', { n: 3 })
        await tx.put('tallies', 'b/9', { n: 9 })
      })
      expect(await store.read(tx => tx.get('contacts', 'a/1'))).toEqual({ n: 1 })
      expect(await store.read(tx => tx.get('contacts', 'zzz'))).toBeUndefined()
      const listed = await store.read(tx => tx.list<{ n: number }>('contacts', 'b/'))
      expect(listed).toEqual([{ key: 'b/1', value: { n: 3 } }, { key: 'b/2', value: { n: 2 } }])
      expect((await store.read(tx => tx.list('contacts'))).map(r => r.key)).toEqual(['a/1', 'b/1', 'b/2'])
      await store.write(tx => tx.delete('contacts', 'b/1'))
      expect((await store.read(tx => tx.list('contacts', 'b/'))).map(r => r.key)).toEqual(['b/2'])
      await store.close()
    })

    it('stores copies: mutating a value after put or get does not change what is stored', async () => {
      const store = await harness.fresh()()
      const value = { list: [1, 2], bytes: new Uint8Array([1, 2, 3]) }
      await store.write(tx => tx.put('identity', 'me', value))
      value.list.push(3)
      const got = await store.read(tx => tx.get<typeof value>('identity', 'me'))
      expect(got?.list).toEqual([1, 2])
      expect(got?.bytes).toEqual(new Uint8Array([1, 2, 3]))
      got?.list.push(4)
      expect((await store.read(tx => tx.get<typeof value>('identity', 'me')))?.list).toEqual([1, 2])
      await store.close()
    })

    it('a write is all or nothing: a body that throws leaves no trace and the error reaches the caller', async () => {
      const store = await harness.fresh()()
      await store.write(tx => tx.put('tallies', 't1', { seq: 1 }))
      const boom = new Error('half a chit')
      await expect(store.write(async tx => {
        await tx.put('tallies', 't1', { seq: 2 })
        await tx.put('entries', 't1/2', { x: 1 })
        throw boom
      })).rejects.toBe(boom)
      expect(await store.read(tx => tx.get('tallies', 't1'))).toEqual({ seq: 1 })
      expect(await store.read(tx => tx.get('entries', 't1/2'))).toBeUndefined()
      // the store still works afterwards
      await store.write(tx => tx.put('tallies', 't1', { seq: 3 }))
      expect(await store.read(tx => tx.get('tallies', 't1'))).toEqual({ seq: 3 })
      await store.close()
    })

    it('returns the write body\'s result and sees its own writes inside the transaction', async () => {
      const store = await harness.fresh()()
      const seen = await store.write(async tx => {
        await tx.put('outbox', 'm1', 'hello')
        return await tx.get('outbox', 'm1')
      })
      expect(seen).toBe('hello')
      await store.close()
    })

    it('concurrent writes do not lose updates', async () => {
      const store = await harness.fresh()()
      await store.write(tx => tx.put('meta', 'counter', 0))
      await Promise.all(Array.from({ length: 10 }, () => store.write(async tx => {
        const n = await tx.get<number>('meta', 'counter') ?? 0
        await tx.put('meta', 'counter', n + 1)
      })))
      expect(await store.read(tx => tx.get('meta', 'counter'))).toBe(10)
      await store.close()
    })

    it('a node that was taken over stops at its first write (StaleWriterError), the new writer goes on', async () => {
      const open = harness.fresh()
      const old = await open()
      await old.write(tx => tx.put('contacts', 'x', 1))
      const taker = await open()
      const err = await old.write(tx => tx.put('contacts', 'x', 2)).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StaleWriterError)
      expect((err as StaleWriterError).code).toBe('STALE_WRITER')
      expect((err as StaleWriterError).message).toMatch(/taken over/)
      // the stale writer's write changed nothing; it can still read
      expect(await old.read(tx => tx.get('contacts', 'x'))).toBe(1)
      await taker.write(tx => tx.put('contacts', 'x', 3))
      expect(await taker.read(tx => tx.get('contacts', 'x'))).toBe(3)
      await old.close(); await taker.close()
    })

    it('refuses reads and writes after close with StoreClosedError', async () => {
      const store = await harness.fresh()()
      await store.close()
      await expect(store.read(tx => tx.get('meta', 'x'))).rejects.toBeInstanceOf(StoreClosedError)
      await expect(store.write(tx => tx.put('meta', 'x', 1))).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    })
  })
}
