// randomSplit: a seeded, per-class validation split (the seed article's read_split_data).
import { classCounts, Subset, type Dataset } from './dataset';
import { TransformArgumentError } from './errors';
import { Rng, shuffleInPlace } from './rng';

/** Options of {@link randomSplit}. */
export interface RandomSplitOptions {
  /** Fraction of each class sent to validation: `floor(n_c * valRate)` samples. Default 0.2. */
  valRate?: number;
  /** Default 0. */
  seed?: number;
}

/** The two halves of a split and the per-class counts. */
export interface SplitResult {
  train: Subset;
  val: Subset;
  /** Samples per class in the whole dataset (read_split_data's every_class_num). */
  classCounts: number[];
  trainCounts: number[];
  valCounts: number[];
}

/**
 * Splits every class separately: `floor(count * valRate)` of its samples, chosen with a seeded
 * PRNG, go to `val`; both halves keep the dataset's order.
 *
 * @example
 * const { train, val, classCounts } = randomSplit(new ImageFolder('flower_photos'), { valRate: 0.2, seed: 0 });
 */
export function randomSplit(dataset: Dataset, options: RandomSplitOptions = {}): SplitResult {
  const valRate = options.valRate ?? 0.2;
  if (!(valRate >= 0 && valRate <= 1)) throw new TransformArgumentError(`randomSplit: valRate must be in [0, 1], got ${valRate}`);
  const rng = new Rng(options.seed ?? 0);
  const byClass: number[][] = [];
  for (let i = 0; i < dataset.length; i++) {
    const l = dataset.item(i).label;
    while (byClass.length <= l) byClass.push([]);
    byClass[l].push(i);
  }
  const isVal = new Uint8Array(dataset.length);
  for (const idx of byClass) {
    const k = Math.floor(idx.length * valRate);
    for (const i of shuffleInPlace([...idx], rng).slice(0, k)) isVal[i] = 1;
  }
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < dataset.length; i++) (isVal[i] ? val : train).push(i);
  const trainSet = new Subset(dataset, train);
  const valSet = new Subset(dataset, val);
  return {
    train: trainSet,
    val: valSet,
    classCounts: byClass.map((idx) => idx.length),
    trainCounts: classCounts(trainSet, byClass.length),
    valCounts: classCounts(valSet, byClass.length),
  };
}
