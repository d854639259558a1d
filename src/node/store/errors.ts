// Refusals raised by store adapters (DESIGN.md §5: one writer per node).
import { ChipsError } from '../../core/errors'

/** Another node claimed this wallet's store after us (a take-over); this node must stop writing. */
export class StaleWriterError extends ChipsError {
  constructor (readonly ownEpoch: number, readonly currentEpoch: number) {
    super('STALE_WRITER', ownEpoch === 0
      ? 'this node has not claimed the wallet store, so it may not write'
      : `the wallet was taken over by another tab or device (writer epoch ${currentEpoch}, ours ${ownEpoch})`)
  }
}

/** The store was closed (stopped, or closed because a newer app version needs the database). */
export class StoreClosedError extends ChipsError {
  constructor (readonly reason: StoreCloseReason) {
    super('STORE_CLOSED', reason === 'versionchange'
      ? 'the wallet database was closed so a newer version of the app can open it; reload the page'
      : reason === 'terminated'
        ? 'the browser closed the wallet database unexpectedly'
        : 'the wallet database is closed')
  }
}

export type StoreCloseReason = 'closed' | 'versionchange' | 'terminated'
