// Test-only: reads this package's safetensors fixtures, whose images are U8 (loadFixture reads F32/I32).
import { readFileSync } from 'node:fs';
import type { FloatImage, RGBImage } from './image';

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface ImageFixture {
  meta: Record<string, unknown>;
  image(name: string): RGBImage;
  floatImage(name: string): FloatImage;
}

/** Opens packages/transforms/fixtures/<name>.safetensors; `meta` values are parsed JSON. */
export function imageFixture(name: string): ImageFixture {
  const buf = readFileSync(new URL(`../fixtures/${name}.safetensors`, import.meta.url));
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, Entry>;
  const rawMeta = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rawMeta)) {
    try {
      meta[k] = JSON.parse(v);
    } catch {
      meta[k] = v;
    }
  }
  const bytes = (key: string) => {
    const e = header[key];
    if (!e) throw new Error(`fixture ${name}: no entry ${key}`);
    return { e, b: new Uint8Array(buf.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1])) };
  };
  return {
    meta,
    image(key) {
      const { e, b } = bytes(key);
      if (e.dtype !== 'U8') throw new Error(`fixture ${name}: ${key} is ${e.dtype}, expected U8`);
      return { data: b, height: e.shape[0], width: e.shape[1], channels: e.shape[2] };
    },
    floatImage(key) {
      const { e, b } = bytes(key);
      if (e.dtype !== 'F32') throw new Error(`fixture ${name}: ${key} is ${e.dtype}, expected F32`);
      return { data: new Float32Array(b.buffer), height: e.shape[0], width: e.shape[1], channels: e.shape[2] };
    },
  };
}

/** Max |a - b| over two equally long arrays (throws on a length mismatch). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
