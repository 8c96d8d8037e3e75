// Fuzzing the parsers with mutations of real files (fuzz/run.mjs on the built package, in a child
// process with a 3 GiB address-space limit): every input loads or fails with a typed error, a
// zip-based file (torch zip, npz) or a model.json that loads gives exactly the original's weights,
// and each case is answered quickly. FUZZ_RUNS inputs per target (100 here; `npm run fuzz`: 1,000).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fuzzRuns, runFuzzDriver, type FuzzTally } from '@tfjs-vit/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const TARGETS = ['zip', 'torch-zip', 'torch-zip-pickle', 'torch-legacy', 'legacy-pickle', 'safetensors', 'safetensors-header', 'npy', 'npz-stored', 'npz-deflated', 'model-json', 'model-json-fields', 'garbage'];

describe('fuzzing the parsers with mutations of real files', () => {
  let tallies: Map<string, FuzzTally>;
  beforeAll(async () => {
    if (!existsSync(`${pkg}dist/index.js`)) throw new Error('packages/convert/dist is not built: npm run build -w @tfjs-vit/convert (npm test builds it first)');
    tallies = new Map((await runFuzzDriver('fuzz/run.mjs', { cwd: pkg })).map((t) => [t.target, t]));
  });

  for (const target of TARGETS) {
    it(`${target}: only loads or typed errors${['zip', 'torch-zip', 'npz-stored', 'npz-deflated', 'model-json', 'model-json-fields'].includes(target) ? ', and every load is the original' : ''}`, () => {
      const t = tallies.get(target)!;
      expect(t.runs).toBe(fuzzRuns());
      expect(t.untyped, t.examples.join('\n')).toBe(0);
      expect(t.changed).toBe(0);
      expect(t.loaded + Object.values(t.errors).reduce((a, b) => a + b, 0)).toBe(t.runs);
      expect(t.slowestMs).toBeLessThan(2000);
    });
  }

  it('the mutations reach deep: many different refusals, not just "unknown format"', () => {
    const codes = new Set([...tallies.values()].flatMap((t) => Object.keys(t.errors)));
    expect(codes.size, [...codes].join(', ')).toBeGreaterThanOrEqual(10);
    expect(codes).toContain('CHECKPOINT_CHECKSUM');
    expect(codes).toContain('CHECKPOINT_UNSAFE_GLOBAL');
    expect(codes).toContain('TFJS_FORMAT');
  });
});
