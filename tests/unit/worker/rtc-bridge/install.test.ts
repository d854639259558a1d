import { describe, expect, it } from 'vitest'
import { installRtcBridge } from '../../../../src/worker/rtc-bridge/install'

describe('installRtcBridge', () => {
  it('installs the stand-ins where RTCPeerConnection is missing (a worker)', () => {
    const scope: Record<string, unknown> = {}
    const { bridge, installed } = installRtcBridge({ scope })
    expect(installed).toBe(true)
    expect(scope.RTCPeerConnection).toBe(bridge.classes.RTCPeerConnection)
    expect(scope.RTCSessionDescription).toBe(bridge.classes.RTCSessionDescription)
    expect(scope.RTCIceCandidate).toBe(bridge.classes.RTCIceCandidate)
    bridge.close()
  })

  it('never replaces a native RTCPeerConnection (the main thread)', () => {
    class Native {}
    const scope: Record<string, unknown> = { RTCPeerConnection: Native }
    const { bridge, installed } = installRtcBridge({ scope })
    expect(installed).toBe(false)
    expect(scope.RTCPeerConnection).toBe(Native)
    expect(scope.RTCIceCandidate).toBeUndefined()
    bridge.close()
  })

  it('keeps a native RTCIceCandidate / RTCSessionDescription if only those exist', () => {
    class NativeCandidate {}
    const scope: Record<string, unknown> = { RTCIceCandidate: NativeCandidate }
    const { bridge } = installRtcBridge({ scope })
    expect(scope.RTCIceCandidate).toBe(NativeCandidate)
    expect(scope.RTCPeerConnection).toBe(bridge.classes.RTCPeerConnection)
    bridge.close()
  })
})
