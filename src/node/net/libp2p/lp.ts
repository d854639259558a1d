// Length-prefixed framing (unsigned varint length, then the bytes) with a hard bound on the length
// prefix itself: lpStream alone keeps reading a varint that never ends (garbage such as 0xff…), so a
// peer could hold a handler forever. A frame longer than the limit is refused from its prefix alone.
import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'

/** 5 varint bytes encode lengths up to 2^35: far above any frame we accept. */
const MAX_PREFIX_BYTES = 5

export class FrameLengthError extends Error {
  override name = 'InvalidDataLengthLengthError'
}

function decodeLength (data: Uint8ArrayList): number {
  let value = 0
  for (let i = 0; i < data.byteLength; i++) {
    const byte = data.get(i)
    value += (byte & 0x7f) * 2 ** (7 * i)
    if ((byte & 0x80) === 0) return value
    if (i + 1 >= MAX_PREFIX_BYTES) throw new FrameLengthError('the frame length prefix is not a valid varint')
  }
  // lpStream reads another byte and retries on RangeError.
  throw new RangeError('incomplete varint')
}

export function framed (stream: Stream, maxDataLength: number): LengthPrefixedStream<Stream> {
  return lpStream(stream, { maxDataLength, maxLengthLength: MAX_PREFIX_BYTES, lengthDecoder: decodeLength })
}
