import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, loadImage } from './decode';
import { ImageDecodeError } from './errors';
import { setTransformsLogger, type TransformsLogEvent } from './log';
import { imageFixture, maxDiff } from './test_fixtures';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-decode-'));
const W = 9;
const H = 6;
const rgb = new Uint8Array(W * H * 3).map((_, i) => (i * 37 + 11) % 256);
const rgba = new Uint8Array(W * H * 4).map((_, i) => (i % 4 === 3 ? 128 : rgb[Math.floor(i / 4) * 3 + (i % 4)]));
const gray = new Uint8Array(W * H).map((_, i) => (i * 29) % 256);
const raw = (data: Uint8Array, channels: 1 | 2 | 3 | 4) => sharp(data, { raw: { width: W, height: H, channels } });

let logs: TransformsLogEvent[] = [];
afterEach(() => setTransformsLogger(null));
const capture = () => {
  logs = [];
  setTransformsLogger((e) => logs.push(e));
};

beforeAll(async () => {
  await raw(rgb, 3).png().toFile(join(dir, 'rgb.png'));
  await raw(rgba, 4).png().toFile(join(dir, 'rgba.png'));
  await raw(gray, 1).toColourspace('b-w').png().toFile(join(dir, 'gray.png'));
  await raw(rgb, 3).toColourspace('rgb16').png().toFile(join(dir, 'rgb16.png'));
  await raw(rgb, 3).webp({ lossless: true }).toFile(join(dir, 'rgb.webp'));
  await raw(rgb, 3).tiff({ compression: 'lzw' }).toFile(join(dir, 'rgb.tiff'));
  await raw(new Uint8Array(W * H * 3).fill(200), 3).gif().toFile(join(dir, 'flat.gif'));
  await raw(new Uint8Array(W * H * 3).map((_, i) => (i % 3 === 0 ? 255 : 0)), 3).png({ palette: true }).toFile(join(dir, 'pal.png'));
});

describe('loadImage (sharp)', () => {
  it('decodes lossless RGB PNG, WebP and TIFF exactly', async () => {
    for (const f of ['rgb.png', 'rgb.webp', 'rgb.tiff']) {
      const img = await loadImage(join(dir, f));
      expect([img.height, img.width, img.channels]).toEqual([H, W, 3]);
      expect(maxDiff(img.data, rgb), f).toBe(0);
    }
  });
  it('converts RGBA (drops alpha), grayscale, palette, 16-bit and GIF to 8-bit RGB, and logs it', async () => {
    capture();
    expect(maxDiff((await loadImage(join(dir, 'rgba.png'))).data, rgb)).toBe(0);
    const g = await loadImage(join(dir, 'gray.png'));
    expect(g.channels).toBe(3);
    expect(maxDiff(g.data, Uint8Array.from(g.data, (_, i) => gray[Math.floor(i / 3)]))).toBe(0);
    expect(maxDiff((await loadImage(join(dir, 'rgb16.png'))).data, rgb)).toBe(0);
    const pal = await loadImage(join(dir, 'pal.png'));
    expect(Array.from(pal.data.subarray(0, 6))).toEqual([255, 0, 0, 255, 0, 0]);
    const gif = await loadImage(join(dir, 'flat.gif'));
    expect([gif.height, gif.width, gif.channels]).toEqual([H, W, 3]);
    expect(gif.data.every((v) => Math.abs(v - 200) <= 2)).toBe(true);
    const messages = logs.map((l) => l.message).join('\n');
    expect(messages).toMatch(/rgba\.png: converted png \(4 channels with alpha/);
    expect(messages).toMatch(/gray\.png: converted png \(1 channels.*b-w/);
    expect(messages).toMatch(/rgb16\.png: converted png .*depth ushort/);
  });
  it('decodes JPEG like PIL within 2 levels and honours EXIF orientation', async () => {
    const fx = imageFixture('decode');
    const fixtures = new URL('../fixtures/', import.meta.url);
    const plain = await loadImage(new URL('photo.jpg', fixtures).pathname);
    const pil = fx.image('plain');
    expect([plain.height, plain.width]).toEqual([pil.height, pil.width]);
    // Measured: sharp 0.35 (libvips' libjpeg-turbo) vs Pillow 9.4: max diff 0 on both files; asserted ≤ 2
    // since other libjpeg builds may round the IDCT/upsampling differently.
    expect(maxDiff(plain.data, pil.data)).toBeLessThanOrEqual(2);
    const rotated = await loadImage(readFileSync(new URL('photo_exif6.jpg', fixtures)), { name: 'exif6' });
    const pilRot = fx.image('exif6');
    expect([rotated.height, rotated.width]).toEqual([pilRot.height, pilRot.width]);
    expect([rotated.height, rotated.width]).toEqual([plain.width, plain.height]);
    expect(maxDiff(rotated.data, pilRot.data)).toBeLessThanOrEqual(2);
    // exifOrientation: false gives PIL's Image.open(f).convert('RGB'): the stored pixels, unrotated
    const stored = await loadImage(readFileSync(new URL('photo_exif6.jpg', fixtures)), { name: 'exif6', exifOrientation: false });
    expect([stored.height, stored.width]).toEqual([pil.height, pil.width]);
    expect(maxDiff(stored.data, pil.data)).toBeLessThanOrEqual(2);
  });
  it("converts a CMYK JPEG with PIL's formula (no ICC round trip): Pillow's own convert('RGB'), exactly", async () => {
    const img = await loadImage(new URL('../fixtures/cmyk.jpg', import.meta.url).pathname);
    const pil = imageFixture('crop_modes').image('cmyk_as_rgb');
    expect([img.height, img.width]).toEqual([pil.height, pil.width]);
    expect(maxDiff(img.data, pil.data)).toBe(0);
  });
  it('names the file in errors for a missing path, a directory and an empty file', async () => {
    await expect(loadImage(join(dir, 'nope.jpg'))).rejects.toThrow(/nope\.jpg: cannot read: no such file/);
    await expect(loadImage(dir)).rejects.toThrow(/is a directory, not an image/);
    writeFileSync(join(dir, 'empty.png'), new Uint8Array(0));
    await expect(loadImage(join(dir, 'empty.png'))).rejects.toThrow(/empty\.png: empty file \(0 bytes\)/);
  });
  it('throws ImageDecodeError naming the file for corrupt and truncated images', async () => {
    const bad = join(dir, 'garbage.jpg');
    writeFileSync(bad, Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256));
    await expect(loadImage(bad)).rejects.toThrow(ImageDecodeError);
    await expect(loadImage(bad)).rejects.toThrow(/garbage\.jpg: cannot decode/);
    const jpeg = readFileSync(new URL('../fixtures/photo.jpg', import.meta.url));
    const cut = join(dir, 'truncated.jpg');
    writeFileSync(cut, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    const err = await loadImage(cut).catch((e) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.source).toBe(cut);
    await expect(decodeImage(new Uint8Array(10))).rejects.toThrow(/<bytes>/);
  });
  it('accepts raw pixels of 1–4 channels', async () => {
    capture();
    const img = await loadImage({ data: rgba, width: W, height: H, channels: 4 }, { name: 'mem' });
    expect(maxDiff(img.data, rgb)).toBe(0);
    expect(logs[0].message).toMatch(/mem: converted RGBA/);
    await expect(loadImage({ data: rgb, width: W, height: H + 1, channels: 3 })).rejects.toThrow(/bytes, got/);
    const imageData = { data: new Uint8ClampedArray(rgba), width: W, height: H }; // ImageData's shape
    expect(maxDiff((await loadImage(imageData as never)).data, rgb)).toBe(0);
  });
});
