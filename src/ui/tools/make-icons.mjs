// Draws the app icons (two linked rings on green: a tally between two parties) and writes them as
// PNG files into public/icons with node:zlib only, no image tools. Run: node src/ui/tools/make-icons.mjs
// The PNGs are committed; run this again only when the drawing changes.
import { deflateSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../../../public/icons')

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32 (bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk (type, data) {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** RGBA pixels (Uint8Array, size*size*4) → PNG bytes. */
function encodePng (size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // colour type RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // filter: none
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}

const hex = s => [parseInt(s.slice(1, 3), 16), parseInt(s.slice(3, 5), 16), parseInt(s.slice(5, 7), 16)]
const TOP = hex('#0f7d5e')
const BOTTOM = hex('#0a5c45')
const RING_A = hex('#ffffff')
const RING_B = hex('#bfe8d6')

/**
 * The colour at (x, y) in unit coordinates, or null outside the icon.
 * rounded: corner radius (0 = full bleed); scale: size of the rings relative to the icon.
 */
function sample (x, y, { rounded, scale }) {
  if (rounded > 0) {
    const qx = Math.max(Math.abs(x - 0.5) - (0.5 - rounded), 0)
    const qy = Math.max(Math.abs(y - 0.5) - (0.5 - rounded), 0)
    if (qx * qx + qy * qy > rounded * rounded) return null
  }
  const t = y
  let color = TOP.map((c, i) => c + (BOTTOM[i] - c) * t)
  const r = 0.19 * scale
  const w = 0.072 * scale
  const gap = 0.03 * scale
  const d = 0.105 * scale
  const ring = (cx, extra) => Math.abs(Math.hypot(x - cx, y - 0.5) - r) <= w / 2 + extra
  const a = { cx: 0.5 - d, color: RING_A }
  const b = { cx: 0.5 + d, color: RING_B }
  // Chain-link weave: the left ring passes over the right one above the middle, under it below.
  const [under, over] = y < 0.5 ? [b, a] : [a, b]
  const bg = color
  if (ring(under.cx, 0)) color = under.color
  if (ring(over.cx, gap)) color = bg
  if (ring(over.cx, 0)) color = over.color
  return color
}

function draw (size, options) {
  const rgba = new Uint8Array(size * size * 4)
  const N = 4 // 4×4 supersampling for smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0; let g = 0; let b = 0; let a = 0
      for (let sy = 0; sy < N; sy++) {
        for (let sx = 0; sx < N; sx++) {
          const c = sample((px + (sx + 0.5) / N) / size, (py + (sy + 0.5) / N) / size, options)
          if (c === null) continue
          r += c[0]; g += c[1]; b += c[2]; a += 1
        }
      }
      const i = (py * size + px) * 4
      if (a > 0) {
        rgba[i] = Math.round(r / a); rgba[i + 1] = Math.round(g / a); rgba[i + 2] = Math.round(b / a)
        rgba[i + 3] = Math.round((255 * a) / (N * N))
      }
    }
  }
  return encodePng(size, rgba)
}

const ICONS = [
  // purpose "any": rounded square, transparent corners
  { file: 'icon-192.png', size: 192, rounded: 0.22, scale: 1 },
  { file: 'icon-512.png', size: 512, rounded: 0.22, scale: 1 },
  // purpose "maskable": full bleed, rings inside the 80 % safe zone
  { file: 'icon-maskable-512.png', size: 512, rounded: 0, scale: 0.82 },
  // iOS rounds the corners itself and wants no transparency
  { file: 'apple-touch-icon-180.png', size: 180, rounded: 0, scale: 0.9 },
  { file: 'favicon-64.png', size: 64, rounded: 0.22, scale: 1.08 }
]

mkdirSync(OUT, { recursive: true })
for (const icon of ICONS) {
  writeFileSync(join(OUT, icon.file), draw(icon.size, icon))
  console.log(`wrote public/icons/${icon.file}`)
}
