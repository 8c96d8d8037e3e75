// Fashion-MNIST in memory: the transforms package's seeded, class-balanced split, normalised once
// into one Float32Array, served as seeded shuffled batches (an epoch-aware source for the Trainer).
import * as tf from '@tensorflow/tfjs-core';
import { type Dataset, loadFashionMNIST } from '@tfjs-vit/transforms';

/** N images [N, 28, 28, 1] normalised with the training split's mean/std, and their labels. */
export interface ImageArrays {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

function toArrays(ds: Dataset, limit: number, mean: number, std: number): ImageArrays {
  const count = Math.min(limit, ds.length);
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const item = ds.item(i);
    const px = (item.source as { data: Uint8Array }).data;
    for (let p = 0; p < 784; p++) images[i * 784 + p] = (px[p] / 255 - mean) / std;
    labels[i] = item.label;
  }
  return { images, labels, count };
}

function pixelStats(ds: Dataset, limit: number): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  const n = Math.min(limit, ds.length);
  for (let i = 0; i < n; i++) {
    for (const v of (ds.item(i).source as { data: Uint8Array }).data) {
      sum += v / 255;
      sq += (v / 255) ** 2;
    }
  }
  const mean = sum / (n * 784);
  return { mean, std: Math.sqrt(sq / (n * 784) - mean * mean) };
}

/** The split of issue 6: 1,000 test images per class held out (seed 0), never trained on. */
export function loadSplit(trainLimit: number, testLimit: number) {
  const { train, test } = loadFashionMNIST({ seed: 0 });
  const { mean, std } = pixelStats(train, trainLimit);
  return { train: toArrays(train, trainLimit, mean, std), test: toArrays(test, testLimit, mean, std), mean, std, classes: train.classes ?? [] };
}

/** mulberry32: a small seeded PRNG for the per-epoch shuffle. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Light augmentation of one normalised 28×28 image into `out`: a horizontal flip with probability
 * 1/2 and a shift of up to `shift` pixels each way, the uncovered border filled with `background`
 * (the normalised value of a black pixel) — torchvision's RandomHorizontalFlip + RandomCrop(28,
 * padding=shift).
 */
export function augmentInto(src: Float32Array, out: Float32Array, r: () => number, shift: number, background: number): void {
  const flip = r() < 0.5;
  const dx = Math.floor(r() * (2 * shift + 1)) - shift;
  const dy = Math.floor(r() * (2 * shift + 1)) - shift;
  for (let y = 0; y < 28; y++) {
    const sy = y + dy;
    for (let x = 0; x < 28; x++) {
      const sx = (flip ? 27 - x : x) + dx;
      out[y * 28 + x] = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? src[sy * 28 + sx] : background;
    }
  }
}

/** Augmentation of {@link ArrayLoader}: shift in pixels and the fill value. */
export interface Augment {
  shift: number;
  background: number;
}

/**
 * Batches of `data` as {images [B, 28, 28, 1], labels [B]}; with `shuffle`, the order of epoch e is
 * a seeded function of (seed, e), and `epoch` is what the Trainer sets before each epoch. With
 * `augment`, every image is flipped / shifted by the same seeded stream (reproducible runs).
 */
export class ArrayLoader implements AsyncIterable<{ images: tf.Tensor; labels: tf.Tensor }> {
  epoch = 0;
  constructor(
    readonly data: ImageArrays,
    readonly batchSize: number,
    readonly shuffle: boolean,
    readonly seed = 0,
    readonly augment: Augment | null = null,
  ) {}

  get length(): number {
    return Math.ceil(this.data.count / this.batchSize);
  }

  async *[Symbol.asyncIterator]() {
    const order = Array.from({ length: this.data.count }, (_, i) => i);
    if (this.shuffle) {
      const r = rng(this.seed * 1_000_003 + this.epoch);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    const aug = this.augment && rng((this.seed + 7) * 2_000_003 + this.epoch);
    this.epoch += 1;
    for (let s = 0; s < order.length; s += this.batchSize) {
      const idx = order.slice(s, s + this.batchSize);
      const x = new Float32Array(idx.length * 784);
      idx.forEach((k, i) => {
        const src = this.data.images.subarray(k * 784, (k + 1) * 784);
        if (aug) augmentInto(src, x.subarray(i * 784, (i + 1) * 784), aug, this.augment!.shift, this.augment!.background);
        else x.set(src, i * 784);
      });
      const y = Int32Array.from(idx, (k) => this.data.labels[k]);
      yield { images: tf.tensor4d(x, [idx.length, 28, 28, 1]), labels: tf.tensor1d(y, 'int32') };
    }
  }
}
