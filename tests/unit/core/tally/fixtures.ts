// Shared test fixtures: two users (Alice = foil, Bob = stock, as in research §9), a negotiated open tally,
// and a signer that tracks each party's chain index like a device would.
import { webcrypto } from 'node:crypto'
import { webCryptoProvider } from '../../../../src/core/crypto/webcrypto'
import { deriveUserSecret, userIdFromPublicKey } from '../../../../src/core/keys/user'
import { chainPublicKey, sealPublicKeyOf } from '../../../../src/core/keys/chain'
import { signPartyAction, partyAction } from '../../../../src/core/chit/sign'
import type { Op, TallyAction } from '../../../../src/core/chit/types'
import { acceptOffer, acceptTicket, draftTally, makeTicket, receiveOffer, receiveOpen, signOffer, type Negotiation } from '../../../../src/core/tally/negotiation'
import { openTally, type TallyState } from '../../../../src/core/tally/state'
import { tallyMachine } from '../../../../src/core/tally/machine'
import type { PartyInfo, Side, SignedTally, Terms, TradingVars } from '../../../../src/core/tally/types'
import { hashOf } from '../../../../src/core/codec/hash'
import { toBase64url } from '../../../../src/core/codec/base64url'

// Native Ed25519 keeps these tests fast on a busy machine; the two backends are proven equivalent in
// tests/unit/core/crypto/providers.test.ts.
export const p = webCryptoProvider(webcrypto.subtle as SubtleCrypto)
export const machine = tallyMachine(p)
export const CONTRACT = hashOf({ title: 'Tally Contract', version: 1 })
export const TALLY_ID = 'tally-0001-abcdef'
export const NOW = 1_700_000_000_000

export interface User { name: string, secret: Uint8Array, userId: string, nodes: string[] }

export function nodeKey (n: number): string {
  return toBase64url(Uint8Array.from({ length: 32 }, (_, i) => (n * 17 + i) & 255))
}

export async function user (name: string, seedByte: number, nodes: Array<number | string>): Promise<User> {
  const secret = deriveUserSecret(new Uint8Array(64).fill(seedByte))
  return { name, secret, userId: userIdFromPublicKey(await p.publicKey(secret)), nodes: nodes.map(n => typeof n === 'number' ? nodeKey(n) : n) }
}

export async function partyInfo (u: User, tally: string): Promise<PartyInfo> {
  return {
    cert: { userId: u.userId, name: u.name },
    chain: await chainPublicKey(p, u.secret, tally, 0),
    seal: sealPublicKeyOf(u.secret, tally),
    members: u.nodes.map(key => ({ key, weight: 1 }))
  }
}

export interface World {
  alice: User // foil, the drafter
  bob: User // stock
  signed: SignedTally
  state: TallyState
  aliceNeg: Negotiation
  bobNeg: Negotiation
}

/** Scenario 8's happy path, packaged: Alice drafts as foil, Bob redeems and accepts. */
export async function openWorld (opts: { limits?: { stock?: number, foil?: number }, vars?: { stock?: TradingVars, foil?: TradingVars }, nodes?: { stock: string[], foil: string[] } } = {}): Promise<World> {
  const alice = await user('Alice', 1, opts.nodes?.foil ?? [1, 2, 3])
  const bob = await user('Bob', 2, opts.nodes?.stock ?? [4])
  const terms = (limit: number): Terms => ({ limit, call: 30 })
  let aliceNeg = draftTally({
    id: TALLY_ID, date: NOW, contract: CONTRACT, holder: 'foil', party: await partyInfo(alice, TALLY_ID),
    terms: { stock: terms(opts.limits?.stock ?? 10_000), foil: terms(opts.limits?.foil ?? 5_000) }, vars: opts.vars
  })
  const ticket = await makeTicket(p, bob.secret, { token: 'T'.repeat(22), tally: TALLY_ID, party: await partyInfo(bob, TALLY_ID) })
  aliceNeg = await acceptTicket(p, aliceNeg, ticket, { clone: false })
  const offer = await signOffer(p, aliceNeg, alice.secret)
  aliceNeg = offer.negotiation
  let bobNeg = await receiveOffer(p, { id: TALLY_ID, holder: 'stock', party: await partyInfo(bob, TALLY_ID) }, offer.message)
  const accepted = await acceptOffer(p, bobNeg, bob.secret)
  bobNeg = accepted.negotiation
  aliceNeg = await receiveOpen(p, aliceNeg, accepted.message)
  return { alice, bob, signed: accepted.message, state: await openTally(p, accepted.message), aliceNeg, bobNeg }
}

/** A device of `u` on `side`: signs with the chain index it believes is next. */
export class Device {
  constructor (readonly u: User, readonly side: Side, public index = 0, readonly tally = TALLY_ID) {}
  async sign (op: Op, index = this.index): Promise<TallyAction> {
    this.index = index + 1
    return partyAction(await signPartyAction(p, this.u.secret, { tally: this.tally, side: this.side, index, op }))
  }
}

let seq = 0
export function chitId (): string {
  return `chit-${String(++seq).padStart(6, '0')}`
}
