// loadImage: files, encoded bytes, bitmaps or raw pixels → the RGB image the transforms start from.
// Node decodes with sharp (optional peer, imported lazily); browsers use createImageBitmap + canvas.
import { ImageDecodeError } from './errors';
import type { RGBImage } from './image';
import { logDebug } from './log';
import { fs } from './node';
import { toRGB, type RawPixels } from './to_rgb';

/** Something with a size that a 2-D canvas can draw: ImageBitmap, HTMLImageElement, HTMLCanvasElement… */
export interface DrawableImage {
  width: number;
  height: number;
}

/** What {@link loadImage} accepts. A string is a file path in Node and a URL in browsers. */
export type ImageInput = string | Uint8Array | ArrayBuffer | RawPixels | DrawableImage;

/** Options of {@link loadImage} and {@link decodeImage}. */
export interface LoadImageOptions {
  /** The name used in errors and logs for bytes / bitmaps (a path names itself). */
  name?: string;
  /**
   * Rotate / flip by the EXIF orientation tag (default true, as browsers show photos). PIL's
   * `Image.open(f).convert('RGB')` — what timm and torchvision datasets run — ignores the tag, so
   * pass false to see exactly their pixels. Node (sharp) only: browsers always apply it.
   */
  exifOrientation?: boolean;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

type SharpModule = (input: Uint8Array, options?: import('sharp').SharpOptions) => import('sharp').Sharp;
let sharpPromise: Promise<SharpModule | null> | undefined;
// Through a variable, so browser bundlers (Vite, esbuild) leave the Node-only sharp out of the page.
const SHARP = 'sharp';

/** @internal sharp when installed, else null (browser or no optional peer). */
export function getSharp(): Promise<SharpModule | null> {
  sharpPromise ??= isNode
    ? import(/* @vite-ignore */ SHARP).then((m) => ((m as unknown as { default?: SharpModule }).default ?? m) as unknown as SharpModule).catch(() => null)
    : Promise.resolve(null);
  return sharpPromise;
}

function describe(meta: import('sharp').Metadata): string | null {
  const notes: string[] = [];
  if ((meta.channels ?? 3) !== 3 || meta.hasAlpha) notes.push(`${meta.channels} channels${meta.hasAlpha ? ' with alpha' : ''}`);
  if (meta.space && meta.space !== 'srgb') notes.push(`colour space ${meta.space}`);
  if (meta.depth && meta.depth !== 'uchar') notes.push(`depth ${meta.depth}`);
  const pal = meta as { isPalette?: boolean; paletteBitDepth?: number };
  if (pal.isPalette || pal.paletteBitDepth) notes.push('palette');
  return notes.length ? notes.join(', ') : null;
}

/**
 * PIL's CMYK → RGB (`cmyk2rgb` in libImaging/Convert.c): `R = (255 − K) − C·(255 − K)/255`, with
 * no ICC profile — what `convert('RGB')` gives a CMYK JPEG, so ours match timm's pixels.
 */
function cmykToRGB(cmyk: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  const muldiv255 = (a: number, b: number) => {
    const t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  };
  for (let p = 0; p < width * height; p++) {
    const nk = 255 - cmyk[4 * p + 3];
    for (let c = 0; c < 3; c++) out[3 * p + c] = Math.max(0, nk - muldiv255(cmyk[4 * p + c], nk));
  }
  return out;
}

async function decodeWithSharp(sharp: SharpModule, bytes: Uint8Array, name: string, exifOrientation: boolean): Promise<RGBImage> {
  try {
    const img = sharp(bytes, { failOn: 'warning' });
    const meta = await img.metadata();
    const note = describe(meta);
    if (note) logDebug(`${name}: converted ${meta.format} (${note}) to 8-bit RGB`);
    if (meta.orientation && meta.orientation > 1) {
      logDebug(`${name}: ${exifOrientation ? 'applied' : 'ignored (as PIL)'} EXIF orientation ${meta.orientation}`);
    }
    const oriented = exifOrientation ? img.rotate() : img;
    if (meta.space === 'cmyk') {
      // the bands as stored (no ICC round trip through sRGB, which PIL does not do either)
      const { data, info } = await oriented.pipelineColourspace('cmyk').toColourspace('cmyk').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      if (info.channels !== 4) throw new Error(`expected 4 CMYK channels, got ${info.channels}`);
      const cmyk = new Uint8Array(data.buffer, data.byteOffset, data.length);
      return { data: cmykToRGB(cmyk, info.width, info.height), width: info.width, height: info.height, channels: 3 };
    }
    const { data, info } = await oriented
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const px = new Uint8Array(data.buffer, data.byteOffset, data.length);
    return toRGB({ data: px, width: info.width, height: info.height, channels: info.channels }, name);
  } catch (e) {
    throw new ImageDecodeError(name, `cannot decode image: ${(e as Error).message}`, { cause: e });
  }
}

function canvasPixels(src: DrawableImage, name: string): RGBImage {
  const { width, height } = src;
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;
  if (typeof OffscreenCanvas !== 'undefined') {
    ctx = new OffscreenCanvas(width, height).getContext('2d');
  } else if (typeof document !== 'undefined') {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    ctx = canvas.getContext('2d');
  }
  if (!ctx) throw new ImageDecodeError(name, 'no 2-D canvas available to read pixels');
  ctx.drawImage(src as CanvasImageSource, 0, 0);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  return toRGB({ data: rgba, width, height, channels: 4 }, name);
}

async function decodeInBrowser(bytes: Uint8Array, name: string): Promise<RGBImage> {
  if (typeof createImageBitmap !== 'function') {
    throw new ImageDecodeError(name, 'no decoder: install the optional peer `sharp` (Node) or run in a browser');
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)]), { imageOrientation: 'from-image' });
  } catch (e) {
    throw new ImageDecodeError(name, `cannot decode image: ${(e as Error).message}`, { cause: e });
  }
  try {
    return canvasPixels(bitmap, name);
  } finally {
    bitmap.close();
  }
}

/**
 * Decodes encoded image bytes (JPEG, PNG, WebP, GIF, TIFF…) to RGB as PIL's `convert('RGB')` does
 * (gray replicated, alpha dropped, CMYK by PIL's formula), honouring EXIF orientation unless
 * `exifOrientation: false`. Throws {@link ImageDecodeError} naming `name` when the bytes are
 * corrupt, truncated or not an image.
 *
 * @example
 * const img = await decodeImage(await fs.readFile('cat.jpg'), 'cat.jpg');
 */
export async function decodeImage(bytes: Uint8Array | ArrayBuffer, name = '<bytes>', options: Pick<LoadImageOptions, 'exifOrientation'> = {}): Promise<RGBImage> {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.length === 0) throw new ImageDecodeError(name, 'empty file (0 bytes)');
  const sharp = await getSharp();
  return sharp ? decodeWithSharp(sharp, u8, name, options.exifOrientation ?? true) : decodeInBrowser(u8, name);
}

async function readSource(path: string): Promise<Uint8Array> {
  if (isNode) {
    try {
      return await fs().promises.readFile(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory, not an image' : err.message;
      throw new ImageDecodeError(path, `cannot read: ${why}`, { cause: e });
    }
  }
  const res = await fetch(path);
  if (!res.ok) throw new ImageDecodeError(path, `HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function isRaw(x: object): x is RawPixels {
  const d = (x as RawPixels).data;
  return (d instanceof Uint8Array || d instanceof Uint8ClampedArray) && typeof (x as RawPixels).channels === 'number';
}

// ImageData (and look-alikes): RGBA bytes with width and height but no channel count.
function isImageData(x: object): x is { data: Uint8ClampedArray; width: number; height: number } {
  const { data, width, height } = x as { data?: unknown; width: number; height: number };
  return data instanceof Uint8ClampedArray && data.length === width * height * 4;
}

/**
 * The image a pipeline starts from: HWC uint8 RGB. Accepts a file path (Node) or URL (browser),
 * encoded bytes, raw pixels `{data, width, height, channels}` (1–4 channels), an `ImageData`, or
 * anything a canvas can draw (ImageBitmap, HTMLImageElement…). Non-RGB inputs are converted (and say so through
 * {@link setTransformsLogger}).
 *
 * @example
 * const img = await loadImage('flowers/daisy/1.jpg');
 * const x = new Compose([new Resize(256), new CenterCrop(224), new ToTensor()]).call(img);
 */
export async function loadImage(input: ImageInput, options: LoadImageOptions = {}): Promise<RGBImage> {
  if (typeof input === 'string') return decodeImage(await readSource(input), options.name ?? input, options);
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) return decodeImage(input, options.name, options);
  if (isRaw(input)) return toRGB(input, options.name);
  if (isImageData(input)) return toRGB({ ...input, channels: 4 }, options.name ?? '<ImageData>');
  return canvasPixels(input, options.name ?? '<bitmap>');
}
