// Page entry: wires the page-side services (tab lock, relay document, service worker, install
// prompt) into one WalletSession and mounts the app. Nothing here imports libp2p or src/node: the
// node runs in the worker that wallet-client.ts creates once this tab holds the wallet's lock.
import { mount } from 'svelte'
import App from './App.svelte'
import './app.css'
import { BUILD_ID } from './lib/build-info'
import { InstallPrompt, OnlineState } from './lib/install-prompt.svelte'
import { linkFromLocation, PROTOCOL_SCHEME, type ClassifiedLink } from './lib/links'
import { readPageOptions } from './lib/query'
import { RelayDocLoader } from './lib/relay-doc-loader'
import { WalletSession } from './lib/session.svelte'
import { loadSettings } from './lib/settings'
import { registerServiceWorker } from './lib/sw-updates'
import { newTabId, TabChannel, TAB_CHANNEL_NAME } from './lib/tab-channel'
import { TabLock } from './lib/tab-lock'
import { systemTimers } from './lib/timers'
import { UpdateCoordinator } from './lib/update-coordinator'
import { UpdateState } from './lib/update-state.svelte'
import { createWalletClient } from './lib/wallet-client'

function localStore (): Storage | undefined {
  try { return globalThis.localStorage } catch { return undefined } // blocked in some private modes
}

const install = new InstallPrompt(window)
const online = new OnlineState(window)
const updates = new UpdateState()
const tabId = newTabId()
const channel = new TabChannel(new BroadcastChannel(TAB_CHANNEL_NAME))
const storage = localStore()
const hadController = navigator.serviceWorker?.controller != null

const lock: TabLock = new TabLock({
  locks: navigator.locks,
  channel,
  tabId,
  timers: systemTimers,
  beforeRelease: async (): Promise<void> => { await session.stopNode() }
})

const relayDoc = new RelayDocLoader({
  fetch: (url, init) => fetch(url, init),
  storage,
  timers: systemTimers,
  random: Math.random,
  origin: location.origin
})

const session: WalletSession = new WalletSession({
  createClient: createWalletClient,
  lock,
  relayDoc,
  timers: systemTimers,
  pageOptions: readPageOptions(location.search),
  storage,
  storageManager: navigator.storage,
  settings: loadSettings(storage),
  baseUrl: new URL(import.meta.env.BASE_URL, location.origin).href,
  pageIsHttps: location.protocol === 'https:'
})

/**
 * A contact link (https://<app>/#contact=…) or an invitation (#invite=…, or web+mychips:invite=… through
 * the protocol handler) opens the app: hand it to the session, and drop it from the address bar so a
 * reload does not offer it again.
 */
function takeIncomingLink (): ClassifiedLink | undefined {
  const found = linkFromLocation(location.href, location.hash)
  if (found === undefined) return undefined
  history.replaceState(history.state, '', `${location.pathname}${location.search}`)
  return found
}
const opened = takeIncomingLink()
if (opened !== undefined) session.openLink(opened)
// A link opened while the app is already showing (same page, another fragment) arrives as a hashchange.
window.addEventListener('hashchange', () => {
  const link = takeIncomingLink()
  if (link !== undefined) session.openLink(link)
})

// Let web+mychips: links open this app (guarded: not every browser supports it, and it may throw).
try {
  navigator.registerProtocolHandler?.(PROTOCOL_SCHEME, `${location.origin}${import.meta.env.BASE_URL}#%s`)
} catch {
  // unsupported here (e.g. an insecure origin): links still work by https
}

let activate: () => void = () => {}
const coordinator = new UpdateCoordinator({
  channel,
  tabId,
  timers: systemTimers,
  stopLocal: () => session.releaseForUpdate(),
  waitForRelease: ms => lock.waitUntilFree(ms),
  activate: () => { activate() },
  reload: () => { location.reload() },
  hadController
})
coordinator.onPhase(phase => { updates.phase = phase })

const sw = registerServiceWorker({
  onUpdate: update => { updates.waiting = update },
  onControllerChange: () => { coordinator.controllerChanged() }
})
if (sw !== undefined) activate = sw.activate

// A page restored from the back/forward cache has no live worker or lock: start it fresh.
window.addEventListener('pageshow', e => { if (e.persisted) location.reload() })

const target = document.getElementById('app')
if (target === null) throw new Error('index.html has no #app element')
mount(App, {
  target,
  props: {
    session,
    install,
    online,
    updates,
    buildId: BUILD_ID,
    acceptUpdate: () => coordinator.accept(updates.waiting?.buildId),
    checkForUpdate: sw?.checkForUpdate
  }
})
void session.boot()
