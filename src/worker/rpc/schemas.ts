// The RPC's arguments come from the page: validated here before any service sees them.
import * as v from 'valibot'
import { MalformedError } from '../../core/errors'
import type { StartOptions } from '../api'

const Short = (max: number, what: string) => v.pipe(v.string(`${what} must be text`), v.maxLength(max, `${what} is too long`))

export const NameArg = Short(200, 'the name')
export const PhraseArg = Short(1000, 'the recovery phrase')
export const LinkArg = Short(16_384, 'the contact link')
export const PeerIdArg = v.pipe(Short(128, 'the peer id'), v.minLength(1, 'the peer id is empty'))
export const SubscriptionArg = v.pipe(v.number('a subscription id must be a number'), v.integer(), v.minValue(1))
export const BaseUrlArg = v.pipe(
  Short(2048, 'the base URL'),
  v.check(s => { try { return ['http:', 'https:'].includes(new URL(s).protocol) } catch { return false } }, 'the base URL must be an http(s) URL')
)

const IceServer = v.object({
  urls: v.union([Short(1000, 'an ICE server URL'), v.pipe(v.array(Short(1000, 'an ICE server URL')), v.maxLength(16))]),
  username: v.optional(Short(1000, 'an ICE username')),
  credential: v.optional(Short(1000, 'an ICE credential'))
})

export const StartOptionsArg = v.object({
  relays: v.pipe(v.array(Short(1000, 'a relay address')), v.maxLength(16, 'too many relays')),
  iceServers: v.pipe(v.array(IceServer), v.maxLength(16, 'too many ICE servers')),
  webrtc: v.boolean('webrtc must be true or false'),
  allowInsecureLoopback: v.optional(v.boolean()),
  liftAutoClearMs: v.optional(v.pipe(v.number(), v.safeInteger('the auto-clearing period is whole ms'), v.minValue(1_000, 'auto-clearing runs at most every second'), v.maxValue(86_400_000, 'auto-clearing runs at least daily')))
}) satisfies v.GenericSchema<unknown, StartOptions>

export const ListenerArg = v.custom<(status: unknown) => unknown>(x => typeof x === 'function', 'the status listener must be a function (a comlink proxy)')

/** Parses one argument; a bad one is a MalformedError naming what was wrong. */
export function arg<S extends v.GenericSchema> (schema: S, value: unknown): v.InferOutput<S> {
  const r = v.safeParse(schema, value)
  if (!r.success) throw new MalformedError(`invalid request: ${r.issues[0].message}`)
  return r.output
}
