// Per-tally forward key chains (DESIGN.md §6). Each party signs its tally actions with a chain of one-time
// Ed25519 keys: action i is signed by key i and names the public key of key i + 1. Keys derive from the
// user's root secret by (tally id, index), so any device holding the recovery secret can continue the chain,
// and a stolen old key can sign nothing new.
import type { SignatureProvider } from '../crypto/provider'
import { toBase64url } from '../codec/base64url'
import { ChipsError } from '../errors'
import { deriveKey } from './derive'
import { sealPublicKey } from '../crypto/seal'

export const CHAIN_LABEL = 'tally-chain'
export const SEAL_LABEL = 'tally-seal'

/** Ed25519 secret of chain key `index` for one tally: HKDF(userSecret, info ["tally-chain", tallyId, index]). */
export function deriveChainSecret (userSecret: Uint8Array, tallyId: string, index: number): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError('chain index must be a non-negative integer')
  return deriveKey(userSecret, CHAIN_LABEL, [tallyId, index])
}

export async function chainPublicKey (p: SignatureProvider, userSecret: Uint8Array, tallyId: string, index: number): Promise<string> {
  return toBase64url(await p.publicKey(deriveChainSecret(userSecret, tallyId, index)))
}

/** X25519 secret of this user's seal key for one tally: HKDF(userSecret, info ["tally-seal", tallyId]). */
export function deriveSealSecret (userSecret: Uint8Array, tallyId: string): Uint8Array {
  return deriveKey(userSecret, SEAL_LABEL, [tallyId])
}

export function sealPublicKeyOf (userSecret: Uint8Array, tallyId: string): string {
  return toBase64url(sealPublicKey(deriveSealSecret(userSecret, tallyId)))
}

/** Where a party's chain stands: the index and public key its next action must use. */
export interface ChainPosition {
  index: number
  next: string
}

/** The action names a chain index that an earlier action already used (a replay, or a device that lost a race: re-sign with `expected`). */
export class KeyUsedError extends ChipsError {
  constructor (readonly used: number, readonly expected: number) {
    super('KEY_USED', `chain key ${used} is already used; the next action must use key ${expected}`)
  }
}

/** The action is signed by a key that is not the party's announced next key. */
export class UnknownKeyError extends ChipsError {
  constructor (message: string) { super('UNKNOWN_KEY', message) }
}

/**
 * Checks that an action claiming chain `index`, signed by `signer`, is the party's next action. Throws
 * KeyUsedError or UnknownKeyError. (The signature itself is checked by the caller against `signer`.)
 */
export function checkChainStep (pos: ChainPosition, index: number, signer: string): void {
  if (index < pos.index) throw new KeyUsedError(index, pos.index)
  if (index > pos.index) throw new UnknownKeyError(`chain key ${index} is ahead of the expected key ${pos.index}`)
  if (signer !== pos.next) throw new UnknownKeyError(`chain key ${index} is not the announced next key`)
}
