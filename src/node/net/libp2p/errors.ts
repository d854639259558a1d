// Named refusals specific to the libp2p adapter.
import { ChipsError } from '../../../core/errors'
import { shortId } from '../errors'

/**
 * Too many streams of one protocol were open on the connection to this peer (libp2p's per-protocol
 * stream cap). Nothing was processed by the peer; the request can be sent again.
 */
export class StreamLimitError extends ChipsError {
  readonly retryable = true
  constructor (readonly peerId: string, readonly protocol: string, options?: { cause?: unknown }) {
    super('STREAM_LIMIT', `too many ${protocol} requests open to peer ${shortId(peerId)} at once; try again`, options)
  }
}
