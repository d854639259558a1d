// Service worker registration (workbox-window) and the update prompt's inputs. The generated
// service worker (vite-plugin-pwa, registerType 'prompt') waits until told SKIP_WAITING, so an
// update never applies without the user's consent (DESIGN.md §6).
import { Workbox, messageSW } from 'workbox-window'

export interface UpdateAvailable {
  /** The waiting build's id, asked from the waiting service worker itself; undefined if it did not say. */
  buildId: string | undefined
}

export interface ServiceWorkerHooks {
  onUpdate: (update: UpdateAvailable) => void
  onControllerChange: () => void
}

export interface ServiceWorkerHandle {
  /** Tells the waiting service worker to activate. */
  activate: () => void
  /** Asks the browser to look for a new build now. */
  checkForUpdate: () => Promise<void>
}

const CHECK_EVERY_MS = 60 * 60 * 1000

async function askBuildId (sw: ServiceWorker): Promise<string | undefined> {
  const reply = await Promise.race([
    messageSW(sw, { type: 'MYCHIPS_BUILD_ID' }) as Promise<unknown>,
    new Promise<undefined>(resolve => setTimeout(() => { resolve(undefined) }, 1_500))
  ])
  return typeof reply === 'string' && reply.length <= 128 ? reply : undefined
}

/** Registers /sw.js; undefined where service workers are unavailable (dev server, old browsers). */
export function registerServiceWorker (hooks: ServiceWorkerHooks): ServiceWorkerHandle | undefined {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return undefined
  const wb = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL, type: 'classic', updateViaCache: 'none' })
  let registration: ServiceWorkerRegistration | undefined

  wb.addEventListener('waiting', event => {
    const sw = event.sw ?? registration?.waiting ?? undefined
    if (sw === undefined) { hooks.onUpdate({ buildId: undefined }); return }
    void askBuildId(sw).catch(() => undefined).then(buildId => { hooks.onUpdate({ buildId }) })
  })
  navigator.serviceWorker.addEventListener('controllerchange', () => { hooks.onControllerChange() })

  const check = async (): Promise<void> => { await wb.update().catch(() => undefined) }
  void wb.register().then(r => { registration = r }).catch(() => undefined)
  setInterval(() => { void check() }, CHECK_EVERY_MS)
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') void check() })

  return {
    activate: () => {
      const waiting = registration?.waiting
      if (waiting !== null && waiting !== undefined) waiting.postMessage({ type: 'SKIP_WAITING' })
      else wb.messageSkipWaiting()
    },
    checkForUpdate: check
  }
}
