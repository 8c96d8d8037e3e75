import { describe, expect, it } from 'vitest';
import { Grayscale, grayscale } from './grayscale';
import { transformFromSpec } from './spec';

describe('grayscale (PIL convert("L"))', () => {
  it("uses PIL's fixed-point ITU-R 601-2 luma", () => {
    // Pillow 9.4: Image.new("RGB", (3, 1)) holding (255,0,0) (0,255,0) (10,200,30), convert("L") → [76, 150, 124]
    const img = { data: Uint8Array.of(255, 0, 0, 0, 255, 0, 10, 200, 30), width: 3, height: 1, channels: 3 };
    expect(Array.from(grayscale(img).data)).toEqual([76, 150, 124]);
    expect(Array.from(grayscale(img, 3).data)).toEqual([76, 76, 76, 150, 150, 150, 124, 124, 124]);
  });
  it('round-trips through its spec (for loader workers)', () => {
    const t = transformFromSpec(new Grayscale(1).toSpec()) as Grayscale;
    expect(t).toBeInstanceOf(Grayscale);
    expect(t.channels).toBe(1);
  });
});
