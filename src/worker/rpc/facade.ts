// The WalletApi served to the page: a thin facade over small services (store, identity, node, status).
// Each method validates its arguments, runs one service call, and turns any failure into the
// { code, message } that crosses the boundary (thrown as a plain object, which comlink passes as is).
import type { WalletApi } from '../api'
import { toRpcError } from '../errors'
import type { WalletRuntime } from '../runtime'
import { IdentityService } from '../services/identity'
import { NodeService } from '../services/node'
import type { StatusListener } from '../services/status'
import { StatusHub } from '../services/status'
import { StoreService } from '../services/store'
import { TallyRpcService, type TallyListener } from '../services/tallies'
import { LiftRpcService, type LiftListener } from '../services/lifts'
import { AutoClearArg, LiftIdArg, PayAnyoneArg, PayeeTextArg, QuoteRequestArg } from './lift-schemas'
import { DEFAULT_CONTRACT, DEFAULT_CONTRACT_HASH, knownContract } from '../../node/services/tallies/contract'
import {
  AmountArg, ChitIdArg, ChitsOptionsArg, ContractHashArg, CounterRequestArg, InvitationLinkArg, InviteRequestArg, MemoArg, OfferAgainArg, ReasonArg,
  TallyIdArg, TradeVarsArg
} from './tally-schemas'
import { arg, BaseUrlArg, LinkArg, ListenerArg, NameArg, PeerIdArg, PhraseArg, StartOptionsArg, SubscriptionArg } from './schemas'

/** One wallet per origin: one IndexedDB database, guarded by the page's Web Lock. */
export const WALLET_DB_NAME = 'mychips-wallet'

export interface WalletServices {
  store: StoreService
  identity: IdentityService
  node: NodeService
  hub: StatusHub
  tallies: TallyRpcService
  lifts: LiftRpcService
}

export interface WalletApiOptions {
  /** Loads the node runtime; called on the first request (the worker entry imports it lazily). */
  runtime: () => Promise<WalletRuntime>
  dbName?: string
  /** Frees a status listener's transport (comlink's releaseProxy) when it unsubscribes. */
  releaseListener?: (listener: StatusListener) => void
  /** Frees a tally listener's transport (comlink's releaseProxy) when it unsubscribes. */
  releaseTallyListener?: (listener: TallyListener) => void
  /** Frees a lift listener's transport (comlink's releaseProxy) when it unsubscribes. */
  releaseLiftListener?: (listener: LiftListener) => void
  /**
   * How long shutdown() waits for the node to stop before it closes the store anyway (default 3 s): a
   * take-over or an update must never wait on a node that hangs while stopping; its late writes then
   * fail with STORE_CLOSED.
   */
  shutdownGraceMs?: number
}

const SHUTDOWN_GRACE_MS = 3000

export function buildServices (runtime: WalletRuntime, options: { dbName: string, releaseListener?: (l: StatusListener) => void, releaseTallyListener?: (l: TallyListener) => void, releaseLiftListener?: (l: LiftListener) => void }): WalletServices {
  const store = new StoreService(runtime, options.dbName)
  const identity = new IdentityService(runtime, store)
  const hub = new StatusHub(options.releaseListener)
  const node = new NodeService(runtime, store, identity, hub)
  // The store closing by itself (an app update in another tab) ends the node: it could not write anyway.
  store.onLost((error) => { void node.stop(error.message).catch(() => undefined) })
  const tallies = new TallyRpcService(node, options.releaseTallyListener)
  const lifts = new LiftRpcService(node, text => runtime.parseContactLink(text), options.releaseLiftListener)
  return { store, identity, node, hub, tallies, lifts }
}

export function createWalletApi (options: WalletApiOptions): WalletApi {
  let loading: Promise<WalletServices> | undefined
  const services = async (): Promise<WalletServices> => {
    loading ??= options.runtime()
      .then(runtime => buildServices(runtime, { dbName: options.dbName ?? WALLET_DB_NAME, releaseListener: options.releaseListener, releaseTallyListener: options.releaseTallyListener, releaseLiftListener: options.releaseLiftListener }))
      .catch((err: unknown) => { loading = undefined; throw err })
    return await loading
  }
  const rpc = <A extends unknown[], R> (body: (s: WalletServices, ...args: A) => Promise<R> | R) =>
    async (...args: A): Promise<R> => {
      try {
        return await body(await services(), ...args)
      } catch (err) {
        // A plain object, not an Error: comlink rethrows it on the page unchanged, code included.
        throw toRpcError(err)
      }
    }

  return {
    open: rpc(async (s) => {
      await s.store.open()
      return await s.identity.load()
    }),
    create: rpc(async (s, name: unknown) => await s.identity.create(arg(NameArg, name))),
    restore: rpc(async (s, phrase: unknown, name: unknown) => await s.identity.restore(arg(PhraseArg, phrase), arg(NameArg, name))),
    recoveryPhrase: rpc(async (s) => await s.identity.recoveryPhrase()),
    start: rpc(async (s, options: unknown) => {
      const status = await s.node.start(arg(StartOptionsArg, options))
      s.tallies.attach()
      s.lifts.attach()
      return status
    }),
    status: rpc((s) => s.node.status()),
    subscribe: rpc((s, listener: unknown) => {
      const id = s.hub.add(arg(ListenerArg, listener))
      // A late subscriber learns the current state at once.
      const now = s.node.status()
      if (now !== undefined) s.hub.publish(now, id)
      return id
    }),
    unsubscribe: rpc((s, id: unknown) => { s.hub.remove(arg(SubscriptionArg, id)) }),
    contactLink: rpc((s, baseUrl: unknown) => s.node.contactLink(arg(BaseUrlArg, baseUrl))),
    connect: rpc(async (s, link: unknown) => await s.node.connect(arg(LinkArg, link))),
    hello: rpc(async (s, peerId: unknown) => await s.node.hello(arg(PeerIdArg, peerId))),
    invite: rpc(async (s, baseUrl: unknown, request: unknown) => await s.tallies.require().invite(arg(BaseUrlArg, baseUrl), arg(InviteRequestArg, request))),
    invitations: rpc(async (s) => await s.tallies.require().invitations()),
    previewInvitation: rpc(async (s, link: unknown) => await s.tallies.require().previewInvitation(arg(InvitationLinkArg, link))),
    redeemInvitation: rpc(async (s, link: unknown) => await s.tallies.require().redeem(arg(InvitationLinkArg, link))),
    acceptOffer: rpc(async (s, id: unknown) => await s.tallies.require().accept(arg(TallyIdArg, id))),
    counterOffer: rpc(async (s, id: unknown, request: unknown) => await s.tallies.require().counter(arg(TallyIdArg, id), arg(CounterRequestArg, request))),
    refuseOffer: rpc(async (s, id: unknown, reason: unknown) => await s.tallies.require().refuse(arg(TallyIdArg, id), arg(ReasonArg, reason))),
    reviseOffer: rpc(async (s, id: unknown) => await s.tallies.require().revise(arg(TallyIdArg, id))),
    offerAgain: rpc(async (s, id: unknown, request: unknown) => await s.tallies.require().offerAgain(arg(TallyIdArg, id), arg(OfferAgainArg, request))),
    tallies: rpc(async (s) => await s.tallies.require().list()),
    tally: rpc(async (s, id: unknown) => await s.tallies.require().get(arg(TallyIdArg, id))),
    chits: rpc(async (s, id: unknown, options: unknown) => await s.tallies.require().chits(arg(TallyIdArg, id), arg(ChitsOptionsArg, options))),
    pay: rpc(async (s, id: unknown, units: unknown, memo: unknown) => await s.tallies.require().pay(arg(TallyIdArg, id), arg(AmountArg, units), arg(MemoArg, memo))),
    invoice: rpc(async (s, id: unknown, units: unknown, memo: unknown) => await s.tallies.require().invoice(arg(TallyIdArg, id), arg(AmountArg, units), arg(MemoArg, memo))),
    acceptInvoice: rpc(async (s, id: unknown, invoice: unknown) => await s.tallies.require().acceptInvoice(arg(TallyIdArg, id), arg(ChitIdArg, invoice))),
    declineInvoice: rpc(async (s, id: unknown, invoice: unknown, reason: unknown) => await s.tallies.require().declineInvoice(arg(TallyIdArg, id), arg(ChitIdArg, invoice), arg(ReasonArg, reason))),
    setTradingVars: rpc(async (s, id: unknown, vars: unknown) => await s.tallies.require().setTradingVars(arg(TallyIdArg, id), arg(TradeVarsArg, vars))),
    requestClose: rpc(async (s, id: unknown) => await s.tallies.require().requestClose(arg(TallyIdArg, id))),
    contract: rpc((_s, hash: unknown) => knownContract(arg(ContractHashArg, hash))),
    defaultContract: rpc(() => ({ hash: DEFAULT_CONTRACT_HASH, contract: DEFAULT_CONTRACT })),
    subscribeTallies: rpc((s, listener: unknown) => s.tallies.add(arg(ListenerArg, listener) as TallyListener)),
    unsubscribeTallies: rpc((s, id: unknown) => { s.tallies.remove(arg(SubscriptionArg, id)) }),
    liftPayee: rpc(async (s, text: unknown) => await s.lifts.payee(arg(PayeeTextArg, text))),
    liftQuote: rpc(async (s, request: unknown) => await s.lifts.require().quote(arg(QuoteRequestArg, request))),
    liftPay: rpc(async (s, request: unknown) => await s.lifts.require().pay(arg(PayAnyoneArg, request))),
    liftClear: rpc(async (s) => await s.lifts.require().clear()),
    lifts: rpc(async (s) => await s.lifts.require().list()),
    lift: rpc(async (s, id: unknown) => await s.lifts.require().get(arg(LiftIdArg, id))),
    autoClear: rpc(async (s) => await s.lifts.require().autoClear()),
    setAutoClear: rpc(async (s, on: unknown) => await s.lifts.require().setAutoClear(arg(AutoClearArg, on))),
    subscribeLifts: rpc((s, listener: unknown) => s.lifts.add(arg(ListenerArg, listener) as LiftListener)),
    unsubscribeLifts: rpc((s, id: unknown) => { s.lifts.remove(arg(SubscriptionArg, id)) }),
    shutdown: rpc(async (s) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const grace = new Promise<void>(resolve => { timer = setTimeout(resolve, options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS) })
      try {
        await Promise.race([s.node.stop(), grace])
      } finally {
        clearTimeout(timer)
        s.hub.clear()
        s.tallies.clear()
        s.lifts.clear()
        s.identity.forget()
        await s.store.close()
      }
    })
  }
}
