// Training checkpoints: model weights (timm names, loadable anywhere), optimizer state and the
// loop's position, as safetensors + JSON in one directory replaced atomically.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '@tfjs-vit/layers';
import { replaceDirAtomic, resolveCheckpointDir } from './atomic_write';
import { TrainingCheckpointError } from './errors';
import type { Optimizer, OptimizerState } from './optimizer';
import { decodeSafetensors, encodeSafetensors } from './safetensors_io';

/** File names inside a checkpoint directory. */
export const CHECKPOINT_FILES = {
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  ema: 'ema.safetensors',
  trainer: 'trainer.json',
} as const;

/** What a checkpoint holds besides tensors: where the loop was, and anything the caller adds. */
export interface CheckpointInfo {
  /** Optimizer updates done so far (the schedule's next t). */
  step: number;
  /** The epoch in progress (0-based) when saved. */
  epoch: number;
  /** Batches of `epoch` already consumed (0 when saved at an epoch boundary of the next epoch). */
  batchInEpoch?: number;
  /** The data / init seed of the run, recorded for reproduction. */
  seed?: number;
  /** Anything JSON-able (metrics, best score, config). */
  extra?: Record<string, unknown>;
}

/** Anything with a timm-named state dict: a Module, or a ModelEma. */
export interface StateHolder {
  stateDict(): Map<string, tf.Tensor>;
  loadStateDict(dict: Map<string, tf.Tensor>, options?: { strict?: boolean }): unknown;
}

/** What `saveCheckpoint` writes. */
export interface CheckpointContents extends CheckpointInfo {
  model: Module;
  optimizer?: Optimizer;
  /** An EMA copy of the weights (a ModelEma), saved as `ema.safetensors`. */
  ema?: StateHolder;
}

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** Runs after the files are durable in the temp directory, before the swap (for crash tests). */
  beforeCommit?: () => void | Promise<void>;
}

async function stateBytes(module: StateHolder, meta: Record<string, string> = {}): Promise<Uint8Array> {
  const sd = module.stateDict();
  try {
    return encodeSafetensors(sd, meta);
  } finally {
    tf.dispose([...sd.values()]);
  }
}

/**
 * Writes a checkpoint directory: `model.safetensors` (the state dict in timm's names and layouts),
 * `optimizer.safetensors` (state tensors, hyper-parameters in its metadata), `ema.safetensors`
 * when given, and `trainer.json` (step, epoch, seed, extra). The directory is replaced atomically:
 * a crash at any point leaves the previous checkpoint loadable. Returns `dir`.
 *
 * @example
 * ```ts
 * await saveCheckpoint('runs/a/last', { model, optimizer, step: 1200, epoch: 3, seed: 0 });
 * ```
 */
export async function saveCheckpoint(dir: string, c: CheckpointContents, options: SaveCheckpointOptions = {}): Promise<string> {
  const files: Record<string, Uint8Array | string> = {};
  files[CHECKPOINT_FILES.model] = await stateBytes(c.model);
  if (c.optimizer) {
    const st: OptimizerState = c.optimizer.stateDict();
    try {
      files[CHECKPOINT_FILES.optimizer] = encodeSafetensors(st.tensors, { optimizer: JSON.stringify(st.meta) });
    } finally {
      tf.dispose([...st.tensors.values()]);
    }
  }
  if (c.ema) files[CHECKPOINT_FILES.ema] = await stateBytes(c.ema);
  const info: CheckpointInfo & { format: number; savedAt: string; hasOptimizer: boolean; hasEma: boolean } = {
    format: 1,
    step: c.step,
    epoch: c.epoch,
    batchInEpoch: c.batchInEpoch ?? 0,
    seed: c.seed,
    extra: c.extra,
    savedAt: new Date().toISOString(),
    hasOptimizer: !!c.optimizer,
    hasEma: !!c.ema,
  };
  files[CHECKPOINT_FILES.trainer] = JSON.stringify(info, null, 2) + '\n';
  await replaceDirAtomic(dir, files, options.beforeCommit);
  return dir;
}

/** What to load a checkpoint into. Only the parts given are loaded. */
export interface LoadCheckpointTargets {
  model?: Module;
  optimizer?: Optimizer;
  ema?: StateHolder;
  /** Passed to `model.loadStateDict` (default true). */
  strict?: boolean;
}

async function readFileOr(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new TrainingCheckpointError(`${what}: cannot read ${path}`, { cause });
  }
}

/**
 * Reads a checkpoint written by `saveCheckpoint` into the given model / optimizer / EMA and returns
 * its info. Falls back to `dir.old` if a crash interrupted the directory swap.
 *
 * @example
 * ```ts
 * const { step, epoch } = await loadCheckpoint('runs/a/last', { model, optimizer });
 * ```
 */
export async function loadCheckpoint(dir: string, targets: LoadCheckpointTargets = {}): Promise<CheckpointInfo> {
  const at = resolveCheckpointDir(dir);
  if (!at) throw new TrainingCheckpointError(`checkpoint ${dir}: directory not found`);
  let info: CheckpointInfo & { hasOptimizer?: boolean; hasEma?: boolean };
  try {
    info = JSON.parse(new TextDecoder().decode(await readFileOr(join(at, CHECKPOINT_FILES.trainer), 'checkpoint')));
  } catch (cause) {
    if (cause instanceof TrainingCheckpointError) throw cause;
    throw new TrainingCheckpointError(`checkpoint ${at}: ${CHECKPOINT_FILES.trainer} is not valid JSON`, { cause });
  }
  const loadModule = async (m: StateHolder, file: string) => {
    const { tensors } = decodeSafetensors(await readFileOr(join(at, file), 'checkpoint'), file);
    try {
      m.loadStateDict(tensors, { strict: targets.strict ?? true });
    } finally {
      tf.dispose([...tensors.values()]);
    }
  };
  if (targets.model) await loadModule(targets.model, CHECKPOINT_FILES.model);
  if (targets.ema) {
    if (!info.hasEma) throw new TrainingCheckpointError(`checkpoint ${at}: holds no EMA weights`);
    await loadModule(targets.ema, CHECKPOINT_FILES.ema);
  }
  if (targets.optimizer) {
    if (!info.hasOptimizer) throw new TrainingCheckpointError(`checkpoint ${at}: holds no optimizer state`);
    const { tensors, metadata } = decodeSafetensors(await readFileOr(join(at, CHECKPOINT_FILES.optimizer), 'checkpoint'), CHECKPOINT_FILES.optimizer);
    try {
      targets.optimizer.loadStateDict({ tensors, meta: JSON.parse(metadata.optimizer ?? 'null') });
    } catch (cause) {
      throw new TrainingCheckpointError(`checkpoint ${at}: optimizer state does not fit: ${(cause as Error).message}`, { cause });
    } finally {
      tf.dispose([...tensors.values()]);
    }
  }
  return { step: info.step, epoch: info.epoch, batchInEpoch: info.batchInEpoch ?? 0, seed: info.seed, extra: info.extra };
}
