// The linear probe of the timm round trip (docs/scaling-out.md): fineTune's settings and its
// generated images, shared by tools/fixtures/export_for_timm.ts and the probe test.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FineTuneOptions } from './fine_tune';

export const PROBE = { classes: ['bars', 'dots', 'square'], perClass: 8, epochs: 3, batchSize: 4, lr: 3e-2, seed: 0 };

/** 16×16 PNGs whose colour and pattern depend on the class, with per-image jitter. */
export async function makeProbeFolder(dir: string): Promise<void> {
  for (const [c, name] of PROBE.classes.entries()) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let k = 0; k < PROBE.perClass; k++) {
      const px = new Uint8Array(16 * 16 * 3);
      for (let y = 0; y < 16; y++) {
        for (let x = 0; x < 16; x++) {
          const on = c === 0 ? (y >> 1) % 2 === 0 : c === 1 ? x % 4 < 2 && y % 4 < 2 : x > 3 && x < 12 && y > 3 && y < 12;
          const v = on ? 190 + ((k * 7 + x) % 50) : 20 + ((k * 13 + y) % 40);
          px.set([c === 0 ? v : 40, c === 1 ? v : 40, c === 2 ? v : 40], 3 * (16 * y + x));
        }
      }
      await sharp(Buffer.from(px), { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(dir, name, `img_${k}.png`));
    }
  }
}

/** fineTune's options for the probe: `tfjs-vit train <data> --linear-probe` over `weights`. */
export function probeOptions(model: FineTuneOptions['model'], data: string, weights: string, out: string): FineTuneOptions {
  return {
    data, model, weights, mode: 'linear-probe', epochs: PROBE.epochs, batchSize: PROBE.batchSize, lr: PROBE.lr, seed: PROBE.seed,
    out, progress: false, log: () => {},
  };
}
