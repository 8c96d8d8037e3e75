// The dataset contract: indexable samples whose image source is plain data (a path, encoded bytes
// or raw pixels), so a worker thread can load and transform it.
import { TransformArgumentError } from './errors';
import type { RawPixels } from './to_rgb';

/** Where a sample's pixels come from: a file path / URL, encoded bytes, or raw pixels. */
export type ImageSource = string | Uint8Array | RawPixels;

/** One sample: its image source and integer class label. */
export interface DatasetItem {
  source: ImageSource;
  label: number;
}

/**
 * Random-access samples. `classes[label]` names a label when known.
 *
 * @example
 * const ds: Dataset = new ArrayDataset([{ source: 'a.jpg', label: 0 }], ['cat']);
 */
export interface Dataset {
  readonly length: number;
  readonly classes?: readonly string[];
  item(index: number): DatasetItem;
}

/**
 * A dataset over an array of items.
 *
 * @example
 * const ds = new ArrayDataset([{ source: 'a.jpg', label: 0 }, { source: 'b.jpg', label: 1 }], ['cat', 'dog']);
 */
export class ArrayDataset implements Dataset {
  readonly items: readonly DatasetItem[];
  readonly classes?: readonly string[];
  constructor(items: readonly DatasetItem[], classes?: readonly string[]) {
    this.items = items;
    this.classes = classes;
  }
  get length(): number {
    return this.items.length;
  }
  item(index: number): DatasetItem {
    const it = this.items[index];
    if (!it) throw new TransformArgumentError(`dataset: index ${index} out of range [0, ${this.length})`);
    return it;
  }
}

/**
 * The samples of `dataset` at `indices`, in that order.
 *
 * @example
 * const firstTen = new Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export class Subset implements Dataset {
  readonly dataset: Dataset;
  readonly indices: readonly number[];
  constructor(dataset: Dataset, indices: readonly number[]) {
    for (const i of indices) {
      if (!(Number.isInteger(i) && i >= 0 && i < dataset.length)) {
        throw new TransformArgumentError(`Subset: index ${i} out of range [0, ${dataset.length})`);
      }
    }
    this.dataset = dataset;
    this.indices = indices;
  }
  get length(): number {
    return this.indices.length;
  }
  get classes(): readonly string[] | undefined {
    return this.dataset.classes;
  }
  item(index: number): DatasetItem {
    if (!(index >= 0 && index < this.indices.length)) {
      throw new TransformArgumentError(`Subset: index ${index} out of range [0, ${this.length})`);
    }
    return this.dataset.item(this.indices[index]);
  }
}

/**
 * Number of samples per label (length: `numClasses`, else `classes.length`, grown to max label + 1).
 *
 * @example
 * classCounts(new ImageFolder('flower_photos')); // [633, 898, 641, 699, 799]
 */
export function classCounts(dataset: Dataset, numClasses?: number): number[] {
  const counts: number[] = new Array(numClasses ?? dataset.classes?.length ?? 0).fill(0);
  for (let i = 0; i < dataset.length; i++) {
    const l = dataset.item(i).label;
    while (counts.length <= l) counts.push(0);
    counts[l]++;
  }
  return counts;
}
