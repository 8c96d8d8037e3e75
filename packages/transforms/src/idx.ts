// IDX files (MNIST, Fashion-MNIST: *-images-idx3-ubyte, *-labels-idx1-ubyte), optionally gzipped.
import { ArrayDataset, type DatasetItem } from './dataset';
import { DatasetError } from './errors';
import { fs, nodeModule } from './node';

/** A parsed IDX array of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Fashion-MNIST class names in label order. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

/**
 * Parses an IDX file of unsigned bytes (type code 0x08); gzip input is inflated first (Node).
 *
 * @example
 * const { dims, data } = parseIdx(readFileSync('train-images-idx3-ubyte')); // dims [60000, 28, 28]
 */
export function parseIdx(bytes: Uint8Array, name = '<bytes>'): IdxArray {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = nodeModule<typeof import('node:zlib')>('node:zlib').gunzipSync(bytes);
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new DatasetError(`${name}: not an IDX file (bad magic)`);
  if (bytes[2] !== 0x08) throw new DatasetError(`${name}: IDX type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`);
  const rank = bytes[3];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * rank) throw new DatasetError(`${name}: IDX header truncated`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (bytes.length - start !== count) {
    throw new DatasetError(`${name}: IDX dims [${dims}] need ${count} bytes of data, found ${bytes.length - start}`);
  }
  return { dims, data: bytes.subarray(start) };
}

/**
 * A grayscale dataset from an IDX image file and label file (MNIST / Fashion-MNIST layout).
 *
 * @example
 * const train = readIdxDataset('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', FASHION_MNIST_CLASSES);
 */
export function readIdxDataset(
  imagesFile: string | Uint8Array,
  labelsFile: string | Uint8Array,
  classes?: readonly string[],
): ArrayDataset {
  const read = (f: string | Uint8Array) => (typeof f === 'string' ? fs().readFileSync(f) : f);
  const images = parseIdx(read(imagesFile), typeof imagesFile === 'string' ? imagesFile : '<images>');
  const labels = parseIdx(read(labelsFile), typeof labelsFile === 'string' ? labelsFile : '<labels>');
  if (images.dims.length !== 3) throw new DatasetError(`IDX images: expected dims [n, h, w], got [${images.dims}]`);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new DatasetError(`IDX labels: expected dims [${images.dims[0]}], got [${labels.dims}]`);
  }
  const [n, height, width] = images.dims;
  const size = height * width;
  const items: DatasetItem[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const data = images.data.slice(i * size, (i + 1) * size);
    items[i] = { source: { data, width, height, channels: 1 }, label: labels.data[i] };
  }
  return new ArrayDataset(items, classes);
}
