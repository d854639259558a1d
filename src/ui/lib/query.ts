// Query parameters for tests and diagnostics (documented in README):
//   ?webrtc=0   start the node without WebRTC: every link stays relayed (what a symmetric NAT gives).
export interface PageOptions {
  webrtc: boolean
}

export function readPageOptions (search: string): PageOptions {
  const params = new URLSearchParams(search)
  const webrtc = params.get('webrtc')
  return { webrtc: !(webrtc === '0' || webrtc === 'false' || webrtc === 'off') }
}
