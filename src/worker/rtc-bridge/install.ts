// Installs the bridge's stand-ins on the worker's global scope. @libp2p/webrtc reads
// globalThis.RTCPeerConnection once, when its module is evaluated (dist/src/webrtc/index.browser.js), so
// this must run before anything imports libp2p: the worker entry calls it first and loads the node
// with a dynamic import afterwards.
import type { RtcBridgeOptions } from './bridge'
import { RtcBridge } from './bridge'

export interface InstallOptions extends RtcBridgeOptions {
  /** Where to install (default globalThis); tests pass a plain object. */
  scope?: object
}

export interface InstalledBridge {
  bridge: RtcBridge
  /** False when the scope already had a native RTCPeerConnection (e.g. the main thread): nothing was replaced. */
  installed: boolean
}

export function installRtcBridge (options: InstallOptions = {}): InstalledBridge {
  const scope = (options.scope ?? globalThis) as Record<string, unknown>
  const bridge = new RtcBridge(options)
  if (typeof scope.RTCPeerConnection === 'function') return { bridge, installed: false }
  scope.RTCPeerConnection = bridge.classes.RTCPeerConnection
  // In a worker these two are missing too; where a native one exists it accepts our init dictionaries.
  scope.RTCSessionDescription ??= bridge.classes.RTCSessionDescription
  scope.RTCIceCandidate ??= bridge.classes.RTCIceCandidate
  return { bridge, installed: true }
}
