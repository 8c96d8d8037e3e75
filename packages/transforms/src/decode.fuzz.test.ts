// Fuzzing image decoding with mutations of real PNG, JPEG and WebP files and random bytes
// (fuzz/run.mjs on the built package, in a child process with a 3 GiB address-space limit): every
// input decodes or fails with an ImageDecodeError, quickly. FUZZ_RUNS inputs per target.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fuzzRuns, runFuzzDriver, type FuzzTally } from '@tfjs-vit/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

describe('fuzzing image decoding', () => {
  let tallies: FuzzTally[];
  beforeAll(async () => {
    if (!existsSync(`${pkg}dist/index.js`)) throw new Error('packages/transforms/dist is not built: npm run build -w @tfjs-vit/transforms (npm test builds it first)');
    tallies = await runFuzzDriver('fuzz/run.mjs', { cwd: pkg });
  });

  it('png, jpeg, webp and garbage: only decodes or IMAGE_DECODE errors, each case quickly', () => {
    expect(tallies.map((t) => t.target)).toEqual(['image-png', 'image-jpeg', 'image-webp', 'image-garbage']);
    for (const t of tallies) {
      expect(t.runs, t.target).toBe(fuzzRuns());
      expect(t.untyped, `${t.target}: ${t.examples.join('\n')}`).toBe(0);
      expect(Object.keys(t.errors), t.target).toEqual(['IMAGE_DECODE']);
      expect(t.loaded + t.errors.IMAGE_DECODE!, t.target).toBe(t.runs);
      expect(t.slowestMs, t.target).toBeLessThan(2000);
    }
    expect(tallies.find((t) => t.target === 'image-garbage')!.loaded).toBe(0);
  });
});
