// The response frame every request/response protocol uses, on every Network adapter: one byte of
// kind, then either the response body (OK) or a UTF-8 JSON {code, message} (ERROR). The requester
// turns an ERROR frame into a RemoteError with the remote's code.
import * as v from 'valibot'
import { ChipsError, MalformedError } from '../../core/errors'
import { ProtocolViolationError, RemoteError } from './errors'

const OK = 0
const ERROR = 1

/** Longest error message we send or accept; errors are for people, not payloads. */
const MAX_ERROR_MESSAGE = 500

const ErrorBody = v.object({
  code: v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]{0,63}$/)),
  message: v.pipe(v.string(), v.maxLength(MAX_ERROR_MESSAGE))
})

export function okFrame (body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.byteLength + 1)
  out[0] = OK
  out.set(body, 1)
  return out
}

/** An ERROR frame for a refusal. Anything that is not a ChipsError is reported as INTERNAL without details. */
export function errorFrame (err: unknown): Uint8Array {
  const { code, message } = err instanceof ChipsError
    ? { code: err.code, message: err.message.slice(0, MAX_ERROR_MESSAGE) }
    : { code: 'INTERNAL', message: 'the peer failed to handle the request' }
  const json = new TextEncoder().encode(JSON.stringify({ code, message }))
  const out = new Uint8Array(json.byteLength + 1)
  out[0] = ERROR
  out.set(json, 1)
  return out
}

/** Returns the body of an OK frame; throws RemoteError for an ERROR frame, ProtocolViolationError for anything else. */
export function openFrame (frame: Uint8Array, peerId: string): Uint8Array {
  const kind = frame[0]
  if (kind === OK) return frame.subarray(1)
  if (kind === ERROR) {
    let parsed: unknown
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(1)))
    } catch (cause) {
      throw new ProtocolViolationError('the peer sent an unreadable error frame', { cause })
    }
    const body = v.safeParse(ErrorBody, parsed)
    if (!body.success) throw new ProtocolViolationError('the peer sent a malformed error frame')
    throw new RemoteError(body.output.code, body.output.message, peerId)
  }
  throw new ProtocolViolationError(kind === undefined ? 'the peer sent an empty response' : `the peer sent an unknown response frame kind ${kind}`)
}

/** Refusal for a request frame that is not length-prefixed bytes. */
export function malformedRequest (what: string): MalformedError {
  return new MalformedError(`the request is not a valid frame: ${what}`)
}
