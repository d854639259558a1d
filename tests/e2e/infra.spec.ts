// The harness's own promises, checked where the specs run: the network is private, and the
// "WebRTC blocked" profile of relayed.spec.ts really blocks WebRTC while a normal profile does not.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { chromium, test, expect, type Page } from '@playwright/test'
import { chromiumLaunchOptions, webrtcBlockedProfile } from './fixtures/browser'

const candidates = (page: Page): Promise<string[]> => page.evaluate(async () => {
  const pc = new RTCPeerConnection({ iceServers: [] })
  pc.createDataChannel('probe')
  const found: string[] = []
  const done = new Promise<void>((resolve) => {
    pc.onicecandidate = (e) => { if (e.candidate === null) resolve(); else if (e.candidate.candidate !== '') found.push(e.candidate.candidate) }
  })
  await pc.setLocalDescription(await pc.createOffer())
  await Promise.race([done, new Promise(resolve => setTimeout(resolve, 5000))])
  pc.close()
  return found
})

test('the suite runs in a private network namespace: only lo and the inner veth pair', () => {
  test.skip(process.env.MYCHIPS_NETNS === 'host', 'no namespace on this machine (see tests/e2e/namespace.mjs)')
  const links = execFileSync('ip', ['-o', 'link', 'show']).toString().split('\n').filter(Boolean).map(l => l.split(':')[1]?.trim().split('@')[0])
  expect(links.sort()).toEqual(['lo', 'v0', 'v1'])
})

test('a normal profile gathers a host candidate; the blocked profile gathers none', async ({ browser }) => {
  const normal = await (await browser.newContext()).newPage()
  expect((await candidates(normal)).length).toBeGreaterThan(0)
  const profile = webrtcBlockedProfile()
  const blocked = await chromium.launchPersistentContext(profile, chromiumLaunchOptions())
  try {
    const page = blocked.pages()[0] ?? await blocked.newPage()
    expect(await candidates(page)).toEqual([])
  } finally {
    await blocked.close()
    rmSync(profile, { recursive: true, force: true })
  }
})
