// Signing and verification are injected into the core (DESIGN.md §6): native WebCrypto Ed25519 where
// the platform has it, @noble/curves otherwise. Keys are raw 32-byte Ed25519 seeds / public keys.

export interface SignatureProvider {
  /** A short name for logs and benchmarks, e.g. 'webcrypto' or 'noble'. */
  readonly name: string
  /** The 32-byte public key of a 32-byte Ed25519 secret (seed). */
  publicKey (secret: Uint8Array): Promise<Uint8Array>
  sign (secret: Uint8Array, message: Uint8Array): Promise<Uint8Array>
  /** Never throws for a bad signature or key: returns false. */
  verify (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
}
