// The invitation link codec (src/node/tally-link/invitation.ts): round trip, web+mychips form, and each
// refusal with a clear named error.
import { describe, expect, it } from 'vitest'
import { nobleProvider } from '../../../../src/core/crypto/noble'
import { deriveUserSecret, userIdFromPublicKey } from '../../../../src/core/keys/user'
import { toBase64url } from '../../../../src/core/codec/base64url'
import { invitationLink, invitationProtocolUrl, isInvitationLink, parseInvitationLink, signInvitation, type InvitationBody } from '../../../../src/node/tally-link/invitation'
import { DEFAULT_CONTRACT_HASH } from '../../../../src/node/services/tallies/contract'

const PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

async function signed (patch: Partial<InvitationBody> = {}, secretSeed = 1): Promise<{ link: string, body: InvitationBody }> {
  const secret = deriveUserSecret(new Uint8Array(64).fill(secretSeed))
  const userId = userIdFromPublicKey(await nobleProvider.publicKey(secret))
  const body: InvitationBody = {
    v: 1, card: { v: 1, userId, name: 'Alice', peerId: PEER, addrs: [] }, token: toBase64url(new Uint8Array(18).fill(7)), tally: 'tally-id-0001',
    side: 'stock', terms: { stock: { limit: 5000, call: 30 }, foil: { limit: 0, call: 30 } }, contract: DEFAULT_CONTRACT_HASH, expires: 1_800_000_000_000, reuse: false, ...patch
  }
  return { link: invitationLink('https://app.example/path?x=1#old', await signInvitation(nobleProvider, secret, body)), body }
}

describe('invitation links', () => {
  it('round-trips, also as web+mychips: and as the envelope JSON', async () => {
    const { link, body } = await signed({ memo: 'hello' })
    expect(link.startsWith('https://app.example/path?x=1#invite=')).toBe(true)
    expect(isInvitationLink(link)).toBe(true)
    expect((await parseInvitationLink(nobleProvider, link)).body).toEqual(body)
    const proto = invitationProtocolUrl(link)
    expect(proto.startsWith('web+mychips:invite=')).toBe(true)
    expect(isInvitationLink(proto)).toBe(true)
    expect((await parseInvitationLink(nobleProvider, ` ${proto} `)).body).toEqual(body)
    expect(isInvitationLink('https://app.example/#contact=abc')).toBe(false)
  })

  it('refuses a card that is not the signer\'s, bad terms, a long memo, unknown fields', async () => {
    const other = await signed({}, 2)
    await expect(parseInvitationLink(nobleProvider, (await signed({ card: (other.body.card) }, 1)).link)).rejects.toMatchObject({ code: 'WRONG_SIGNER' })
    await expect(parseInvitationLink(nobleProvider, (await signed({ terms: { stock: { limit: -1, call: 30 }, foil: { limit: 0, call: 30 } } })).link)).rejects.toMatchObject({ code: 'INVALID_TERMS' })
    await expect(parseInvitationLink(nobleProvider, (await signed({ memo: 'x'.repeat(201) })).link)).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/invitation is not valid/) })
    await expect(parseInvitationLink(nobleProvider, (await signed({ extra: 1 } as never)).link)).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(parseInvitationLink(nobleProvider, (await signed({ token: 'short' })).link)).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/token/) })
    await expect(parseInvitationLink(nobleProvider, (await signed({ card: { v: 1, userId: other.body.card.userId, name: '', peerId: 'nope', addrs: [] } })).link)).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(parseInvitationLink(nobleProvider, '{"v":1}')).rejects.toMatchObject({ code: 'MALFORMED' })
    await expect(parseInvitationLink(nobleProvider, 'https://app.example/#invite=' + toBase64url(new Uint8Array([0xff])))).rejects.toMatchObject({ code: 'MALFORMED', message: expect.stringMatching(/not text/) })
  })
})
