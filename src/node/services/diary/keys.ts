// Member keys are node public keys (base64url Ed25519, Member.key). A node's libp2p device key is Ed25519,
// so its member key, its peer id and its signing secret all come from that one key.
import { privateKeyFromProtobuf, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { fromBase64url, toBase64url } from '../../../core/codec/base64url'
import { MalformedError } from '../../../core/errors'
import type { DiaryIdentity } from './service'

/** The diary identity of a node from its libp2p private key (Identity.peerKey, protobuf bytes). */
export function memberIdentityFromPeerKey (peerKey: Uint8Array): DiaryIdentity {
  const key = privateKeyFromProtobuf(peerKey)
  if (key.type !== 'Ed25519') throw new MalformedError(`a diary member key must be Ed25519, not ${key.type}`)
  // libp2p keeps the Ed25519 private key as seed ‖ public key.
  return { secret: key.raw.slice(0, 32), key: toBase64url(key.publicKey.raw) }
}

/** The libp2p peer id (string) of the node holding this member key. */
export function peerIdOfMember (memberKey: string): string {
  const known = peerIds.get(memberKey)
  if (known !== undefined) return known
  const raw = fromBase64url(memberKey)
  if (raw.length !== 32) throw new MalformedError('a member key is a 32-byte Ed25519 public key')
  return remember(peerIds, memberKey, peerIdFromPublicKey(publicKeyFromRaw(raw)).toString())
}

/** The member key of the node with this peer id, or undefined when its key is not Ed25519 (never a member). */
export function memberOfPeer (peerId: string): string | undefined {
  const known = members.get(peerId)
  if (known !== undefined) return known ?? undefined
  let member: string | null = null
  try {
    const pub = peerIdFromString(peerId).publicKey
    if (pub !== undefined && pub.type === 'Ed25519') member = toBase64url(pub.raw)
  } catch {
    // not a peer id: never a member
  }
  return remember(members, peerId, member) ?? undefined
}

// Both conversions parse multibase and protobuf on every call, and the diary asks for every message it
// receives: the answers are pure functions of their argument, remembered for the partners a node talks to.
const MEMO_LIMIT = 4096
const peerIds = new Map<string, string>()
const members = new Map<string, string | null>()

function remember<V> (memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!)
  memo.set(key, value)
  return value
}
