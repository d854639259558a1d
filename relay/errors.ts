// The relay's named refusals. They extend the shared ChipsError so a caller can match on `code`.
import { ChipsError } from '../src/core/errors'

/** A flag, environment variable or config value is invalid. The message is one line for people. */
export class RelayConfigError extends ChipsError {
  constructor (message: string) { super('RELAY_CONFIG', message) }
}

/** The relay's identity key file exists but cannot be read as a libp2p private key. */
export class RelayKeyFileError extends ChipsError {
  constructor (message: string, options?: { cause?: unknown }) { super('RELAY_KEY_FILE', message, options) }
}
