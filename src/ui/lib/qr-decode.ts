// Reads a QR code from camera frames: the browser's BarcodeDetector where it exists, else jsQR on the
// frame's pixels. This module is imported lazily, only when the camera opens, so jsQR (≈ 45 KB) stays
// out of the page bundle.
import jsQR from 'jsqr'

export interface FrameDecoder {
  /** The QR code's text in this frame, or undefined. */
  decode (video: HTMLVideoElement): Promise<string | undefined>
  readonly engine: 'barcode-detector' | 'jsqr'
}

interface BarcodeDetectorLike { detect (source: CanvasImageSource): Promise<Array<{ rawValue: string }>> }
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike
  getSupportedFormats?: () => Promise<string[]>
}

export async function createFrameDecoder (): Promise<FrameDecoder> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector
  if (Detector !== undefined) {
    try {
      const formats = await Detector.getSupportedFormats?.() ?? ['qr_code']
      if (formats.includes('qr_code')) {
        const detector = new Detector({ formats: ['qr_code'] })
        return {
          engine: 'barcode-detector',
          decode: async video => (await detector.detect(video))[0]?.rawValue
        }
      }
    } catch {
      // fall through to jsQR
    }
  }
  const canvas = document.createElement('canvas')
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  return {
    engine: 'jsqr',
    decode: async video => {
      if (ctx === null || video.videoWidth === 0) return undefined
      // Scale big frames down: jsQR's time grows with the pixel count, and a QR code fills the view anyway.
      const scale = Math.min(1, 720 / Math.max(video.videoWidth, video.videoHeight))
      canvas.width = Math.round(video.videoWidth * scale)
      canvas.height = Math.round(video.videoHeight * scale)
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height)
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height)
      return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data
    }
  }
}
