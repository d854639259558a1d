// Stand-ins for RTCSessionDescription and RTCIceCandidate, which do not exist in workers. They are plain
// value objects; only their init dictionaries (toJSON) cross the bridge.
import type { IceCandidate, SessionDescription } from './protocol'

export class BridgedSessionDescription {
  readonly type: RTCSdpType
  readonly sdp: string

  constructor (init: RTCSessionDescriptionInit) {
    if (init?.type === undefined) throw new TypeError("Failed to construct 'RTCSessionDescription': member type is required")
    this.type = init.type
    this.sdp = init.sdp ?? ''
  }

  toJSON (): SessionDescription {
    return { type: this.type, sdp: this.sdp }
  }
}

export class BridgedIceCandidate {
  readonly candidate: string
  readonly sdpMid: string | null
  readonly sdpMLineIndex: number | null
  readonly usernameFragment: string | null

  constructor (init: RTCIceCandidateInit = {}) {
    const sdpMid = init.sdpMid ?? null
    const sdpMLineIndex = init.sdpMLineIndex ?? null
    // Same rule as the real constructor: a candidate must say which m-line it belongs to.
    if (sdpMid === null && sdpMLineIndex === null) {
      throw new TypeError("Failed to construct 'RTCIceCandidate': sdpMid and sdpMLineIndex are both null")
    }
    this.candidate = init.candidate ?? ''
    this.sdpMid = sdpMid
    this.sdpMLineIndex = sdpMLineIndex
    this.usernameFragment = init.usernameFragment ?? null
  }

  toJSON (): IceCandidate {
    return { candidate: this.candidate, sdpMid: this.sdpMid, sdpMLineIndex: this.sdpMLineIndex, usernameFragment: this.usernameFragment }
  }
}

/** Reduces whatever the caller passed (a stand-in, a real object, a dictionary) to its init dictionary. */
export function descriptionInit (d: RTCSessionDescriptionInit | BridgedSessionDescription): SessionDescription {
  return d.sdp === undefined ? { type: d.type } : { type: d.type, sdp: d.sdp }
}

export function candidateInit (c: RTCIceCandidateInit | BridgedIceCandidate): IceCandidate {
  return {
    candidate: c.candidate ?? '',
    sdpMid: c.sdpMid ?? null,
    sdpMLineIndex: c.sdpMLineIndex ?? null,
    usernameFragment: c.usernameFragment ?? null
  }
}
