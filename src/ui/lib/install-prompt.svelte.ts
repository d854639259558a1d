// The install button: Chromium fires `beforeinstallprompt` when the app is installable; we keep the
// event and show our own button instead of the browser's mini-infobar.

interface BeforeInstallPromptEvent extends Event {
  prompt (): Promise<void>
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>
}

export class InstallPrompt {
  available = $state(false)
  installed = $state(false)
  private event: BeforeInstallPromptEvent | undefined

  /** Listen from the first moment: the event may fire before the app mounts. */
  constructor (target: Window) {
    target.addEventListener('beforeinstallprompt', (e: Event) => {
      e.preventDefault()
      this.event = e as BeforeInstallPromptEvent
      this.available = true
    })
    target.addEventListener('appinstalled', () => {
      this.event = undefined
      this.available = false
      this.installed = true
    })
  }

  async prompt (): Promise<void> {
    const event = this.event
    if (event === undefined) return
    // A prompt event can be used once.
    this.event = undefined
    this.available = false
    await event.prompt()
    const choice = await event.userChoice
    if (choice.outcome === 'accepted') this.installed = true
  }
}

/** navigator.onLine as reactive state. */
export class OnlineState {
  online = $state(true)
  constructor (target: Window) {
    this.online = target.navigator.onLine
    target.addEventListener('online', () => { this.online = true })
    target.addEventListener('offline', () => { this.online = false })
  }
}
