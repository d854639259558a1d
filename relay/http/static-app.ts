// Serves the built app from one directory (sirv), with the caching a PWA needs: hashed files under
// /assets/ are immutable; everything else (index.html, sw.js, the manifest, icons) is revalidated on
// every load so an update is noticed. Unknown paths without a file extension get index.html (SPA).
import { existsSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import sirv from 'sirv'
import type { IncomingMessage, ServerResponse } from 'node:http'

export const IMMUTABLE = 'public, max-age=31536000, immutable'
export const REVALIDATE = 'no-cache'

/** Types mrmime lacks or that browsers need spelled out. */
const EXTRA_TYPES: Record<string, string> = { '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json' }

export interface StaticApp {
  /** True when the directory holds an index.html. */
  readonly built: boolean
  readonly dir: string | null
  handle (req: IncomingMessage, res: ServerResponse, pathname: string): void
}

export function staticApp (dir: string | null): StaticApp {
  const built = dir != null && existsSync(join(dir, 'index.html')) && statSync(dir).isDirectory()
  if (!built) return { built: false, dir, handle: (_req, res, pathname) => notBuilt(res, pathname) }

  const setHeaders = (res: ServerResponse, pathname: string): void => {
    res.setHeader('Cache-Control', pathname.startsWith('/assets/') ? IMMUTABLE : REVALIDATE)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    const extra = EXTRA_TYPES[extname(pathname).toLowerCase()]
    if (extra != null) res.setHeader('Content-Type', extra)
  }
  // Production mode: the file list is read once at start (restart the relay after a rebuild).
  const serve = sirv(dir, { etag: true, gzip: true, brotli: true, dotfiles: false, single: false, setHeaders })

  return {
    built,
    dir,
    handle (req, res, pathname) {
      serve(req, res, () => {
        if (!isAppRoute(pathname)) return notFound(res)
        // SPA fallback: serve index.html for client-side routes (it is no-cache like every non-asset).
        req.url = '/index.html'
        serve(req, res, () => notFound(res))
      })
    }
  }
}

/** A client-side route: no file extension, and not a path where only real files live. */
export function isAppRoute (pathname: string): boolean {
  if (pathname.startsWith('/assets/') || pathname.startsWith('/.well-known/')) return false
  const last = pathname.slice(pathname.lastIndexOf('/') + 1)
  return !last.includes('.')
}

function notFound (res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': REVALIDATE })
  res.end('Not found\n')
}

function notBuilt (res: ServerResponse, pathname: string): void {
  if (!isAppRoute(pathname)) return notFound(res)
  res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end('<!doctype html><meta charset="utf-8"><title>MyCHIPs relay</title>' +
    '<p>This MyCHIPs relay is running, but the wallet app is not built here. ' +
    'Run <code>npm run build</code> and restart the relay (or pass <code>--dist</code>).</p>\n')
}
