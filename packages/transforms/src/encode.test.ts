import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImage } from './decode';
import { ImageDecodeError } from './errors';
import { encodeImage, formatOfPath, saveImage, saveSvgAsPng } from './encode';

describe('saveImage / encodeImage (sharp)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-encode-'));
  const img = { data: Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 41) % 256), width: 5, height: 4, channels: 3 };
  it('writes a PNG that decodes to the same pixels, leaving no temporary file', async () => {
    const path = join(dir, 'a.png');
    await saveImage(img, path);
    const back = await loadImage(path);
    expect(Array.from(back.data)).toEqual(Array.from(img.data));
    expect(readdirSync(dir)).toEqual(['a.png']);
  });
  it('picks the format from the extension and refuses others', async () => {
    expect(formatOfPath('x.JPG')).toBe('jpeg');
    expect(formatOfPath('x.webp')).toBe('webp');
    const jpeg = await encodeImage(img, 'jpeg');
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    await expect(saveImage(img, join(dir, 'a.bmp'))).rejects.toThrow(/expected a \.png, \.jpg or \.webp/);
  });
  it('saveSvgAsPng renders an SVG at its size × density/72 into a new folder; a non-SVG is an ImageDecodeError', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="10" height="10" fill="#ff0000"/><rect x="10" width="10" height="10" fill="#0000ff"/></svg>';
    const path = join(dir, 'svg', 'curve.png');
    await saveSvgAsPng(svg, path, { density: 72 });
    const png = await loadImage(path);
    expect([png.width, png.height]).toEqual([20, 10]);
    const px = (x: number, y: number) => Array.from(png.data.subarray(3 * (y * 20 + x), 3 * (y * 20 + x) + 3));
    expect([px(2, 5), px(17, 5)]).toEqual([[255, 0, 0], [0, 0, 255]]);
    expect(readdirSync(join(dir, 'svg'))).toEqual(['curve.png']);
    await saveSvgAsPng(svg, join(dir, 'hi.png'));
    expect((await loadImage(join(dir, 'hi.png'))).width).toBe(40); // default density 144
    await expect(saveSvgAsPng('not an svg', join(dir, 'bad.png'))).rejects.toThrow(ImageDecodeError);
  });
});
