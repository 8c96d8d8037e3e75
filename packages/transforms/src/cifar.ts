// CIFAR-10 binary format (data_batch_N.bin / test_batch.bin): per record 1 label byte + 3072 bytes
// of 32×32 pixels stored channel-planar (R plane, G plane, B plane).
import { ArrayDataset, type DatasetItem } from './dataset';
import { DatasetError } from './errors';
import { fs } from './node';

/** CIFAR-10 class names in label order. */
export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const;

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;

/**
 * Parses CIFAR-10 binary records into HWC RGB samples.
 *
 * @example
 * const items = parseCifar10(readFileSync('cifar-10-batches-bin/data_batch_1.bin')); // 10,000 items
 */
export function parseCifar10(bytes: Uint8Array, name = '<bytes>'): DatasetItem[] {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new DatasetError(`${name}: CIFAR-10 binary length must be a multiple of ${RECORD} bytes, got ${bytes.length}`);
  }
  const n = bytes.length / RECORD;
  const items: DatasetItem[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const base = r * RECORD;
    const label = bytes[base];
    if (label > 9) throw new DatasetError(`${name}: record ${r} has label ${label}, expected 0–9`);
    const data = new Uint8Array(PLANE * 3);
    for (let p = 0; p < PLANE; p++) {
      data[3 * p] = bytes[base + 1 + p];
      data[3 * p + 1] = bytes[base + 1 + PLANE + p];
      data[3 * p + 2] = bytes[base + 1 + 2 * PLANE + p];
    }
    items[r] = { source: { data, width: SIDE, height: SIDE, channels: 3 }, label };
  }
  return items;
}

/**
 * A CIFAR-10 dataset from one or more `.bin` files (e.g. `data_batch_1.bin` … `data_batch_5.bin`).
 *
 * @example
 * const train = readCifar10([1, 2, 3, 4, 5].map((i) => `cifar-10-batches-bin/data_batch_${i}.bin`));
 */
export function readCifar10(files: string | readonly string[]): ArrayDataset {
  const list = typeof files === 'string' ? [files] : files;
  const items = list.flatMap((f) => parseCifar10(fs().readFileSync(f), f));
  return new ArrayDataset(items, CIFAR10_CLASSES);
}
