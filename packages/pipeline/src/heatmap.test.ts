import { describe, expect, it } from 'vitest';
import { jet, overlayHeatmap, tileImages, upsampleMap } from './heatmap';

describe('heatmaps', () => {
  it('jet runs blue → red', () => {
    expect(jet(0)).toEqual([0, 0, 128]);
    expect(jet(1)).toEqual([128, 0, 0]);
    expect(jet(0.5)).toEqual([128, 255, 128]);
  });
  it('upsamples a grid bilinearly with half-pixel centres (a constant stays constant, corners are kept)', () => {
    expect(Array.from(upsampleMap([2, 2, 2, 2], [2, 2], 3, 5)).every((v) => v === 2)).toBe(true);
    const up = upsampleMap([0, 1, 2, 3], [2, 2], 4, 4);
    expect([up[0], up[3], up[12], up[15]]).toEqual([0, 1, 2, 3]);
    expect(up[1]).toBeCloseTo(0.25, 6);
    expect(() => upsampleMap([1, 2, 3], [2, 2], 4, 4)).toThrow(/3 values for a 2x2 grid/);
  });
  it('blends the colour map over RGB or gray images, and tiles', () => {
    const gray = { data: new Uint8Array(4 * 4).fill(100), width: 4, height: 4, channels: 1 };
    const o = overlayHeatmap(gray, [0, 0, 0, 1], [2, 2], { alpha: 1 });
    expect(o.channels).toBe(3);
    expect(Array.from(o.data.subarray(0, 3))).toEqual(jet(0));
    expect(Array.from(o.data.subarray(o.data.length - 3))).toEqual(jet(1));
    const none = overlayHeatmap(gray, [0, 0, 0, 1], [2, 2], { alpha: 0 });
    expect(none.data.every((v) => v === 100)).toBe(true);
    const t = tileImages([o, o, o], { gap: 1, background: 0 });
    expect([t.width, t.height]).toEqual([9, 9]);
    expect(() => tileImages([o, gray])).toThrow(/RGB and the same size/);
  });
});
