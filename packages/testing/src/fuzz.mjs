// The parser fuzzing harness (plain ESM, so the fuzz drivers run in a bare Node process under a
// memory limit): fast-check mutations of real files, each outcome classified and tallied.
import fc from 'fast-check';

/**
 * Byte flips, interesting 32-bit integers, truncation, insertion and deletion in [lo, hi) — only the
 * length-preserving kinds when `lengthPreserving` (to keep a container's framing valid).
 * @param {number} lo @param {number} hi @param {boolean} [lengthPreserving]
 * @returns {fc.Arbitrary<((b: Uint8Array) => Uint8Array)[]>}
 */
export function mutations(lo, hi, lengthPreserving = false) {
  const at = fc.integer({ min: lo, max: Math.max(lo, hi - 1) });
  const interesting = fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0xffffffff, 0x80000000, 0x10000, 8, 64);
  const set = fc.tuple(at, fc.integer({ min: 0, max: 255 })).map(([i, v]) => (b) => {
    const c = b.slice();
    if (i < c.length) c[i] = v;
    return c;
  });
  const int = fc.tuple(at, interesting).map(([i, v]) => (b) => {
    const c = b.slice();
    if (i + 4 <= c.length) new DataView(c.buffer).setUint32(i, v >>> 0, true);
    return c;
  });
  const cut = at.map((i) => (b) => b.slice(0, i));
  const insert = fc.tuple(at, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([j, x]) => (b) => {
    const i = Math.min(j, b.length);
    const c = new Uint8Array(b.length + x.length);
    c.set(b.subarray(0, i));
    c.set(x, i);
    c.set(b.subarray(i), i + x.length);
    return c;
  });
  const del = fc.tuple(at, fc.integer({ min: 1, max: 16 })).map(([j, n]) => (b) => {
    const i = Math.min(j, b.length);
    const c = new Uint8Array(Math.max(i, b.length - n));
    c.set(b.subarray(0, i));
    c.set(b.subarray(i + n).subarray(0, c.length - i), i);
    return c;
  });
  const kinds = lengthPreserving ? [set, int] : [set, int, cut, insert, del];
  return fc.array(fc.oneof(...kinds), { minLength: 1, maxLength: 4 });
}

/**
 * Runs one fuzz target and returns its tally. `load(bytes)` parses an input and returns a
 * canonical string of what it loaded (weights, pixels); `typed(err)` names an expected error's code
 * (or returns undefined for an unexpected one). With `mustMatch`, a successful load must equal the
 * original's (checksummed formats: a corrupt file may not load silently).
 *
 * @param {{ name: string, original: Uint8Array, load: (b: Uint8Array) => Promise<string>, typed: (e: unknown) => string | undefined,
 *   runs: number, seed?: number, region?: (b: Uint8Array) => [number, number], fix?: (b: Uint8Array) => Uint8Array,
 *   mustMatch?: boolean, arbitrary?: fc.Arbitrary<Uint8Array> }} t
 */
export async function fuzzTarget(t) {
  // The original must load when loads are compared with it; otherwise it may be anything (garbage).
  const reference = t.mustMatch ? await t.load(t.original) : await t.load(t.original).catch(() => undefined);
  const [lo, hi] = t.region ? t.region(t.original) : [0, t.original.length];
  const inputs = t.arbitrary ?? mutations(lo, hi, t.region !== undefined).map((ms) => ms.reduce((b, m) => m(b), t.original));
  const tally = { target: t.name, runs: 0, loaded: 0, identical: 0, changed: 0, errors: /** @type {Record<string, number>} */ ({}), untyped: 0, examples: /** @type {string[]} */ ([]), slowestMs: 0 };
  await fc.assert(
    fc.asyncProperty(inputs, async (raw) => {
      const bytes = t.fix ? t.fix(raw) : raw;
      const t0 = performance.now();
      tally.runs++;
      try {
        const got = await t.load(bytes);
        tally.loaded++;
        if (got === reference) tally.identical++;
        else if (t.mustMatch) tally.changed++;
      } catch (err) {
        const code = t.typed(err);
        if (code) tally.errors[code] = (tally.errors[code] ?? 0) + 1;
        else {
          tally.untyped++;
          if (tally.examples.length < 5) tally.examples.push(String(err?.stack ?? err).split('\n').slice(0, 3).join(' | '));
        }
      } finally {
        tally.slowestMs = Math.max(tally.slowestMs, performance.now() - t0);
      }
    }),
    { numRuns: t.runs, seed: t.seed ?? 42 },
  );
  tally.slowestMs = Math.round(tally.slowestMs);
  return tally;
}

/** Address-space limit of a fuzz run: far above what the small fixtures need (~200 MB). */
export const FUZZ_ADDRESS_SPACE = 3 * 2 ** 30;

/** Inputs per target: `FUZZ_RUNS` (default 100; `npm run fuzz` uses 1,000). */
export function fuzzRuns() {
  return Number(process.env.FUZZ_RUNS ?? 100);
}

/**
 * Runs `node <driver> <targets> <runs> <seed>` in `cwd` under `prlimit --as` (so an input that makes
 * a parser allocate without bound fails the run instead of taking the machine; Node's fetch is off,
 * its wasm parser cannot reserve memory under the limit) and parses one tally per output line.
 * @param {string} driver
 * @param {{ targets?: string, runs?: number, seed?: number, cwd: string, timeoutMs?: number }} options
 */
export async function runFuzzDriver(driver, options) {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  if (!existsSync('/usr/bin/prlimit')) throw new Error("fuzz: /usr/bin/prlimit (util-linux) is needed to bound the run's memory");
  const args = [`--as=${FUZZ_ADDRESS_SPACE}`, process.execPath, '--no-experimental-fetch', driver, options.targets ?? 'all', String(options.runs ?? fuzzRuns()), String(options.seed ?? 42)];
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/prlimit', args, { cwd: options.cwd, timeout: options.timeoutMs ?? 600_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`fuzz driver ${driver} exited with ${code ?? signal}:\n${stderr.slice(-2000)}`));
      resolve(stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)));
    });
  });
}
