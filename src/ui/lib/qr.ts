// A QR code as one SVG path (no innerHTML): the dark modules of the matrix, one unit square each.
import qrcode from 'qrcode-generator'

export interface QrPath {
  /** Modules per side, without the quiet zone. */
  size: number
  /** SVG path data in module units, offset by the quiet zone. */
  d: string
  /** Side of the SVG viewBox including the quiet zone. */
  viewBox: number
}

const QUIET = 4

export function qrPath (text: string, level: 'L' | 'M' | 'Q' | 'H' = 'M'): QrPath {
  const qr = qrcode(0, level)
  qr.addData(text, 'Byte')
  qr.make()
  const size = qr.getModuleCount()
  const parts: string[] = []
  for (let r = 0; r < size; r++) {
    // Runs of dark modules on a row become one rectangle: a much shorter path.
    let c = 0
    while (c < size) {
      if (!qr.isDark(r, c)) { c++; continue }
      const start = c
      while (c < size && qr.isDark(r, c)) c++
      parts.push(`M${start + QUIET} ${r + QUIET}h${c - start}v1h${start - c}z`)
    }
  }
  return { size, d: parts.join(''), viewBox: size + 2 * QUIET }
}
