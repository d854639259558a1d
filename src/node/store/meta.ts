// Keys the store adapters keep in the 'meta' table for themselves.

/** The last claimed writer epoch (a number). */
export const WRITER_EPOCH_KEY = 'writer-epoch'

/** Upper bound of a key range that holds every key starting with prefix (keys compare by UTF-16 code units). */
export function prefixEnd (prefix: string): string {
  return prefix + '\uffff'
}
