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
  navSettings: 'nav-settings'
} as const
