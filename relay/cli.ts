// The relay's command line: `npm start` (build + run) or `npm run relay -- [options]`.
// stdout: one human line with the URL to open. stderr: structured JSON log lines.
import './node20-polyfill'
import { parseCli } from './config'
import { isChipsError } from '../src/core/errors'
import { errorFields, jsonLogger } from './log'
import { startRelay } from './server'

async function main (): Promise<number> {
  let parsed
  try {
    parsed = parseCli(process.argv.slice(2), process.env)
  } catch (err) {
    process.stderr.write(`mychips-relay: ${(err as Error).message}\n`)
    return 2
  }
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text + '\n')
    return 0
  }
  const { config } = parsed
  const log = jsonLogger({ level: config.logLevel })

  let relay
  try {
    relay = await startRelay({ ...config, logger: log })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const hint = code === 'EADDRINUSE'
      ? `port ${config.port} on ${config.host} is in use; pick another with --port or MYCHIPS_RELAY_PORT`
      : code === 'EACCES' ? `not allowed to bind ${config.host}:${config.port}; use a port above 1023 behind a reverse proxy` : undefined
    log.log('error', 'relay.start_failed', { ...errorFields(err), ...(isChipsError(err) ? { code: err.code } : {}), ...(hint != null ? { hint } : {}) })
    process.stderr.write(`mychips-relay: could not start: ${hint ?? (err as Error).message}\n`)
    return 1
  }

  if (!relay.appServed) {
    process.stderr.write(`mychips-relay: no built app in ${config.dist ?? '(none)'}; run \`npm run build\` (or pass --dist). Relaying works without it.\n`)
  }
  process.stdout.write(`MyCHIPs wallet relay: open ${relay.url}\n`)
  if (config.host === '0.0.0.0' || config.host === '::') {
    process.stdout.write(`(listening on all interfaces; wallets dial ${relay.multiaddrs.join(' ')})\n`)
  }

  await new Promise<void>((resolve) => {
    let signals = 0
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++
      if (signals > 1) {
        log.log('warn', 'relay.forced_exit', { signal })
        process.exit(130)
      }
      log.log('info', 'relay.signal', { signal })
      relay.stop().then(resolve, (err: unknown) => { log.log('error', 'relay.stop_error', errorFields(err)); resolve() })
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  })
  return 0
}

main().then((code) => {
  process.exitCode = code
  // Everything is closed by now; if a stray handle still holds the loop, do not hang a service manager.
  setTimeout(() => { process.exit(code) }, 2000).unref()
}, (err: unknown) => {
  process.stderr.write(`mychips-relay: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
