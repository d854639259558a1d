// Every refusal is a named error the UI can show (DESIGN.md §8). `code` is stable and machine-readable;
// `message` is for people. Subclasses live next to the rules that raise them; this file holds the base
// class and the errors shared across the core.

export class ChipsError extends Error {
  /** A stable identifier such as 'INVALID_SIGNATURE'; the UI maps it to text and tests match on it. */
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** A value arriving from outside (network, storage, a link) does not have the expected shape. */
export class MalformedError extends ChipsError {
  constructor (message: string, options?: { cause?: unknown }) { super('MALFORMED', message, options) }
}

/** A signature does not verify against the key it names. */
export class InvalidSignatureError extends ChipsError {
  constructor (message = 'invalid signature') { super('INVALID_SIGNATURE', message) }
}

/** A message or record is larger than its protocol allows. */
export class TooLargeError extends ChipsError {
  constructor (readonly size: number, readonly limit: number, what = 'message') {
    super('TOO_LARGE', `${what} of ${size} bytes exceeds the limit of ${limit} bytes`)
  }
}

export function isChipsError (e: unknown): e is ChipsError {
  return e instanceof ChipsError
}
