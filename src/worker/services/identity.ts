// The wallet identity held by this worker: loaded when the store opens, created or restored on request.
// Secrets stay here; only IdentityInfo crosses to the page.
import type { Identity, IdentityInfo } from '../../node/api'
import { NoIdentityError } from '../../node/identity/errors'
import type { WalletRuntime } from '../runtime'
import type { StoreService } from './store'

export class IdentityService {
  #identity: Identity | undefined

  constructor (private readonly runtime: WalletRuntime, private readonly store: StoreService) {}

  async load (): Promise<IdentityInfo | undefined> {
    this.#identity = await this.runtime.loadIdentity(this.store.require())
    return this.info()
  }

  async create (name: string): Promise<{ identity: IdentityInfo, phrase: string }> {
    const { identity, phrase } = await this.runtime.createIdentity(this.store.require(), name)
    this.#identity = identity
    return { identity: infoOf(identity), phrase }
  }

  async restore (phrase: string, name: string): Promise<IdentityInfo> {
    this.#identity = await this.runtime.restoreIdentity(this.store.require(), phrase, name)
    return infoOf(this.#identity)
  }

  async recoveryPhrase (): Promise<string> {
    return await this.runtime.loadRecoveryPhrase(this.store.require())
  }

  require (): Identity {
    if (this.#identity === undefined) throw new NoIdentityError()
    return this.#identity
  }

  info (): IdentityInfo | undefined {
    return this.#identity === undefined ? undefined : infoOf(this.#identity)
  }

  forget (): void { this.#identity = undefined }
}

function infoOf (identity: Identity): IdentityInfo {
  return { userId: identity.userId, name: identity.name, peerId: identity.peerId, createdAt: identity.createdAt }
}
