// Runs a command inside a private network namespace so browser tests never touch a real network.
//
//   root:       unshare -n  + tests/e2e/netns.sh (lo up + a veth pair that stays inside). CI uses this.
//   plain user: unshare -rn + netns.sh (a user namespace maps you to root inside it; needs unprivileged
//               user namespaces, which some distributions restrict, e.g. Ubuntu's AppArmor setting).
//   otherwise:  the host's own interfaces (a loud warning; MYCHIPS_E2E_HOST_NET=1 forces this). Chromium then gets
//               --disable-features=WebRtcHideLocalIpsWithMdns: by default it hides host candidates behind
//               mDNS names (<uuid>.local), which it announces and resolves by multicast on the LAN; this
//               switch turns mDNS candidates off (raw host addresses instead), so no multicast is sent and
//               the WebRTC packets go between the machine's own addresses, which the kernel keeps local.
//               (Tested with Chromium 156: default gives a .local candidate, the switch gives 10.99.0.1.)
//
// Children learn the mode from MYCHIPS_NETNS (root | user | host); a command already inside a namespace
// (MYCHIPS_NETNS set) runs as is.
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import process from 'node:process'

const setupScript = fileURLToPath(new URL('./netns.sh', import.meta.url))

/** Chromium switches for the host fallback (see above). */
export const HOST_FALLBACK_CHROMIUM_ARGS = ['--disable-features=WebRtcHideLocalIpsWithMdns']

function works (cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 })
  return r.status === 0
}

/** Decides how to isolate: 'inside' (already isolated), 'root', 'user' or 'host'. */
export function namespaceMode () {
  if (process.env.MYCHIPS_NETNS) return 'inside'
  if (process.env.MYCHIPS_E2E_HOST_NET === '1') return 'host'
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (root && works('unshare', ['-n', 'true'])) return 'root'
  // A user namespace is only useful if it can also hold the veth pair (WebRTC needs a non-loopback interface).
  if (works('unshare', ['-rn', 'sh', '-c', 'ip link add v0 type veth peer name v1'])) return 'user'
  return 'host'
}

const descriptions = {
  root: 'private network namespace (unshare -n): lo + veth pair 10.99.0.1/24 kept inside; nothing leaves it',
  user: 'private network namespace in a user namespace (unshare -rn): lo + veth pair kept inside; nothing leaves it',
  host: 'NO private network namespace (%WHY%): using the host interfaces with ' +
    'Chromium mDNS candidates off (--disable-features=WebRtcHideLocalIpsWithMdns, so no mDNS multicast); ' +
    'test traffic goes to 127.0.0.1 and the machine\'s own addresses only'
}

/** The command line that runs cmd/args isolated, and a sentence saying how. */
export function isolate (cmd, args) {
  const mode = namespaceMode()
  if (mode === 'inside') return { mode, cmd, args, env: {}, description: `already inside (${process.env.MYCHIPS_NETNS})` }
  if (mode === 'root') return { mode, cmd: 'unshare', args: ['-n', 'sh', setupScript, cmd, ...args], env: { MYCHIPS_NETNS: 'root' }, description: descriptions.root }
  if (mode === 'user') return { mode, cmd: 'unshare', args: ['-rn', 'sh', setupScript, cmd, ...args], env: { MYCHIPS_NETNS: 'user' }, description: descriptions.user }
  const why = process.env.MYCHIPS_E2E_HOST_NET === '1' ? 'MYCHIPS_E2E_HOST_NET=1' : 'not root, and unprivileged user namespaces are off'
  return { mode, cmd, args, env: { MYCHIPS_NETNS: 'host' }, description: descriptions.host.replace('%WHY%', why) }
}

/** Runs cmd isolated with inherited stdio (unless options.stdio says otherwise); resolves with the exit code. */
export function runIsolated (cmd, args, options = {}) {
  const plan = isolate(cmd, args)
  if (!options.quiet) console.error(`[netns] ${plan.description}`)
  return new Promise((resolve) => {
    const child = spawn(plan.cmd, plan.args, { stdio: options.stdio ?? 'inherit', env: { ...process.env, ...plan.env, ...options.env } })
    const forward = (sig) => child.kill(sig)
    process.on('SIGINT', forward); process.on('SIGTERM', forward)
    options.onChild?.(child)
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward); process.off('SIGTERM', forward)
      resolve(code ?? (signal ? 1 : 0))
    })
    child.on('error', (err) => { console.error(`[netns] cannot start ${plan.cmd}: ${err.message}`); resolve(1) })
  })
}
