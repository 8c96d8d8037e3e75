// The data loader case: `node loader_case.mjs DIR COUNT WORKERS…`. Writes COUNT generated
// 500×375 JPEGs to DIR/images (the PyTorch peer reads the same files), then times our DataLoader
// (RandomResizedCrop 224 bicubic + flip + ToTensor + Normalize, batch 16) at each worker count:
// one warm-up epoch, then two timed. Prints one JSON line per worker count (seconds per image).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ArrayDataset, DataLoader, createTransform, saveImage } from '@tfjs-vit/transforms';

const [dir, countArg, ...workerArgs] = process.argv.slice(2);
const count = Number(countArg);
const images = join(dir, 'images');
mkdirSync(images, { recursive: true });
const items = [];
for (let i = 0; i < count; i++) {
  const path = join(images, `img${String(i).padStart(4, '0')}.jpg`);
  if (!existsSync(path)) {
    const [width, height] = [500, 375];
    const data = new Uint8Array(width * height * 3);
    for (let k = 0; k < data.length; k++) data[k] = (k * 7 + i * 131 + Math.floor(k / 1500) * 3) & 255;
    await saveImage({ data, width, height, channels: 3 }, path, { quality: 90 });
  }
  items.push({ source: path, label: i % 10 });
}
await tf.setBackend('cpu');
const dataset = new ArrayDataset(items);
const transform = createTransform({ isTraining: true, inputSize: 224, interpolation: 'bicubic' });

async function epoch(loader) {
  let n = 0;
  for await (const { images: x, labels } of loader) {
    n += x.shape[0];
    tf.dispose([x, labels]);
  }
  return n;
}

for (const numWorkers of workerArgs.map(Number)) {
  const loader = new DataLoader(dataset, { batchSize: 16, shuffle: true, seed: 0, numWorkers, transform });
  await epoch(loader); // warm-up: worker start-up, sharp's first use
  const t0 = performance.now();
  const n = (await epoch(loader)) + (await epoch(loader));
  const seconds = (performance.now() - t0) / 1000 / n;
  await loader.close();
  console.log(JSON.stringify({ case: 'loader/rrc224/b16', engine: 'ours', threads: numWorkers, backend: 'cpu', seconds, images: count }));
}
process.exit(0);
