// The browser decoding path (createImageBitmap + OffscreenCanvas, no sharp), run in headless
// Chromium through playwright-core when /usr/bin/chromium exists (TFJS_VIT_CHROMIUM overrides).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '@tfjs-vit/testing';
import { imageFixture, maxDiff } from './test_fixtures';


describe.skipIf(!hasChromium('loadImage in a browser'))('loadImage in a browser (headless Chromium)', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const bundle = await build({
      stdin: {
        contents: "export { loadImage } from './decode'; export { ImageDecodeError } from './errors';",
        resolveDir: fileURLToPath(new URL('.', import.meta.url)),
        loader: 'ts',
      },
      bundle: true, platform: 'browser', format: 'iife', globalName: 'T', write: false, external: ['sharp'],
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
  });
  afterAll(async () => browser?.close());

  const decodeIn = (bytes: Uint8Array, name?: string) =>
    page.evaluate(async ([b, n]) => {
      const T = (globalThis as unknown as { T: { loadImage: (x: unknown, o?: unknown) => Promise<{ data: Uint8Array; width: number; height: number; channels: number }>; ImageDecodeError: new () => Error } }).T;
      try {
        const img = await T.loadImage(new Uint8Array(b as number[]), { name: n });
        return { ok: true, data: Array.from(img.data), width: img.width, height: img.height, channels: img.channels };
      } catch (e) {
        return { ok: false, name: (e as Error).name, message: (e as Error).message, typed: e instanceof T.ImageDecodeError };
      }
    }, [Array.from(bytes), name] as const);

  it('decodes PNG bytes (with alpha) to exact RGB', async () => {
    const W = 7;
    const H = 5;
    const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 41) % 256));
    const png = await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
    const r = await decodeIn(png);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.height, r.width, r.channels]).toEqual([H, W, 3]);
    const rgb = Uint8Array.from({ length: W * H * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]);
    expect(maxDiff(r.data ?? [], rgb)).toBe(0);
  });

  it('honours EXIF orientation and decodes JPEG close to PIL', async () => {
    const fx = imageFixture('decode');
    const r = await decodeIn(readFileSync(new URL('../fixtures/photo_exif6.jpg', import.meta.url)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const want = fx.image('exif6');
    expect([r.height, r.width]).toEqual([want.height, want.width]);
    // Chromium's JPEG decoder vs Pillow 9.4: measured max diff 0; asserted ≤ 3 (decoders may differ).
    expect(maxDiff(r.data ?? [], want.data)).toBeLessThanOrEqual(3);
  });

  it('throws a typed ImageDecodeError naming the source for corrupt bytes', async () => {
    const r = await decodeIn(Uint8Array.from({ length: 64 }, (_, i) => i), 'bad.jpg');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.typed).toBe(true);
    expect(r.message).toMatch(/^bad\.jpg: cannot decode/);
  });
});

it('the whole package bundles for browsers (no static node: imports)', async () => {
  const r = await build({
    entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
    bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent',
    external: ['sharp', '@tensorflow/tfjs-core'],
  });
  expect(r.errors).toEqual([]);
  expect(r.outputFiles[0].text).not.toMatch(/from ["']node:/);
});
