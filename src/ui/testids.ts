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
  tallyRow: 'tally-row', // data-tally-id, data-state (invited|awaiting-me|awaiting-partner|open|closing|closed|refused), data-balance
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
  closeConfirm: 'close-confirm'
} as const
