// The relay's libp2p identity, kept in a key file so its peer id — and so every contact link and
// circuit address that names it — stays the same across restarts.
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import * as v from 'valibot'
import { RelayKeyFileError } from './errors'
import type { PrivateKey } from '@libp2p/interface'

const KeyFile = v.object({
  v: v.literal(1),
  type: v.literal('libp2p-private-key-protobuf'),
  key: v.pipe(v.string(), v.base64())
})

export interface LoadedKey {
  privateKey: PrivateKey
  created: boolean
  /** True when the file can be read by group or others (worth a warning). */
  exposed: boolean
}

/** Reads the key file, or creates it (mode 0600, never overwriting) with a fresh Ed25519 key. */
export async function loadOrCreateKey (path: string): Promise<LoadedKey> {
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new RelayKeyFileError(`cannot read relay key file ${path}: ${(err as Error).message}`, { cause: err })
  }
  if (text != null) {
    const mode = (await stat(path)).mode
    return { privateKey: decodeKeyFile(path, text), created: false, exposed: (mode & 0o077) !== 0 }
  }
  const privateKey = await generateKeyPair('Ed25519')
  const body = JSON.stringify({ v: 1, type: 'libp2p-private-key-protobuf', key: Buffer.from(privateKeyToProtobuf(privateKey)).toString('base64') }) + '\n'
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  let handle
  try {
    // 'wx': if another relay created it meanwhile, keep theirs rather than overwrite an identity.
    handle = await open(path, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return await loadOrCreateKey(path)
    throw new RelayKeyFileError(`cannot create relay key file ${path}: ${(err as Error).message}`, { cause: err })
  }
  try {
    await handle.writeFile(body, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  await chmod(path, 0o600)
  return { privateKey, created: true, exposed: false }
}

export function decodeKeyFile (path: string, text: string): PrivateKey {
  let json: unknown
  try { json = JSON.parse(text) } catch (err) {
    throw new RelayKeyFileError(`relay key file ${path} is not JSON; move it away to generate a new identity (this changes the relay's peer id)`, { cause: err })
  }
  const parsed = v.safeParse(KeyFile, json)
  if (!parsed.success) throw new RelayKeyFileError(`relay key file ${path} has an unexpected shape (${parsed.issues[0]?.message ?? 'invalid'})`)
  try {
    return privateKeyFromProtobuf(Buffer.from(parsed.output.key, 'base64'))
  } catch (err) {
    throw new RelayKeyFileError(`relay key file ${path} does not hold a valid libp2p private key`, { cause: err })
  }
}
