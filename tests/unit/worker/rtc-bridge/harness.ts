// Runs both halves of the RTC bridge in one Node process: the worker half (RtcBridge) and the page half
// (serveRtcBridge over a FakeRtc) joined by a real MessageChannel, with every posted message recorded.
import { RtcBridge } from '../../../../src/worker/rtc-bridge/bridge'
import type { BridgedPeerConnection } from '../../../../src/worker/rtc-bridge/peer-connection'
import type { RtcHost } from '../../../../src/ui/lib/rtc-host'
import { serveRtcBridge } from '../../../../src/ui/lib/rtc-host'
import { FakeRtc } from './fake-rtc'

export interface Posted { message: unknown, transfer: Transferable[] }

export interface Side {
  rtc: FakeRtc
  bridge: RtcBridge
  host: RtcHost
  PC: new (config?: RTCConfiguration) => BridgedPeerConnection
  /** The worker's end of the port and what the worker posted through it. */
  workerPort: MessagePort
  fromWorker: Posted[]
  /** The page's end and what the page posted. */
  pagePort: MessagePort
  fromPage: Posted[]
  droppedByHost: unknown[]
  droppedByBridge: unknown[]
}

function record (port: MessagePort, log: Posted[]): void {
  const post = port.postMessage.bind(port) as (m: unknown, t: Transferable[]) => void
  port.postMessage = ((message: unknown, transfer: Transferable[] = []) => {
    log.push({ message, transfer })
    post(message, transfer)
  }) as typeof port.postMessage
}

export function makeSide (rtc = new FakeRtc()): Side {
  const { port1, port2 } = new MessageChannel()
  const fromWorker: Posted[] = []
  const fromPage: Posted[] = []
  record(port1, fromWorker)
  record(port2, fromPage)
  const droppedByHost: unknown[] = []
  const droppedByBridge: unknown[] = []
  const bridge = new RtcBridge({ onDropped: (d) => { droppedByBridge.push(d) } })
  const host = serveRtcBridge(port2, { RTCPeerConnection: rtc.RTCPeerConnection, onDropped: (d) => { droppedByHost.push(d) } })
  bridge.connect(port1)
  return { rtc, bridge, host, PC: bridge.classes.RTCPeerConnection, workerPort: port1, fromWorker, pagePort: port2, fromPage, droppedByHost, droppedByBridge }
}

export async function until (cond: () => boolean, what = 'condition', ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 2))
  }
}

/** Lets every message in flight on the ports be delivered and handled. */
export async function settle (rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise(resolve => setTimeout(resolve, 1))
}

/**
 * Connects two stand-in peer connections the way @libp2p/webrtc's private-to-private transport does:
 * the initiator opens an 'init' channel, sends its offer then trickles candidates; the recipient sets the
 * offer, answers, and adds candidates once it has the remote description.
 */
export async function negotiate (a: BridgedPeerConnection, b: BridgedPeerConnection, Candidate: RtcBridge['classes']['RTCIceCandidate']): Promise<{ init: ReturnType<BridgedPeerConnection['createDataChannel']> }> {
  const trickle = (from: BridgedPeerConnection, to: BridgedPeerConnection): () => Promise<void> => {
    const queued: RTCIceCandidateInit[] = []
    let ready = false
    from.onicecandidate = ({ candidate }) => {
      if (candidate === null || candidate.candidate === '') return
      if (ready) void to.addIceCandidate(new Candidate(candidate.toJSON()))
      else queued.push(candidate.toJSON())
    }
    return async () => {
      ready = true
      for (const c of queued.splice(0)) await to.addIceCandidate(new Candidate(c))
    }
  }
  const flushToB = trickle(a, b)
  const flushToA = trickle(b, a)
  const init = a.createDataChannel('init')
  const offer = await a.createOffer()
  await a.setLocalDescription(offer)
  await b.setRemoteDescription({ type: 'offer', sdp: offer.sdp ?? '' })
  const answer = await b.createAnswer()
  await b.setLocalDescription(answer)
  await a.setRemoteDescription({ type: 'answer', sdp: answer.sdp ?? '' })
  await flushToB()
  await flushToA()
  await until(() => a.connectionState === 'connected' && b.connectionState === 'connected', 'both connected')
  return { init }
}

export function closeSides (...sides: Side[]): void {
  for (const s of sides) {
    s.bridge.close()
    s.host.close()
    s.workerPort.close()
    s.pagePort.close()
  }
}
