// Input checks of a VisionTransformer: layout (NHWC, or NCHW on request), channels and size.
import * as tf from '@tensorflow/tfjs-core';
import { assertRank, fmtShape, ShapeError } from '@tfjs-vit/ops';
import type { ResolvedViTConfig } from './vit_config';

/**
 * `x` as NHWC `[B, H, W, inChans]`, transposed from NCHW when `dataFormat` is 'NCHW'; throws a
 * `ShapeError` naming the expected layout, channels and (unless `dynamicImgSize`) image size.
 *
 * @example
 * ```ts
 * toNHWCInput(tf.zeros([1, 3, 224, 224]), resolveViTConfig({ dataFormat: 'NCHW' })).shape; // [1, 224, 224, 3]
 * ```
 */
export function toNHWCInput(
  x: tf.Tensor,
  cfg: Pick<ResolvedViTConfig, 'dataFormat' | 'inChans' | 'imgSize' | 'dynamicImgSize'>,
): tf.Tensor4D {
  assertRank('VisionTransformer input', x.shape, 4);
  const nchw = cfg.dataFormat === 'NCHW';
  const chans = nchw ? x.shape[1] : x.shape[3];
  if (chans !== cfg.inChans) {
    const want = nchw ? `[B, ${cfg.inChans}, H, W] (NCHW)` : `[B, H, W, ${cfg.inChans}] (NHWC)`;
    const hint = !nchw && x.shape[1] === cfg.inChans ? "; for NCHW input pass dataFormat: 'NCHW'" : '';
    throw new ShapeError(`VisionTransformer: expected input ${want}, got ${fmtShape(x.shape)}${hint}`);
  }
  const y = (nchw ? tf.transpose(x, [0, 2, 3, 1]) : x) as tf.Tensor4D;
  const [eh, ew] = cfg.imgSize;
  if (!cfg.dynamicImgSize && (y.shape[1] !== eh || y.shape[2] !== ew)) {
    throw new ShapeError(
      `VisionTransformer: expected a ${eh}x${ew} image (imgSize), got ${y.shape[1]}x${y.shape[2]} in ${fmtShape(x.shape)}; ` +
        'use dynamicImgSize: true or setInputSize()',
    );
  }
  return y;
}
