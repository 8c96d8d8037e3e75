// model.json checked field by field before anything is allocated: a corrupt or hostile file (a depth
// of 1e9, a shape of null, a dtype of "complex64") is a TfjsFormatError naming the field's path,
// never a hang in model construction or a raw error from deep inside tfjs-core.
import { describeReport, type LoadReport, StateDictError } from '@tfjs-vit/layers';
import { countParameters, parameterShapes, type ViTConfig } from '@tfjs-vit/models';
import type { TfjsModelJson, TfjsWeightGroup, TfjsWeightSpec } from './tfjs_format';
import { TfjsFormatError } from './tfjs_format_error';

/** Default bound on a model.json's parameter count (2^30, above ViT-g/14's 1.0 B); `maxParameters` raises it. */
export const DEFAULT_MAX_PARAMETERS = 2 ** 30;

/** Options of the model.json check. */
export interface ModelJsonCheckOptions {
  /** Refuse a config with more parameters than this (default {@link DEFAULT_MAX_PARAMETERS}). */
  maxParameters?: number;
}

function fail(path: string, what: string, got: unknown): never {
  throw new TfjsFormatError(`model.json: ${path} must be ${what}, got ${show(got)}`);
}

/** A value for a message: JSON, at most 60 characters (never the whole of a large value). */
function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  let s: string;
  try {
    s = Array.isArray(v) && v.length > 16 ? `[${v.length} items]` : (JSON.stringify(v) ?? String(v));
  } catch {
    s = typeof v;
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const isInt = (v: unknown, lo: number, hi: number): v is number => Number.isSafeInteger(v) && (v as number) >= lo && (v as number) <= hi;

type Check = (v: unknown, path: string) => void;

const int = (lo: number, hi: number): Check => (v, path) => {
  if (!isInt(v, lo, hi)) fail(path, `an integer in [${lo}, ${hi}]`, v);
};
const size = (hi: number): Check => (v, path) => {
  if (isInt(v, 1, hi)) return;
  if (Array.isArray(v) && v.length === 2 && v.every((x) => isInt(x, 1, hi))) return;
  fail(path, `an integer in [1, ${hi}] or a pair of them`, v);
};
const bool: Check = (v, path) => {
  if (typeof v !== 'boolean') fail(path, 'true or false', v);
};
const oneOf = (...values: readonly unknown[]): Check => (v, path) => {
  if (!values.includes(v)) fail(path, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v);
};
const rate: Check = (v, path) => {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) fail(path, 'a number in [0, 1]', v);
};
const nullOr = (check: Check): Check => (v, path) => {
  if (v !== null) check(v, path);
};
const finite: Check = (v, path) => {
  if (!(typeof v === 'number' && Number.isFinite(v))) fail(path, 'a finite number', v);
};

/** Every ViTConfig field with its check; the bounds are far above any published ViT. */
const CONFIG: Record<keyof ViTConfig, Check> = {
  imgSize: size(16384),
  patchSize: size(1024),
  inChans: int(1, 64),
  numClasses: int(0, 1_000_000),
  globalPool: oneOf('token', 'avg', 'avgmax', 'max', 'map', ''),
  embedDim: int(1, 16384),
  depth: int(0, 1024),
  numHeads: int(1, 1024),
  mlpRatio: (v, path) => {
    if (!(typeof v === 'number' && v > 0 && v <= 64)) fail(path, 'a number in (0, 64]', v);
  },
  qkvBias: bool,
  projBias: bool,
  scaleAttnNorm: bool,
  scaleMlpNorm: bool,
  actLayer: oneOf('gelu', 'gelu_tanh', 'quick_gelu'),
  normEps: (v, path) => {
    if (!(typeof v === 'number' && v > 0 && v < 1)) fail(path, 'a number in (0, 1)', v);
  },
  qkNorm: bool,
  initValues: nullOr(finite),
  classToken: bool,
  regTokens: int(0, 1024),
  distilled: bool,
  posEmbed: oneOf('learn', 'none'),
  noEmbedClass: bool,
  preNorm: bool,
  finalNorm: bool,
  fcNorm: nullOr(bool),
  poolIncludePrefix: bool,
  representationSize: nullOr(int(0, 16384)),
  dynamicImgSize: bool,
  dynamicImgPad: bool,
  dropRate: rate,
  posDropRate: rate,
  projDropRate: rate,
  attnDropRate: rate,
  dropPathRate: rate,
  dataFormat: oneOf('NHWC', 'NCHW'),
};

const DTYPES = ['float32', 'int32', 'bool'] as const;
const QUANTIZED = ['float16', 'uint8', 'uint16'] as const;
/** A shard's path: a relative file name under model.json's folder (no `..`, no scheme, no root). */
const SAFE_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[\w.-]+(?:\/[\w.-]+)*$/;
/** Largest element count of one tensor (tfjs' typed arrays). */
const MAX_ELEMENTS = 2 ** 31 - 1;

function checkConfig(config: unknown): asserts config is ViTConfig {
  if (!config || typeof config !== 'object' || Array.isArray(config)) fail('config', 'an object', config);
  for (const [k, v] of Object.entries(config)) {
    const check = (CONFIG as Record<string, Check | undefined>)[k];
    if (!check) throw new TfjsFormatError(`model.json: config.${k.slice(0, 60)} is not a VisionTransformer config field`);
    if (v !== undefined) check(v, `config.${k}`);
  }
}

function checkWeight(w: unknown, path: string): asserts w is TfjsWeightSpec {
  if (!w || typeof w !== 'object') fail(path, 'an object', w);
  const { name, shape, dtype, quantization: q } = w as Record<string, unknown>;
  if (!(typeof name === 'string' && name.length > 0 && name.length <= 512)) fail(`${path}.name`, 'a string of 1 to 512 characters', name);
  if (!(Array.isArray(shape) && shape.length <= 8 && shape.every((d) => isInt(d, 0, MAX_ELEMENTS)))) {
    fail(`${path}.shape`, 'an array of at most 8 non-negative integers', shape);
  }
  if ((shape as number[]).reduce((a, b) => a * b, 1) > MAX_ELEMENTS) fail(`${path}.shape`, `at most ${MAX_ELEMENTS} elements`, shape);
  if (!DTYPES.includes(dtype as (typeof DTYPES)[number])) fail(`${path}.dtype`, `one of ${DTYPES.join(', ')}`, dtype);
  // tfjs' format allows int32 and bool weights, but every VisionTransformer weight is float32: another
  // dtype would decode the same bytes as other numbers.
  if (dtype !== 'float32') fail(`${path}.dtype`, '"float32" (every VisionTransformer weight is)', dtype);
  if (q === undefined) return;
  if (!q || typeof q !== 'object') fail(`${path}.quantization`, 'an object', q);
  const { dtype: qd, scale, min, original_dtype: od } = q as Record<string, unknown>;
  if (dtype !== 'float32') fail(`${path}.dtype`, 'float32 when quantised', dtype);
  if (!QUANTIZED.includes(qd as (typeof QUANTIZED)[number])) fail(`${path}.quantization.dtype`, `one of ${QUANTIZED.join(', ')}`, qd);
  if (od !== undefined && od !== 'float32') fail(`${path}.quantization.original_dtype`, '"float32"', od);
  if (qd !== 'float16') {
    if (!(typeof scale === 'number' && Number.isFinite(scale) && scale > 0)) fail(`${path}.quantization.scale`, 'a positive finite number', scale);
    if (!(typeof min === 'number' && Number.isFinite(min))) fail(`${path}.quantization.min`, 'a finite number', min);
  }
}

function checkGroup(g: unknown, path: string, names: Set<string>, files: Set<string>): asserts g is TfjsWeightGroup {
  if (!g || typeof g !== 'object') fail(path, 'an object', g);
  const { paths, weights, crc32 } = g as Record<string, unknown>;
  if (!Array.isArray(paths)) fail(`${path}.paths`, 'an array of file names', paths);
  if (!Array.isArray(weights)) fail(`${path}.weights`, 'an array', weights);
  paths.forEach((p, i) => {
    if (!(typeof p === 'string' && p.length <= 256 && SAFE_PATH.test(p))) fail(`${path}.paths[${i}]`, 'a relative file name (letters, digits, . _ - /; no ..)', p);
    if (files.has(p)) fail(`${path}.paths[${i}]`, 'a file no other entry names', p);
    files.add(p);
  });
  weights.forEach((w, i) => {
    checkWeight(w, `${path}.weights[${i}]`);
    if (names.has(w.name)) fail(`${path}.weights[${i}].name`, 'a name no other weight has', w.name);
    names.add(w.name);
  });
  if (crc32 !== undefined && !(Array.isArray(crc32) && crc32.length === paths.length && crc32.every((c) => isInt(c, 0, 0xffffffff)))) {
    fail(`${path}.crc32`, `one unsigned 32-bit integer per path (${paths.length})`, crc32);
  }
}

/**
 * Checks model.json's config, parts and every weightsManifest entry (TfjsFormatError naming the
 * field's path: `config.depth`, `weightsManifest[0].weights[3].dtype`), a parameter count of at most
 * `maxParameters`, and that the manifest holds exactly the config's keys and shapes (StateDictError,
 * as the strict loader). Allocates nothing.
 *
 * @example
 * ```ts
 * checkModelJson(JSON.parse(text)); // before createViT
 * ```
 */
export function checkModelJson(j: Partial<TfjsModelJson>, options: ModelJsonCheckOptions = {}): void {
  checkConfig(j.config);
  if (j.layerNormEps !== undefined && !(typeof j.layerNormEps === 'number' && j.layerNormEps > 0 && j.layerNormEps < 1)) {
    fail('layerNormEps', 'a number in (0, 1)', j.layerNormEps);
  }
  if (j.geluApproximate !== undefined && j.geluApproximate !== 'tanh') fail('geluApproximate', '"tanh" or absent', j.geluApproximate);
  if (!Array.isArray(j.weightsManifest)) fail('weightsManifest', 'an array', j.weightsManifest);
  const names = new Set<string>();
  const files = new Set<string>();
  j.weightsManifest.forEach((g, i) => checkGroup(g, `weightsManifest[${i}]`, names, files));
  let declared: number;
  try {
    declared = countParameters(j.config);
  } catch (e) {
    throw new TfjsFormatError(`model.json: config does not describe a VisionTransformer (${(e as Error).message})`, { cause: e });
  }
  const max = options.maxParameters ?? DEFAULT_MAX_PARAMETERS;
  if (declared > max) {
    throw new TfjsFormatError(`model.json: config describes ${declared} parameters, more than the ${max} allowed (maxParameters)`);
  }
  // The manifest must hold exactly the config's keys and shapes: the strict loader's report, before
  // the model exists.
  checkManifestFits(j.weightsManifest, parameterShapes(j.config), 'model.json: the weightsManifest does not fit the config: ');
}

/**
 * Throws StateDictError (its report and `prefix` + the report's description as the message) unless
 * the manifest holds exactly the keys of `expected`, each with its shape.
 */
export function checkManifestFits(groups: readonly TfjsWeightGroup[], expected: ReadonlyMap<string, readonly number[]>, prefix = ''): void {
  const specs = new Map(groups.flatMap((g) => g.weights.map((w) => [w.name, w.shape] as const)));
  const report: LoadReport = { missingKeys: [], unexpectedKeys: [], shapeMismatches: [] };
  for (const [key, want] of expected) {
    const got = specs.get(key);
    if (!got) report.missingKeys.push(key);
    else if (got.length !== want.length || got.some((d, i) => d !== want[i])) report.shapeMismatches.push({ key, expected: [...want], got: [...got] });
  }
  for (const key of specs.keys()) if (!expected.has(key)) report.unexpectedKeys.push(key);
  if (report.missingKeys.length + report.unexpectedKeys.length + report.shapeMismatches.length > 0) {
    throw new StateDictError(`${prefix}${describeReport(report)}`, report);
  }
}
