// `tfjs-vit info <checkpoint>`: what a file is — format, layout (timm, torchvision, HF, JAX),
// dtypes, the architecture it holds and its registry name, parameters, and keys that fit no model
// (a key no source mapper knows is listed as unexpected under its own name, with its shape).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { countNonFinite, inferViTConfig, openCheckpoint, openTimmStateDict, parseTfjsModelJson, storedNonFiniteWeights } from '@tfjs-vit/convert';
import { countParameters, getModelConfig, matchModels, modelParameterShapes, parameterShapes, type ViTConfig } from '@tfjs-vit/models';
import { TfjsVitError } from '@tfjs-vit/ops';
import { useBackend } from './backend';
import type { CliContext } from './context';
import { describeArchitecture } from './convert_command';
import { commonOptions, examples, int } from './options';
import { formatBytes } from './progress';

/** What `info` found. */
export interface CheckpointInfo {
  path: string;
  format: string;
  bytes: number;
  tensors: number;
  /** Tensors and values per stored dtype. */
  dtypes: Record<string, { tensors: number; values: number }>;
  layout: string | null;
  wrappers: string[];
  strippedPrefixes: string[];
  config: ViTConfig | null;
  /** Why no architecture could be inferred. */
  unknownArchitecture?: string;
  /** Registered names whose architecture this is (exact first). */
  matches: string[];
  parameters: number | null;
  notes: string[];
  /** Keys and shapes (timm names) the checkpoint has but the architecture does not, and the reverse. */
  unexpected: { key: string; shape: number[] }[];
  missing: { key: string; shape: number[] }[];
  mismatched: { key: string; expected: number[]; got: number[] }[];
  /** Stored keys whose values include NaN or ±Inf, with how many (the loaders refuse these by default). */
  nonFinite: { key: string; count: number }[];
}

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function compare(shapes: ReadonlyMap<string, readonly number[]>, want: ReadonlyMap<string, readonly number[]>): Pick<CheckpointInfo, 'unexpected' | 'missing' | 'mismatched'> {
  const unexpected = [...shapes].filter(([k]) => !want.has(k)).map(([key, shape]) => ({ key, shape: [...shape] }));
  const missing = [...want].filter(([k]) => !shapes.has(k)).map(([key, shape]) => ({ key, shape: [...shape] }));
  const mismatched = [...want]
    .filter(([k, s]) => shapes.has(k) && JSON.stringify(shapes.get(k)) !== JSON.stringify(s))
    .map(([key, expected]) => ({ key, expected: [...expected], got: [...shapes.get(key)!] }));
  return { unexpected, missing, mismatched };
}

async function tfjsInfo(path: string): Promise<CheckpointInfo> {
  const file = path.endsWith('.json') ? path : join(path, 'model.json');
  const mj = parseTfjsModelJson(JSON.parse(readFileSync(file, 'utf8')));
  const shards = mj.weightsManifest.flatMap((g) => g.paths);
  const dir = file.slice(0, file.length - 'model.json'.length);
  const bytes = shards.reduce((n, s) => n + statSync(join(dir, s)).size, statSync(file).size);
  const dtypes: CheckpointInfo['dtypes'] = {};
  const shapes = new Map<string, number[]>();
  for (const w of mj.weightsManifest.flatMap((g) => g.weights)) {
    const d = w.quantization ? `${w.quantization.dtype} (quantised ${w.dtype})` : w.dtype;
    dtypes[d] ??= { tensors: 0, values: 0 };
    dtypes[d].tensors++;
    dtypes[d].values += numel(w.shape);
    shapes.set(w.name, w.shape);
  }
  const nonFinite: CheckpointInfo['nonFinite'] = [];
  for (const g of mj.weightsManifest) {
    const shards = g.paths.map((p) => new Uint8Array(readFileSync(join(dir, p))));
    for (const { key, count } of storedNonFiniteWeights(g, shards)) nonFinite.push({ key, count });
  }
  return {
    nonFinite,
    path, format: 'tfjs web format', bytes, tensors: shapes.size, dtypes, layout: 'timm', wrappers: [], strippedPrefixes: [],
    config: mj.config, matches: matchModels(mj.config), parameters: countParameters(mj.config), notes: [`${shards.length} shard${shards.length === 1 ? '' : 's'}`],
    ...compare(shapes, parameterShapes(mj.config)),
  };
}

/**
 * Inspects a checkpoint (or a tfjs model directory) without building a model.
 *
 * @example
 * ```ts
 * const info = await checkpointInfo('vit_base_patch16_224.pth');
 * info.matches[0]; // 'vit_base_patch16_224'
 * ```
 */
export async function checkpointInfo(path: string, options: { model?: string; numHeads?: number } = {}): Promise<CheckpointInfo> {
  if (statSync(path).isDirectory() || path.endsWith('.json')) return tfjsInfo(path);
  const ckpt = await openCheckpoint(path);
  const dtypes: CheckpointInfo['dtypes'] = {};
  const nonFinite: CheckpointInfo['nonFinite'] = [];
  try {
    for (const [key, e] of ckpt.entries) {
      dtypes[e.dtype] ??= { tensors: 0, values: 0 };
      dtypes[e.dtype].tensors++;
      dtypes[e.dtype].values += numel(e.shape);
      const count = countNonFinite(e.values()); // one tensor's values at a time
      if (count) nonFinite.push({ key, count });
    }
  } finally {
    ckpt.close();
  }
  const base = { path, format: ckpt.format, bytes: ckpt.meta.byteLength, tensors: ckpt.entries.size, dtypes, nonFinite };
  const info: CheckpointInfo = {
    ...base, layout: null, wrappers: [], strippedPrefixes: [], config: null, matches: [], parameters: null, notes: [], unexpected: [], missing: [], mismatched: [],
  };
  let stream;
  try {
    stream = await openTimmStateDict(path);
  } catch (e) {
    info.unknownArchitecture = (e as Error).message;
    return info;
  }
  try {
    Object.assign(info, { layout: stream.layout, wrappers: stream.wrappers, strippedPrefixes: stream.strippedPrefixes });
    const shapes = stream.shapes;
    let want: Map<string, number[]> | null = null;
    if (options.model) {
      info.config = { ...getModelConfig(options.model), numClasses: shapes.get('head.weight')?.[0] ?? 0 };
      info.matches = [options.model];
      // the named model's own parameters (a hybrid's backbone too), with the checkpoint's head size
      want = modelParameterShapes(options.model);
      for (const k of ['head.weight', 'head.bias', 'head_dist.weight', 'head_dist.bias']) {
        want.delete(k);
        if (shapes.has(k)) want.set(k, [...shapes.get(k)!]);
      }
    } else {
      try {
        const inferred = inferViTConfig(new Map([...shapes].map(([k, shape]) => [k, { shape }])), { numHeads: options.numHeads ?? stream.numHeads });
        info.config = inferred.config;
        info.notes = inferred.notes;
        info.matches = matchModels(inferred.config);
      } catch (e) {
        info.unknownArchitecture = (e as Error).message;
      }
    }
    if (info.config) {
      want ??= parameterShapes(info.config);
      info.parameters = [...want.values()].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
      Object.assign(info, compare(shapes, want));
    }
  } finally {
    stream.close();
  }
  return info;
}

const shape = (s: readonly number[]) => `[${s.join(', ')}]`;

/** What `convert` does with a mismatch it can resample (a patch kernel or a pos_embed grid of another size). */
function resamplable(m: CheckpointInfo['mismatched'][number]): string {
  const [e, g] = [m.expected, m.got];
  if (m.key === 'patch_embed.proj.weight' && e.length === 4 && g.length === 4 && e[0] === g[0] && e[1] === g[1]) {
    return ` (convert resamples the ${g[2]}x${g[3]} kernel to ${e[2]}x${e[3]}: --patch-size)`;
  }
  if (m.key === 'pos_embed' && e.length === 3 && g.length === 3 && e[2] === g[2]) return " (convert resamples it to the model's grid)";
  return '';
}

/** The text report of `info`. */
export function formatInfo(i: CheckpointInfo): string[] {
  const lines = [`file: ${i.path} (${i.format}, ${formatBytes(i.bytes)}, ${i.tensors} tensors)`];
  lines.push(`dtypes: ${Object.entries(i.dtypes).map(([d, n]) => `${d} × ${n.tensors} (${n.values.toLocaleString('en-US')} values)`).join(', ')}`);
  if (i.layout) {
    const extra = [i.wrappers.length ? `unwrapped ${i.wrappers.join('.')}` : '', i.strippedPrefixes.length ? `stripped ${i.strippedPrefixes.join(' ')}` : ''].filter(Boolean);
    lines.push(`layout: ${i.layout}${extra.length ? ` (${extra.join(', ')})` : ''}`);
  }
  if (i.config) {
    lines.push(`architecture: ${describeArchitecture(i.config, !i.matches.length, i.matches[0])}`);
    lines.push(i.matches.length ? `registry: ${i.matches.slice(0, 6).join(', ')}${i.matches.length > 6 ? ', …' : ''}` : 'registry: no registered model has this architecture (it loads as a custom ViT)');
  } else lines.push(`architecture: unknown — ${i.unknownArchitecture}`);
  for (const n of i.notes) lines.push(`note: ${n}`);
  const bad = i.nonFinite.reduce((n, k) => n + k.count, 0);
  lines.push(bad ? `non-finite values (NaN/Inf): ${bad} in ${i.nonFinite.length} key${i.nonFinite.length === 1 ? '' : 's'} — loading refuses them without --allow-non-finite` : 'non-finite values (NaN/Inf): none');
  for (const k of i.nonFinite.slice(0, 20)) lines.push(`  non-finite: ${k.key}: ${k.count}`);
  if (i.config) {
    const bad = i.unexpected.length + i.missing.length + i.mismatched.length;
    lines.push(bad ? `keys that fit no model: ${i.unexpected.length} unexpected, ${i.missing.length} missing, ${i.mismatched.length} mismatched` : 'keys that fit no model: none');
    for (const u of i.unexpected.slice(0, 20)) lines.push(`  unexpected: ${u.key} ${shape(u.shape)}`);
    for (const m of i.missing.slice(0, 20)) lines.push(`  missing: ${m.key} ${shape(m.shape)}`);
    for (const m of i.mismatched.slice(0, 20)) lines.push(`  mismatched: ${m.key}: expected ${shape(m.expected)}, got ${shape(m.got)}${resamplable(m)}`);
  }
  return lines;
}

/** Registers `info` on the program. */
export function infoCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('info')
    .description('inspect a checkpoint: format, layout, dtypes, architecture and registry name, parameters, stray keys')
    .argument('<checkpoint>', '.pth, .safetensors, .npz, or a tfjs model directory / model.json')
    .option('-m, --model <name>', 'check the keys against this registered model instead of the inferred one')
    .option('--num-heads <n>', 'attention heads, when they cannot be inferred', int('--num-heads', 1))
    .option('--json', 'print the report as JSON');
  commonOptions(cmd, 'cpu')
    .addHelpText('after', examples('tfjs-vit info vit_base_patch16_224.augreg2_in21k_ft_in1k.safetensors', 'tfjs-vit info checkpoint-300.pth.tar --json'))
    .action(async (path: string, o: { model?: string; numHeads?: number; json?: boolean; backend?: string; wasmThreads?: number | 'auto' }) => {
      try {
        statSync(path);
      } catch {
        throw new TfjsVitError('WEIGHTS_NOT_FOUND', `${path}: no such file or directory`);
      }
      await useBackend(o.backend, o.wasmThreads); // Hugging Face and JAX layouts are mapped with tensor ops
      const info = await checkpointInfo(path, o);
      if (o.json) ctx.out(JSON.stringify(info, null, 2));
      else for (const l of formatInfo(info)) ctx.out(l);
      if (!info.config) ctx.exitCode = 2;
    });
}
