// The run's report: for each classified test image, the image and its attention rollout side by
// side (PNG, via @tfjs-vit/pipeline's attention maps), and report.md tying results and pictures.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformer } from '@tfjs-vit/models';
import { attentionMaps, overlayHeatmap, tileImages } from '@tfjs-vit/pipeline';
import { resampleImage, saveImage, type RGBImage } from '@tfjs-vit/transforms';

/** One classified image of the report. */
export interface ReportExample {
  predicted: string;
  actual: string;
  /** 28·28 uint8 pixels. */
  pixels: Uint8Array;
}

const SCALE = 4; // 28 px → 112 px, so a 4x4 patch grid is visible

/**
 * Writes `attention/<i>.png` (the image, then its rollout heatmap) for each example and
 * `report.md`; returns the report's path.
 *
 * @example
 * ```ts
 * const path = await writeReport(out, model, normalisedImages, examples, summary);
 * ```
 */
export async function writeReport(out: string, model: VisionTransformer, inputs: tf.Tensor4D, examples: ReportExample[], summary: string[]): Promise<string> {
  const { logits, attentions } = model.eval().forwardWithAttention(inputs);
  const p = model.config.patchSize;
  const maps = attentionMaps(attentions, model.numPrefixTokens, [Math.floor(28 / p[0]), Math.floor(28 / p[1])], { method: 'rollout' });
  tf.dispose([logits, ...attentions]);
  const rows: string[] = [];
  for (let i = 0; i < examples.length; i++) {
    const gray: RGBImage = { data: examples[i].pixels, width: 28, height: 28, channels: 1 };
    const big = resampleImage(gray, 28 * SCALE, 28 * SCALE, 'nearest');
    const rgb: RGBImage = { data: Uint8Array.from({ length: big.data.length * 3 }, (_, k) => big.data[Math.floor(k / 3)]), width: big.width, height: big.height, channels: 3 };
    const file = `attention/${i}.png`;
    await saveImage(tileImages([rgb, overlayHeatmap(big, maps[i].map, maps[i].grid, { alpha: 0.55 })], { columns: 2, gap: 4 }), join(out, file));
    const ok = examples[i].predicted === examples[i].actual ? '✓' : '✗';
    rows.push(`| ${i} | ${examples[i].actual} | ${examples[i].predicted} ${ok} | ![attention ${i}](${file}) |`);
  }
  const md = [
    '# Fashion-MNIST from scratch: run report', '', ...summary.map((s) => `- ${s}`), '', '![training curve](curve.svg)', '',
    '## Test images and where the model looks', '',
    'Each picture: the test image, then its attention rollout (Abnar & Zuidema 2020: attention multiplied through',
    'the blocks with the residual) from the class token over the 4x4 patch grid, red = most attended.', '',
    '| # | actual | predicted | image / attention |', '| --- | --- | --- | --- |', ...rows, '',
  ].join('\n');
  const path = join(out, 'report.md');
  writeFileSync(path, md);
  return path;
}
