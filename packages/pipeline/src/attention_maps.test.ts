import * as tf from '@tensorflow/tfjs-core';
import { describeBackends } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { attentionMaps, attentionMapsAsync } from './attention_maps';

/** Row-stochastic attention weights [B, H, N, N], like softmax outputs. */
const weights = (seed: number) => tf.tidy(() => tf.softmax(tf.randomNormal([2, 3, 5, 5], 0, 1, 'float32', seed), -1));

describeBackends('attentionMaps', () => {
  it('rollout of one block with a class token is the class row of (A + I) / 2, head-averaged, scaled to max 1', () => {
    const a = weights(1);
    const [first] = attentionMaps([a], 1, [2, 2]);
    const want = tf.tidy(() => {
      const m = tf.div(tf.add(tf.mean(a, 1), tf.eye(5)), 2);
      const row = tf.reshape(tf.slice(m, [0, 0, 1], [1, 1, 4]), [4]);
      return tf.div(row, tf.max(row));
    });
    expect(first!.grid).toEqual([2, 2]);
    expect(Math.max(...first!.map)).toBeCloseTo(1, 6);
    const w = want.dataSync();
    first!.map.forEach((v, i) => expect(v).toBeCloseTo(w[i] as number, 5));
    tf.dispose([a, want]);
  });

  it('attentionMapsAsync gives exactly what attentionMaps gives, per image and per head, and frees its tensors', async () => {
    const blocks = [weights(2), weights(3), weights(4)];
    const before = tf.memory().numTensors;
    for (const options of [{ method: 'rollout' as const }, { method: 'last' as const, perHead: true }, { discardRatio: 0.4, headFusion: 'max' as const }]) {
      const sync = attentionMaps(blocks, 1, [2, 2], options);
      const async = await attentionMapsAsync(blocks, 1, [2, 2], options);
      expect(async).toEqual(sync);
      expect(sync).toHaveLength(2);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(blocks);
  });
});
