// Streaming loads: a checkpoint read one group of tensors at a time gives exactly what reading it
// whole gives; keys and shapes are checked before anything is read or written; models are built
// without random init but a head the checkpoint does not give still gets PyTorch's Linear init.
import * as tf from '@tensorflow/tfjs-core';
import { createViT, type ViTConfig, type VisionTransformer } from '@tfjs-vit/models';
import { describeBackends, loadFixture, tensorGrowth } from '@tfjs-vit/testing';
import { StateDictError } from '@tfjs-vit/layers';
import { expect, it } from 'vitest';
import { fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { type FetchLike, loadModel } from './load_model';
import { TfjsFormatError, toTfjsArtifacts } from './tfjs_format';
import { readTimmStateDict } from './timm_state_dict';
import { openTimmStateDict } from './timm_stream';

const CONFIG = JSON.parse(loadFixture(fixturePath('mapping_expected.safetensors')).meta.config) as ViTConfig;
const FIXTURES = ['mapping_timm.pth', 'mapping_torchvision.pth', 'mapping_hf.safetensors', 'mapping_hf_vitmodel.safetensors', 'mapping_jax.npz'];

function fetchOf(files: Map<string, Uint8Array | string>, asked: string[]): FetchLike {
  return async (url) => {
    const name = url.slice(url.lastIndexOf('/') + 1);
    asked.push(name);
    const body = files.get(name);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    return {
      ok: body !== undefined, status: body === undefined ? 404 : 200,
      arrayBuffer: async () => bytes!.slice().buffer as ArrayBuffer, text: async () => new TextDecoder().decode(bytes),
    };
  };
}

describeBackends('streaming checkpoint loads', () => {
  it('openTimmStateDict: shapes up front, then groups that together equal readTimmStateDict (every layout), freed as they go', async () => {
    for (const name of FIXTURES) {
      const whole = await readTimmStateDict(fixturePath(name));
      const stream = await openTimmStateDict(fixturePath(name));
      try {
        expect(stream.layout, name).toBe(whole.layout);
        expect(new Map([...stream.shapes].sort()), name).toEqual(new Map([...whole.tensors].map(([k, t]) => [k, t.shape] as [string, number[]]).sort()));
        const base = tf.memory().numTensors;
        const seen = new Set<string>();
        let largest = 0;
        stream.forEachGroup((tensors) => {
          largest = Math.max(largest, tf.memory().numTensors - base);
          for (const [k, t] of tensors) {
            expect(seen.has(k), `${name} ${k} twice`).toBe(false);
            seen.add(k);
            expect(Array.from(t.dataSync()), `${name} ${k}`).toEqual(Array.from(whole.tensors.get(k)!.dataSync()));
          }
        });
        expect(seen.size, name).toBe(whole.tensors.size);
        // at most one block's tensors (source + mapped) are alive at a time, never the checkpoint
        expect(largest, name).toBeLessThanOrEqual(Math.min(30, whole.tensors.size));
        expect(tf.memory().numTensors, `${name}: groups are freed`).toBe(base);
        expect(tensorGrowth(() => stream.forEachGroup(() => {})), name).toBe(0);
      } finally {
        stream.close();
        whole.dispose();
      }
    }
  });

  it('fromTimm builds without random init, yet a head of another size gets PyTorch Linear init (not zeros)', async () => {
    const ref = await fromTimm(fixturePath('mapping_timm.pth'), { model: CONFIG });
    const tuned = await fromTimm(fixturePath('mapping_timm.pth'), { model: CONFIG, numClasses: 7 });
    const a = ref.stateDict();
    const b = tuned.stateDict();
    for (const [k, t] of a) {
      if (k.startsWith('head.')) continue;
      expect(Array.from(b.get(k)!.dataSync()), k).toEqual(Array.from(t.dataSync()));
    }
    const w = b.get('head.weight')!;
    const fanIn = w.shape[1]!;
    const values = Array.from(w.dataSync());
    expect(w.shape[0]).toBe(7);
    expect(values.some((v) => v !== 0)).toBe(true);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(fanIn));
    expect(Array.from(b.get('head.bias')!.dataSync()).some((v) => v !== 0)).toBe(true);
    tf.dispose([...a.values(), ...b.values()]);
    ref.dispose();
    tuned.dispose();
  });

  it('loadModel checks keys and shapes before fetching a shard, and shard sizes as they arrive', async () => {
    const model: VisionTransformer = createViT({ imgSize: 32, patchSize: 8, embedDim: 32, depth: 2, numHeads: 4, numClasses: 10 }).eval();
    const { modelJson, shards } = toTfjsArtifacts(model, { shardBytes: 4096 });
    const paths = modelJson.weightsManifest.flatMap((g) => g.paths);
    expect(paths.length).toBeGreaterThan(2);
    const files = (json: unknown, parts: Uint8Array[]) => new Map<string, Uint8Array | string>([['model.json', JSON.stringify(json)], ...paths.map((p, i) => [p, parts[i]] as [string, Uint8Array])]);
    const before = tf.memory().numTensors;
    // a good copy loads exactly
    let asked: string[] = [];
    const copy = await loadModel('http://x/m/', { fetch: fetchOf(files(modelJson, shards), asked) });
    const [sa, sb] = [model.stateDict(), copy.stateDict()];
    for (const [k, t] of sa) expect(Array.from(sb.get(k)!.dataSync()), k).toEqual(Array.from(t.dataSync()));
    tf.dispose([...sa.values(), ...sb.values()]);
    copy.dispose();
    // a wrong shape: StateDictError, and no shard was fetched
    const wrong = structuredClone(modelJson);
    wrong.weightsManifest[0].weights.find((w) => w.name === 'blocks.1.norm1.weight')!.shape = [31];
    asked = [];
    await expect(loadModel('http://x/m/', { fetch: fetchOf(files(wrong, shards), asked) })).rejects.toThrow(StateDictError);
    expect(asked).toEqual(['model.json']);
    // shards too short or too long
    const short = shards.map((s, i) => (i === shards.length - 1 ? s.subarray(0, s.length - 4) : s));
    await expect(loadModel('http://x/m/', { fetch: fetchOf(files(modelJson, short), []) })).rejects.toThrow(TfjsFormatError);
    const long = shards.map((s, i) => (i === 1 ? Uint8Array.from([...s, 0, 0, 0, 0]) : s));
    await expect(loadModel('http://x/m/', { fetch: fetchOf(files(modelJson, long), []) })).rejects.toThrow(TfjsFormatError);
    expect(tf.memory().numTensors).toBe(before); // failed loads dispose their half-built models
    model.dispose();
  });
});
