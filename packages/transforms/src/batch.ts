// Loads, transforms and packs one batch into raw buffers: the work a DataLoader worker does (and the
// main thread does when numWorkers is 0, with the same per-sample seeds, hence the same numbers).
import type { ImageSource } from './dataset';
import { loadImage } from './decode';
import { ImageDecodeError, TransformArgumentError } from './errors';
import { isFloatImage, type FloatImage } from './image';
import { Rng } from './rng';
import { toFloatImage } from './to_tensor';
import type { PixelTransform } from './transform';

/** @internal One sample of a batch task. */
export interface TaskItem {
  index: number;
  source: ImageSource;
  label: number;
  seed: number;
}

/** @internal */
export interface BatchTask {
  items: TaskItem[];
  onError: 'raise' | 'skip';
}

/** @internal A packed batch: NHWC float32 pixels and int32 labels, ready to become tensors. */
export interface BatchResult {
  images: Float32Array;
  labels: Int32Array;
  indices: number[];
  shape: [number, number, number, number];
  skipped: { index: number; message: string }[];
}

async function one(item: TaskItem, transform: PixelTransform | null): Promise<FloatImage> {
  const name = typeof item.source === 'string' ? item.source : `sample ${item.index}`;
  const img = await loadImage(item.source, { name });
  const out = transform ? transform.apply(img, { rng: new Rng(item.seed) }) : img;
  return isFloatImage(out) ? out : toFloatImage(out);
}

/** @internal */
export async function processBatch(task: BatchTask, transform: PixelTransform | null): Promise<BatchResult> {
  const done: { item: TaskItem; img: FloatImage }[] = [];
  const skipped: BatchResult['skipped'] = [];
  const results = await Promise.allSettled(task.items.map((item) => one(item, transform)));
  results.forEach((r, k) => {
    const item = task.items[k];
    if (r.status === 'fulfilled') done.push({ item, img: r.value });
    else if (task.onError === 'skip' && r.reason instanceof ImageDecodeError) {
      // Reported by the DataLoader on the main thread, so the user's logger sees worker skips too.
      skipped.push({ index: item.index, message: r.reason.message });
    } else throw r.reason;
  });
  const first = done[0]?.img;
  const [h, w, c] = first ? [first.height, first.width, first.channels] : [0, 0, 0];
  const size = h * w * c;
  const images = new Float32Array(done.length * size);
  const labels = new Int32Array(done.length);
  done.forEach(({ item, img }, k) => {
    if (img.height !== h || img.width !== w || img.channels !== c) {
      throw new TransformArgumentError(
        `DataLoader: sample ${item.index} is [${img.height}, ${img.width}, ${img.channels}] but the batch is [${h}, ${w}, ${c}]; add a Resize/CenterCrop to the transform`,
      );
    }
    images.set(img.data, k * size);
    labels[k] = item.label;
  });
  return { images, labels, indices: done.map((d) => d.item.index), shape: [done.length, h, w, c], skipped };
}
