// Persistent storage (DESIGN.md §8): the wallet lives in IndexedDB, which a browser may clear under
// storage pressure unless the origin is persisted. navigator.storage.persist() exists on the page
// only (not in workers), so the page asks, once the wallet exists.

export type PersistState = 'granted' | 'denied' | 'unsupported'

/** The part of navigator.storage used here (a fake in tests). */
export interface StorageManagerLike {
  persisted?: () => Promise<boolean>
  persist?: () => Promise<boolean>
}

export async function requestPersistence (storage: StorageManagerLike | undefined): Promise<PersistState> {
  if (storage?.persist === undefined) return 'unsupported'
  try {
    if (storage.persisted !== undefined && await storage.persisted()) return 'granted'
    return (await storage.persist()) ? 'granted' : 'denied'
  } catch {
    return 'denied'
  }
}
