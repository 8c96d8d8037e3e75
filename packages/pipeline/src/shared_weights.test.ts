import * as tf from '@tensorflow/tfjs-core';
import { createViT } from '@tfjs-vit/models';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { loadSharedWeights, shareWeights } from './shared_weights';

const config = { imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 2, numClasses: 7 };

describeBackends('shareWeights / loadSharedWeights', () => {
  it('a twin built from the config and the shared buffer gives the same logits', () => {
    const model = createViT(config).eval();
    const shared = shareWeights(model);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.entries.map((e) => e.key)).toEqual(model.namedParameters('', { includeBuffers: true }).map(([k]) => k));
    expect(shared.buffer.byteLength).toBe(shared.entries.reduce((n, e) => n + e.length, 0) * 4);
    const twin = createViT(config).eval();
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 3);
    const before = tf.tidy(() => tf.max(tf.abs(tf.sub(model.forward(x), twin.forward(x)))).dataSync()[0]);
    expect(before).toBeGreaterThan(1e-3); // two random inits differ
    const n = tf.memory().numTensors;
    loadSharedWeights(twin, shared);
    expect(tf.memory().numTensors).toBe(n);
    const after = tf.tidy(() => tf.max(tf.abs(tf.sub(model.forward(x), twin.forward(x)))).dataSync()[0]);
    expect(after).toBe(0);
    tf.dispose(x);
    model.dispose();
    twin.dispose();
  });

  it('refuses weights of another architecture, naming the first parameter that differs', () => {
    const model = createViT(config);
    const wider = createViT({ ...config, numClasses: 9 });
    const deeper = createViT({ ...config, depth: 3 });
    const shared = shareWeights(model);
    expect(() => loadSharedWeights(wider, shared)).toThrow(/head\.weight: expected float32 \[32,9\], got float32 \[32,7\]/);
    expect(() => loadSharedWeights(deeper, shared)).toThrow(/tensors for a model of .* \(first not in both: blocks\.2\./);
    [model, wider, deeper].forEach((m) => m.dispose());
  });
});
