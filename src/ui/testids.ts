// data-testid values shared by the UI and the browser end-to-end tests (tests/e2e). Change both together.
export const T = {
  // first visit / restore
  createWallet: 'create-wallet',
  nameInput: 'name-input',
  restoreOpen: 'restore-open',
  restorePhrase: 'restore-phrase',
  restoreSubmit: 'restore-submit',
  recoveryPhrase: 'recovery-phrase',
  phraseSaved: 'phrase-saved',
  // home
  userId: 'user-id',
  nodeStatus: 'node-status', // text: starting | relay connected | reservation held | offline ... ; data-phase attribute
  relayState: 'relay-state', // data-state: connecting | connected | reserved | down
  peerCount: 'peer-count',
  contactLink: 'contact-link', // an <input readonly> or <a> holding the link
  contactQr: 'contact-qr',
  connectInput: 'connect-input',
  connectSubmit: 'connect-submit',
  connectError: 'connect-error',
  peerRow: 'peer-row', // one per peer; data-peer-id, data-link (direct|relayed), data-hello (pending|verified|failed)
  peerHello: 'peer-hello', // button inside a peer row: send a hello again
  // app shell
  offlineBanner: 'offline-banner',
  otherTab: 'other-tab', // "wallet open in another tab"
  takeOver: 'take-over',
  updateBanner: 'update-banner',
  updateAccept: 'update-accept',
  installButton: 'install-button',
  storagePersist: 'storage-persist', // data-state: granted | denied | unsupported
  buildId: 'build-id', // text: this page's build id (also <meta name="mychips-build">)
  // added by the UI (extensions; nothing above changed)
  formError: 'form-error', // create/restore form error (e.g. an invalid recovery phrase), with the worker's message
  movedAway: 'moved-away', // "This wallet moved to another tab" (this tab handed the wallet over; holds a takeOver button too)
  fatalError: 'fatal-error', // the wallet could not open or start; text says why
  updateBuildId: 'update-build-id', // inside updateBanner: the waiting build's id
  navHome: 'nav-home',
  navSettings: 'nav-settings',
  // tallies (docs/tallies.md); amounts in data-units attributes are integer units (1 CHIP = 1000)
  navTallies: 'nav-tallies',
  linkInput: 'link-input', // paste a contact or invitation link
  linkOpen: 'link-open',
  linkScan: 'link-scan', // opens the camera scanner
  linkError: 'link-error',
  scanner: 'scanner', // the camera view; data-state: starting | scanning | denied | unsupported | failed
  scannerClose: 'scanner-close',
  tallyNew: 'tally-new', // "Invite someone" on the tally list
  tallyRow: 'tally-row', // data-tally-id, data-state (invited|revising|awaiting-me|awaiting-partner|open|closing|closed|refused|replaced), data-balance
  tallyBack: 'tally-back',
  inviteExtend: 'invite-extend', // radio: I extend credit
  inviteAsk: 'invite-ask', // radio: I ask for credit
  inviteMyLimit: 'invite-my-limit',
  invitePartnerLimit: 'invite-partner-limit',
  inviteMemo: 'invite-memo',
  inviteReuse: 'invite-reuse',
  inviteLifetime: 'invite-lifetime',
  inviteSubmit: 'invite-submit',
  inviteError: 'invite-error',
  inviteLink: 'invite-link', // <input readonly> with the invitation link
  inviteQr: 'invite-qr',
  inviteExpiry: 'invite-expiry', // data-expires (ms since epoch)
  contractText: 'contract-text', // the contract, data-hash
  offer: 'offer', // an offer awaiting my answer (invitation preview or counter-offer); data-state
  offerFrom: 'offer-from',
  offerIGrant: 'offer-i-grant', // data-units: credit I would grant the partner
  offerPartnerGrants: 'offer-partner-grants', // data-units: credit the partner would grant me
  offerExpiry: 'offer-expiry',
  offerMemo: 'offer-memo',
  offerAccept: 'offer-accept',
  offerCounter: 'offer-counter', // opens the counter form
  offerRefuse: 'offer-refuse',
  offerError: 'offer-error', // text: the refusal in words; data-code: its code
  offerRevise: 'offer-revise', // withdraw my offer to revise it (scenario 11)
  offerRevising: 'offer-revising', // a withdrawn offer being revised; data-revised-by (me|partner)
  offerAgainMyLimit: 'offer-again-my-limit',
  offerAgainPartnerLimit: 'offer-again-partner-limit',
  offerAgain: 'offer-again', // sign the revised draft and offer it again
  tallyReplaced: 'tally-replaced', // this device was replaced on the tally (the wallet was restored elsewhere)
  inviteContract: 'invite-contract', // the default contract shown on the invite form before signing
  counterMyLimit: 'counter-my-limit',
  counterPartnerLimit: 'counter-partner-limit',
  counterSubmit: 'counter-submit',
  tallyState: 'tally-state', // on the tally screen; data-state as tallyRow, data-waiting (true|false)
  tallyBalance: 'tally-balance', // data-units: certified balance from my side (+ = partner owes me)
  tallyAvailableMe: 'tally-available-me', // data-units: what I can still pay
  tallyAvailablePartner: 'tally-available-partner', // data-units: what the partner can still pay me
  tradePay: 'trade-pay', // switches the form to Pay
  tradeInvoice: 'trade-invoice', // switches the form to Invoice
  tradeAmount: 'trade-amount',
  tradeMemo: 'trade-memo',
  tradeSubmit: 'trade-submit',
  tradeError: 'trade-error', // data-code
  tradeResult: 'trade-result', // what happened to the last payment/invoice (final, or queued)
  chitRow: 'chit-row', // data-chit-id, data-kind, data-status (pending|final|refused|invoice-open|invoice-paid|invoice-declined), data-units, data-by
  chitAccept: 'chit-accept', // pay an open invoice
  chitDecline: 'chit-decline',
  varsTarget: 'vars-target',
  varsBound: 'vars-bound',
  varsReward: 'vars-reward',
  varsClutch: 'vars-clutch',
  varsSubmit: 'vars-submit',
  varsError: 'vars-error',
  closeRequest: 'close-request',
  closeConfirm: 'close-confirm',
  // lifts (docs/lifts.md); amounts in data-units / data-fee are integer units (1 CHIP = 1000)
  liftsOpen: 'lifts-open', // on Home: opens the Lifts screen
  liftsPayOpen: 'lifts-pay-open', // on Home: opens the Lifts screen at "Pay anyone"
  liftsSummary: 'lifts-summary', // the Home card; data-pending: lifts not yet decided
  liftsScreen: 'lifts-screen', // data-ready (true|false)
  liftsBack: 'lifts-back',
  liftRow: 'lift-row', // data-lift-id, data-kind (circular|linear), data-role, data-status (seeking|pending|good|void|failed), data-units, data-fee
  liftEffect: 'lift-effect', // inside a lift row, one per tally: data-tally-id, data-units (my side), data-status (pending|good|void)
  liftFraud: 'lift-fraud', // a referee signed two decisions for this lift
  liftsEmpty: 'lifts-empty',
  autoClearSwitch: 'auto-clear-switch', // checkbox (role switch)
  autoClearState: 'auto-clear-state', // data-on (true|false), data-last-run (ms since epoch, absent before the first run)
  autoClearError: 'auto-clear-error',
  clearNow: 'clear-now',
  clearResult: 'clear-result', // data-status: the lift's status, or none (nothing to clear)
  payPayee: 'pay-payee', // the payee's contact link or user id
  payScan: 'pay-scan',
  payPayeeError: 'pay-payee-error',
  payAmount: 'pay-amount',
  payReview: 'pay-review', // asks for a quote
  payQuote: 'pay-quote', // data-units (the payee receives), data-fee, data-legs, data-to, data-reach (checking|online|offline; a contact link only)
  payConfirm: 'pay-confirm',
  payEdit: 'pay-edit',
  payProgress: 'pay-progress', // data-step: seeking | pending | good | void | failed
  payResult: 'pay-result', // data-status, data-lift-id
  payError: 'pay-error', // data-code (e.g. NO_ROUTE, FEE_TOO_HIGH)
  payAgain: 'pay-again',
  chitLiftStatus: 'chit-lift-status' // inside a lift chit row: data-status (pending|good|void|unknown)
} as const
