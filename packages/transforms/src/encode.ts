// saveImage / encodeImage: an RGB (or gray) image to PNG, JPEG or WebP bytes with sharp (Node);
// saveSvgAsPng: an SVG (a training curve) rendered to PNG.
import { ImageDecodeError, TransformArgumentError } from './errors';
import { getSharp } from './decode';
import { checkImage, type RGBImage } from './image';
import { fs, pathModule } from './node';

/** Formats {@link encodeImage} writes. */
export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** The format a file name asks for (`.png`, `.jpg`/`.jpeg`, `.webp`), or null. */
export function formatOfPath(path: string): ImageFormat | null {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return ext === 'png' ? 'png' : ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'webp' ? 'webp' : null;
}

/**
 * Encodes `img` (1, 3 or 4 channels) as `format` with sharp (Node only; an optional peer).
 *
 * @example
 * const png = await encodeImage(overlay, 'png');
 */
export async function encodeImage(img: RGBImage, format: ImageFormat = 'png', options: { quality?: number } = {}): Promise<Uint8Array> {
  checkImage('encodeImage', img);
  if (![1, 3, 4].includes(img.channels)) throw new TransformArgumentError(`encodeImage: expected 1, 3 or 4 channels, got ${img.channels}`);
  const sharp = await getSharp();
  if (!sharp) throw new ImageDecodeError('<encode>', 'encoding images needs the optional peer `sharp` (npm install sharp), in Node');
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 | 4 } } as never);
  const out = format === 'png' ? s.png() : format === 'jpeg' ? s.jpeg({ quality: options.quality ?? 90 }) : s.webp({ quality: options.quality ?? 90 });
  const buf = await out.toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * Writes `img` to `path` in the format its extension names (.png, .jpg, .webp), atomically: a
 * temporary file renamed over the target, so a crash never leaves half an image. Creates the
 * directory.
 *
 * @example
 * await saveImage(overlay, 'runs/attention/cat.png');
 */
export async function saveImage(img: RGBImage, path: string, options: { quality?: number } = {}): Promise<void> {
  const format = formatOfPath(path);
  if (!format) throw new TransformArgumentError(`saveImage: ${path}: expected a .png, .jpg or .webp file name`);
  await writeAtomically(path, await encodeImage(img, format, options));
}

/** Writes `bytes` to a temporary file beside `path`, then renames it over `path` (mkdir -p first). */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const fsp = fs().promises;
  await fsp.mkdir(pathModule().dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, bytes);
  await fsp.rename(tmp, path);
}

/**
 * Renders an SVG document (e.g. a training curve) to a PNG file with sharp, atomically.
 *
 * @example
 * await saveSvgAsPng(trainingCurveSvg(points), 'runs/a/curve.png');
 */
export async function saveSvgAsPng(svg: string, path: string, options: { density?: number } = {}): Promise<void> {
  const sharp = await getSharp();
  if (!sharp) throw new ImageDecodeError('<encode>', 'rendering SVG needs the optional peer `sharp` (npm install sharp), in Node');
  let buf: Uint8Array;
  try {
    const out = await sharp(new TextEncoder().encode(svg), { density: options.density ?? 144 }).png().toBuffer();
    buf = new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    throw new ImageDecodeError('<svg>', `cannot render SVG: ${(e as Error).message}`, { cause: e });
  }
  await writeAtomically(path, buf);
}
