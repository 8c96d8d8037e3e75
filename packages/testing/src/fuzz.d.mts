// Types of fuzz.mjs (plain ESM, so the fuzz drivers run in a bare Node process).
import type fc from 'fast-check';

/** One target's outcome counts. */
export interface FuzzTally {
  target: string;
  runs: number;
  /** Inputs that loaded; `identical` of them gave exactly the original's values. */
  loaded: number;
  identical: number;
  /** Loads of a checksummed format whose values differ from the original's (must be 0). */
  changed: number;
  /** Typed errors by code. */
  errors: Record<string, number>;
  /** Errors that were not the package's typed ones (must be 0), with up to five examples. */
  untyped: number;
  examples: string[];
  slowestMs: number;
  rssMB: number;
}

export function mutations(lo: number, hi: number, lengthPreserving?: boolean): fc.Arbitrary<((b: Uint8Array) => Uint8Array)[]>;
export function fuzzTarget(t: {
  name: string;
  original: Uint8Array;
  load: (b: Uint8Array) => Promise<string>;
  typed: (e: unknown) => string | undefined;
  runs: number;
  seed?: number;
  region?: (b: Uint8Array) => [number, number];
  fix?: (b: Uint8Array) => Uint8Array;
  mustMatch?: boolean;
  arbitrary?: fc.Arbitrary<Uint8Array>;
}): Promise<Omit<FuzzTally, 'rssMB'>>;
export const FUZZ_ADDRESS_SPACE: number;
export function fuzzRuns(): number;
export function runFuzzDriver(driver: string, options: { targets?: string; runs?: number; seed?: number; cwd: string; timeoutMs?: number }): Promise<FuzzTally[]>;
