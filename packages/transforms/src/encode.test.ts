import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadImage } from './decode';
import { encodeImage, formatOfPath, saveImage } from './encode';

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
});
