// The user's own settings, kept in localStorage (they are not wallet state: losing them loses no
// value). Extra relays are multiaddrs used besides the relay of the app's origin.
import * as v from 'valibot'
import type { KeyValueStore } from './relay-doc-loader'
import { validateRelayAddr } from './relay-doc'

const KEY = 'mychips.settings'

const SettingsSchema = v.object({
  extraRelays: v.pipe(v.array(v.pipe(v.string(), v.maxLength(1024))), v.maxLength(16))
})

export type Settings = v.InferOutput<typeof SettingsSchema>

export const DEFAULT_SETTINGS: Settings = { extraRelays: [] }

export function loadSettings (storage: KeyValueStore | undefined): Settings {
  try {
    const raw = storage?.getItem(KEY)
    if (raw === null || raw === undefined) return { ...DEFAULT_SETTINGS }
    const parsed = v.safeParse(SettingsSchema, JSON.parse(raw))
    if (!parsed.success) return { ...DEFAULT_SETTINGS }
    // Drop entries that no longer validate (an older build may have been laxer).
    return { extraRelays: parsed.output.extraRelays.filter(a => validateRelayAddr(a).ok) }
  } catch {
    return { ...DEFAULT_SETTINGS }
  }
}

export function saveSettings (storage: KeyValueStore | undefined, settings: Settings): void {
  storage?.setItem(KEY, JSON.stringify(settings))
}

/** Adds a relay address; returns the new settings or the reason it was refused. */
export function addRelay (settings: Settings, input: string): { ok: true, settings: Settings } | { ok: false, error: string } {
  const checked = validateRelayAddr(input)
  if (!checked.ok) return checked
  if (settings.extraRelays.includes(checked.addr)) return { ok: false, error: 'That relay is already in the list.' }
  if (settings.extraRelays.length >= 16) return { ok: false, error: 'At most 16 extra relays.' }
  return { ok: true, settings: { ...settings, extraRelays: [...settings.extraRelays, checked.addr] } }
}

export function removeRelay (settings: Settings, addr: string): Settings {
  return { ...settings, extraRelays: settings.extraRelays.filter(a => a !== addr) }
}
