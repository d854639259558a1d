// The recovery secret is a BIP-39 phrase (English wordlist, 12 or 24 words). Its 64-byte seed is the root of
// every user key (keys/derive.ts). Entropy comes from the caller: core has no randomness of its own.
import { entropyToMnemonic, mnemonicToSeed, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { ChipsError } from '../errors'

/** The text is not a valid 12- or 24-word English BIP-39 phrase (unknown word, wrong length, bad checksum). */
export class InvalidPhraseError extends ChipsError {
  constructor (message: string) { super('INVALID_PHRASE', message) }
}

/** 16 bytes of entropy → 12 words, 32 bytes → 24 words. */
export function generatePhrase (entropy: Uint8Array): string {
  if (entropy.length !== 16 && entropy.length !== 32) throw new RangeError('entropy must be 16 or 32 bytes')
  return entropyToMnemonic(entropy, wordlist)
}

/** Lower-cases, NFKD-normalizes and single-spaces what a person typed, then checks words and checksum. */
export function normalizePhrase (s: string): string {
  const words = s.normalize('NFKD').toLowerCase().trim().split(/\s+/).filter(w => w.length > 0)
  if (words.length !== 12 && words.length !== 24) {
    throw new InvalidPhraseError(`a recovery phrase has 12 or 24 words, not ${words.length}`)
  }
  const unknown = words.filter(w => !wordlist.includes(w))
  if (unknown.length > 0) throw new InvalidPhraseError(`not in the word list: ${unknown.join(', ')}`)
  const phrase = words.join(' ')
  if (!validateMnemonic(phrase, wordlist)) throw new InvalidPhraseError('the phrase checksum does not match (a word is wrong or misplaced)')
  return phrase
}

/** BIP-39 seed (PBKDF2-HMAC-SHA512, 2048 rounds, empty passphrase) of a normalized phrase: 64 bytes. */
export async function phraseToSeed (phrase: string): Promise<Uint8Array> {
  return mnemonicToSeed(normalizePhrase(phrase), '')
}
