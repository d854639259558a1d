// Remembers the wallets this node has verified, in the 'contacts' table (one write per verified hello).
import type { ContactCard } from '../api'
import type { Store } from '../store/store'
import type { VerifiedHello } from '../protocols/hello'

export interface ContactRecord {
  userId: string
  name: string
  peerId: string
  addrs: string[]
  lastHelloAt: number
}

/** Key: user id, then peer id (a user may have several devices). */
export function contactKey (userId: string, peerId: string): string {
  return `${userId}/${peerId}`
}

export async function saveContact (store: Store, hello: VerifiedHello, at: number, card?: ContactCard): Promise<void> {
  const key = contactKey(hello.userId, hello.peerId)
  await store.write(async tx => {
    const known = await tx.get<ContactRecord>('contacts', key)
    const record: ContactRecord = {
      userId: hello.userId, name: hello.name, peerId: hello.peerId, addrs: card?.addrs ?? known?.addrs ?? [], lastHelloAt: at
    }
    await tx.put('contacts', key, record)
  })
}
