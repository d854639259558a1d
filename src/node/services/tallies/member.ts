// This node as a tally-network member: its libp2p device key is Ed25519, so the member key (and the diary
// signing secret) come from it (the same derivation as the diary service's memberIdentityFromPeerKey).
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { toBase64url } from '../../../core/codec/base64url'
import { MalformedError } from '../../../core/errors'
import type { DiaryIdentity } from '../diary/service'

export function nodeMemberIdentity (peerKey: Uint8Array): DiaryIdentity {
  const key = privateKeyFromProtobuf(peerKey)
  if (key.type !== 'Ed25519') throw new MalformedError(`a tally member key must be Ed25519, not ${key.type}`)
  // libp2p keeps the Ed25519 private key as seed ‖ public key.
  return { secret: key.raw.slice(0, 32), key: toBase64url(key.publicKey.raw) }
}
