// Query parameters for tests and diagnostics (documented in README):
//   ?webrtc=0   start the node without WebRTC: every link stays relayed (what a symmetric NAT gives).
//   ?autoClearMs=3000   the auto-clearing period of the node (1 s … 1 day; default the node's, 1 minute):
//               tests make a switched-on wallet clear within seconds.
export interface PageOptions {
  webrtc: boolean
  autoClearMs?: number
}

export const MIN_AUTO_CLEAR_MS = 1_000
export const MAX_AUTO_CLEAR_MS = 86_400_000

export function readPageOptions (search: string): PageOptions {
  const params = new URLSearchParams(search)
  const webrtc = params.get('webrtc')
  const auto = params.get('autoClearMs')
  const autoClearMs = auto !== null && /^\d{1,9}$/.test(auto) ? Number(auto) : undefined
  return {
    webrtc: !(webrtc === '0' || webrtc === 'false' || webrtc === 'off'),
    ...(autoClearMs !== undefined && autoClearMs >= MIN_AUTO_CLEAR_MS && autoClearMs <= MAX_AUTO_CLEAR_MS ? { autoClearMs } : {})
  }
}
