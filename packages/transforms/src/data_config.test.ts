import { describe, expect, it } from 'vitest';
import { evalCrop, evalTransform, resolveDataConfig } from './data_config';
import type { FloatImage } from './image';

// timm's default_cfgs entry of vit_base_patch16_384 (augreg_in21k_ft_in1k)
const B16_384 = { inputSize: [3, 384, 384], interpolation: 'bicubic', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], cropPct: 1, cropMode: 'center' } as const;

describe('resolveDataConfig (timm resolve_data_config)', () => {
  it("uses timm's defaults without a pretrained cfg", () => {
    expect(resolveDataConfig(null)).toEqual({
      inputSize: [3, 224, 224], interpolation: 'bicubic', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], cropPct: 0.875, cropMode: 'center',
    });
  });
  it('takes the pretrained cfg, then overrides field by field', () => {
    const cfg = B16_384;
    expect(resolveDataConfig(cfg)).toMatchObject({ inputSize: [3, 384, 384], cropPct: 1, mean: [0.5, 0.5, 0.5] });
    const o = resolveDataConfig(cfg, { inputSize: [320, 256], cropPct: 0.9, cropMode: 'border', interpolation: 'bilinear', mean: [0.2], std: [0.3, 0.3, 0.3] });
    expect(o).toEqual({ inputSize: [3, 320, 256], interpolation: 'bilinear', mean: [0.2, 0.2, 0.2], std: [0.3, 0.3, 0.3], cropPct: 0.9, cropMode: 'border' });
    expect(resolveDataConfig(cfg, { inputSize: 160 }).inputSize).toEqual([3, 160, 160]);
  });
  it('sizes one-value mean/std by the channels (1-channel models)', () => {
    expect(resolveDataConfig(null, { mean: [0.29], std: [0.35] }, 1)).toMatchObject({ inputSize: [1, 224, 224], mean: [0.29], std: [0.35] });
  });
  it('names the bad field', () => {
    expect(() => resolveDataConfig(null, { cropPct: 1.2 })).toThrow(/cropPct must be in \(0, 1\], got 1.2/);
    expect(() => resolveDataConfig(null, { cropMode: 'fit' as never })).toThrow(/cropMode must be one of center, squash, border/);
    expect(() => resolveDataConfig(null, { interpolation: 'lanczos' as never })).toThrow(/interpolation must be one of bicubic, bilinear, nearest/);
    expect(() => resolveDataConfig(null, { mean: [0.1, 0.2] })).toThrow(/mean needs 1 or 3 values/);
    expect(() => resolveDataConfig(null, { std: [0] })).toThrow(/std must be non-zero/);
    expect(() => resolveDataConfig(null, { inputSize: [0, 5] })).toThrow(/inputSize must be/);
  });
});

describe('evalTransform / evalCrop', () => {
  const img = { data: Uint8Array.from({ length: 30 * 40 * 3 }, (_, i) => (i * 13) % 256), width: 40, height: 30, channels: 3 };
  it('a 1-channel config turns the image gray first', () => {
    const y = evalTransform(resolveDataConfig(null, { inputSize: [1, 16, 16], mean: [0.5], std: [0.5] })).apply(img) as FloatImage;
    expect([y.height, y.width, y.channels]).toEqual([16, 16, 1]);
  });
  it('evalCrop is the uint8 image the model sees', () => {
    const crop = evalCrop(resolveDataConfig(null, { inputSize: 16 })).apply(img);
    expect(crop.data).toBeInstanceOf(Uint8Array);
    expect([crop.height, crop.width, crop.channels]).toEqual([16, 16, 3]);
  });
});
