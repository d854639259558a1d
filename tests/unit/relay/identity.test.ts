import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RelayKeyFileError } from '../../../relay/errors'
import { loadOrCreateKey } from '../../../relay/identity'

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'relay-key-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

describe('relay identity key file', () => {
  it('is created on first run (mode 0600, parent dirs made) and gives the same peer id afterwards', async () => {
    const path = join(dir, 'nested', 'state', 'key.json')
    const first = await loadOrCreateKey(path)
    expect(first.created).toBe(true)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const second = await loadOrCreateKey(path)
    expect(second.created).toBe(false)
    expect(second.exposed).toBe(false)
    expect(peerIdFromPrivateKey(second.privateKey).toString()).toBe(peerIdFromPrivateKey(first.privateKey).toString())
    expect(second.privateKey.type).toBe('Ed25519')
  })

  it('flags a key file others can read', async () => {
    const path = join(dir, 'key.json')
    await loadOrCreateKey(path)
    await chmod(path, 0o644)
    expect((await loadOrCreateKey(path)).exposed).toBe(true)
  })

  it('two relays racing to create it end with one identity', async () => {
    const path = join(dir, 'key.json')
    const [a, b] = await Promise.all([loadOrCreateKey(path), loadOrCreateKey(path)])
    expect(peerIdFromPrivateKey(a.privateKey).equals(peerIdFromPrivateKey(b.privateKey))).toBe(true)
  })

  it.each([
    ['not JSON', 'garbage', /is not JSON/],
    ['wrong shape', JSON.stringify({ v: 1, type: 'pem', key: 'AAAA' }), /unexpected shape/],
    ['not a key', JSON.stringify({ v: 1, type: 'libp2p-private-key-protobuf', key: 'AAAA' }), /does not hold a valid libp2p private key/]
  ])('refuses a damaged file (%s) and never overwrites it', async (_name, content, expected) => {
    const path = join(dir, 'key.json')
    await writeFile(path, content)
    const err = await loadOrCreateKey(path).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RelayKeyFileError)
    expect((err as RelayKeyFileError).code).toBe('RELAY_KEY_FILE')
    expect((err as Error).message).toMatch(expected)
    expect(await readFile(path, 'utf8')).toBe(content)
  })
})
