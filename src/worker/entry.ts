// The wallet worker's entry (a module worker; Vite bundles it from wallet-client.ts's `new Worker(new
// URL(...))`). Order matters: the RTC bridge's stand-in RTCPeerConnection must be on the global scope
// before @libp2p/webrtc is evaluated, because it reads globalThis.RTCPeerConnection once at load. So this
// module statically imports only the bridge and the RPC plumbing; the node runtime (libp2p, the core)
// comes in with a dynamic import on the first request, after installRtcBridge() has run.
import { installRtcBridge } from './rtc-bridge/install'
import { serveWallet } from './serve'

const { bridge } = installRtcBridge({
  onDropped: (data) => { console.warn('[wallet] rtc-bridge: dropped a malformed message from the page', data) }
})

serveWallet(self, {
  bridge,
  runtime: async () => (await import('./node-runtime')).createNodeRuntime()
})
