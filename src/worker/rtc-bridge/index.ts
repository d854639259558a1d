// Worker half of the RTC bridge (the page half is src/ui/lib/rtc-host.ts). The e2e suite and the
// worker entry use these exports.
export { RtcBridge } from './bridge'
export type { RtcBridgeOptions, RtcBridgeStats, RtcClasses } from './bridge'
export { installRtcBridge } from './install'
export type { InstallOptions, InstalledBridge } from './install'
export { BridgedDataChannel } from './data-channel'
export { BridgedPeerConnection } from './peer-connection'
export { BridgedIceCandidate, BridgedSessionDescription } from './descriptions'
export type { BridgePort } from './protocol'
export * from './protocol'
