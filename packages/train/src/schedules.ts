// Learning-rate schedules as pure functions of the update step: timm's CosineLRScheduler and
// StepLRScheduler with t_in_epochs=False (per-update), and a constant rate — all with linear warmup.
import { ArgumentError } from '@tfjs-vit/ops';

/** A schedule maps the optimizer update index t (0 for the first update) to a learning rate. */
export type Schedule = (t: number) => number;

/** Linear warmup shared by every schedule (timm's `warmup_t`, `warmup_lr_init`, `warmup_prefix`). */
export interface WarmupOptions {
  /** Updates of linear warmup from `warmupLrInit` towards the base lr (default 0: none). */
  warmupT?: number;
  /** The lr at t = 0 when warming up (default 0). */
  warmupLrInit?: number;
  /** If true, the decay starts after the warmup (t − warmupT); if false (timm's default) at t = 0. */
  warmupPrefix?: boolean;
}

/** Options of `cosineSchedule` (timm `CosineLRScheduler`'s arguments, camelCased). */
export interface CosineScheduleOptions extends WarmupOptions {
  baseLr: number;
  /** Length of the first cycle in updates. */
  tInitial: number;
  lrMin?: number;
  cycleMul?: number;
  cycleDecay?: number;
  cycleLimit?: number;
  kDecay?: number;
}

function warmup(o: WarmupOptions, baseLr: number, t: number): number | undefined {
  const wt = o.warmupT ?? 0;
  if (wt > 0 && t < wt) {
    const init = o.warmupLrInit ?? 0;
    return init + (t * (baseLr - init)) / wt;
  }
  return undefined;
}

function checkBase(baseLr: number, warmupT = 0): void {
  if (!(baseLr >= 0)) throw new ArgumentError(`baseLr: expected ≥ 0, got ${baseLr}`);
  if (!(warmupT >= 0)) throw new ArgumentError(`warmupT: expected ≥ 0, got ${warmupT}`);
}

/**
 * Cosine decay with linear warmup, restarts (`cycleMul`, `cycleDecay`, `cycleLimit`) and k-decay,
 * exactly as timm's `CosineLRScheduler._get_lr` (no noise).
 *
 * @example
 * ```ts
 * const lr = cosineSchedule({ baseLr: 1e-3, tInitial: 1000, lrMin: 1e-5, warmupT: 50, warmupLrInit: 1e-6 });
 * optimizer.setLearningRate(lr(step));
 * ```
 */
export function cosineSchedule(o: CosineScheduleOptions): Schedule {
  checkBase(o.baseLr, o.warmupT);
  if (!(o.tInitial > 0)) throw new ArgumentError(`tInitial: expected > 0, got ${o.tInitial}`);
  const lrMin = o.lrMin ?? 0;
  const cycleMul = o.cycleMul ?? 1;
  const cycleDecay = o.cycleDecay ?? 1;
  const cycleLimit = o.cycleLimit ?? 1;
  const k = o.kDecay ?? 1;
  return (step: number) => {
    const w = warmup(o, o.baseLr, step);
    if (w !== undefined) return w;
    const t = o.warmupPrefix ? step - (o.warmupT ?? 0) : step;
    let i: number;
    let tI: number;
    let tCurr: number;
    if (cycleMul !== 1) {
      i = Math.floor(Math.log(1 - (t / o.tInitial) * (1 - cycleMul)) / Math.log(cycleMul));
      tI = cycleMul ** i * o.tInitial;
      tCurr = t - ((1 - cycleMul ** i) / (1 - cycleMul)) * o.tInitial;
    } else {
      i = Math.floor(t / o.tInitial);
      tI = o.tInitial;
      tCurr = t - o.tInitial * i;
    }
    if (i >= cycleLimit) return lrMin;
    const lrMax = o.baseLr * cycleDecay ** i;
    return lrMin + 0.5 * (lrMax - lrMin) * (1 + Math.cos((Math.PI * tCurr ** k) / tI ** k));
  };
}

/** Options of `stepSchedule` (timm `StepLRScheduler`). */
export interface StepScheduleOptions extends WarmupOptions {
  baseLr: number;
  /** Updates between decays. */
  decayT: number;
  /** Factor per decay (default 1: no decay). */
  decayRate?: number;
}

/**
 * Step decay `baseLr · decayRate^⌊t / decayT⌋` with linear warmup, as timm's `StepLRScheduler`.
 *
 * @example
 * ```ts
 * const lr = stepSchedule({ baseLr: 0.1, decayT: 30, decayRate: 0.1 });
 * ```
 */
export function stepSchedule(o: StepScheduleOptions): Schedule {
  checkBase(o.baseLr, o.warmupT);
  if (!(o.decayT > 0)) throw new ArgumentError(`decayT: expected > 0, got ${o.decayT}`);
  const rate = o.decayRate ?? 1;
  return (step: number) => {
    const w = warmup(o, o.baseLr, step);
    if (w !== undefined) return w;
    const t = o.warmupPrefix ? step - (o.warmupT ?? 0) : step;
    return o.baseLr * rate ** Math.floor(t / o.decayT);
  };
}

/**
 * A constant rate, after an optional linear warmup.
 *
 * @example
 * ```ts
 * const lr = constantSchedule({ baseLr: 3e-4, warmupT: 100 });
 * ```
 */
export function constantSchedule(o: { baseLr: number } & Omit<WarmupOptions, 'warmupPrefix'>): Schedule {
  checkBase(o.baseLr, o.warmupT);
  return (step: number) => warmup(o, o.baseLr, step) ?? o.baseLr;
}
