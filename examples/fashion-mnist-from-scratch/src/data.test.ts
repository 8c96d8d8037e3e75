import { expect, it } from 'vitest';
import { augmentInto } from './data';

const img = Float32Array.from({ length: 784 }, (_, i) => i); // pixel (y, x) holds 28y + x
const stream = (...xs: number[]) => () => xs.shift()!;

it('flips with the first draw below 1/2 and shifts by the next two, filling the border', () => {
  const out = new Float32Array(784);
  augmentInto(img, out, stream(0.9, 0.5, 0.5), 2, -1); // no flip, dx = dy = 0
  expect(Array.from(out)).toEqual(Array.from(img));
  augmentInto(img, out, stream(0.1, 0.5, 0.5), 2, -1); // flip only
  expect([out[0], out[27], out[28 * 5 + 3]]).toEqual([27, 0, 28 * 5 + 24]);
  augmentInto(img, out, stream(0.9, 0.99, 0), 2, -1); // dx = +2, dy = -2: content moves left and down
  expect(out[28 * 2 + 0]).toBe(2); // (y 2, x 0) ← source (0, 2)
  expect([out[0], out[28 + 5], out[28 * 5 + 26], out[28 * 5 + 27]]).toEqual([-1, -1, -1, -1]);
  expect(out[28 * 27 + 25]).toBe(28 * 25 + 27);
});
