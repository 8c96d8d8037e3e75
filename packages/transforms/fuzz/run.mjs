// Fuzz driver for image decoding (sharp / libvips in Node), run on the built package in a bare Node
// process (the tests and `npm run fuzz` start it under a memory limit):
//   node fuzz/run.mjs <target|all> <runs> [seed]
// prints one JSON tally per target (see @tfjs-vit/testing/fuzz). Every input must decode or fail
// with a TransformsError (IMAGE_DECODE); the pixels of a decoded mutant are not compared (image
// formats carry no checksum over the pixels a decoder must honour).
import { fuzzTarget } from '@tfjs-vit/testing/fuzz';
import fc from 'fast-check';
import { decodeImage, encodeImage, TransformsError } from '../dist/index.js';

const typed = (err) => (err instanceof TransformsError ? err.code : undefined);

/** A 24×16 gradient with a few edges: small, but every encoder's features are used. */
function picture() {
  const [w, h] = [24, 16];
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([(x * 10) & 255, (y * 15) & 255, x > 12 ? 200 : 30], 3 * (y * w + x));
  return { data, width: w, height: h, channels: 3 };
}

/** Decoded size and an FNV-1a hash of the pixels. */
async function load(bytes) {
  const img = await decodeImage(bytes, 'fuzz');
  let h = 0x811c9dc5;
  for (const v of img.data) h = Math.imul(h ^ v, 0x01000193) >>> 0;
  return `${img.width}x${img.height}x${img.channels} ${h}`;
}

const img = picture();
const all = {
  png: { original: await encodeImage(img, 'png'), load },
  jpeg: { original: await encodeImage(img, 'jpeg', { quality: 90 }), load },
  webp: { original: await encodeImage(img, 'webp', { quality: 90 }), load },
  garbage: { original: new Uint8Array(0), load, arbitrary: fc.uint8Array({ maxLength: 512 }) },
};

const [which = 'all', runsArg = '100', seedArg = '42'] = process.argv.slice(2);
for (const name of which === 'all' ? Object.keys(all) : which.split(',')) {
  const t = all[name];
  if (!t) throw new Error(`unknown fuzz target ${name}; targets: ${Object.keys(all).join(', ')}`);
  const tally = await fuzzTarget({ name: `image-${name}`, typed, runs: Number(runsArg), seed: Number(seedArg), ...t });
  tally.rssMB = Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(JSON.stringify(tally));
}
