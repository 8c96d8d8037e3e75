// No checkpoint key vanishes: a key no mapper knows stays under its own name, with its shape, in
// every layout and on both paths (in memory and streamed from a file). Real checkpoints from
// tools/fixtures/gen_convert_mapping.py with extra keys added.
import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose, loadFixture } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError, fixturePath } from './fixtures.testutil';
import { fromTimm } from './from_timm';
import { mapKeepingUnknown } from './key_mapping';
import { renameKeys } from './key_rules';
import { mapHfKeys } from './map_hf';
import { mapJaxKeys } from './map_jax';
import { mapTorchvisionKeys } from './map_torchvision';
import { readCheckpoint } from './read_checkpoint';
import { serializeSafetensors } from './safetensors_write';
import { CheckpointMismatchError, type TimmLoadReport } from './timm_load';
import { readTimmStateDict } from './timm_state_dict';
import { openTimmStateDict } from './timm_stream';

const fx = loadFixture(fixturePath('mapping_expected.safetensors'));

async function withExtra(file: string, extra: Record<string, number[]>, prefix = ''): Promise<Uint8Array> {
  const { tensors } = await readCheckpoint(fixturePath(file));
  const all = new Map([...tensors].map(([k, t]) => [prefix + k, t]));
  for (const [k, shape] of Object.entries(extra)) all.set(k, tf.fill(shape, 0.5));
  const bytes = serializeSafetensors(all);
  tf.dispose([...all.values()]);
  return bytes;
}

const shapesOf = (r: TimmLoadReport) => r.skipped.filter((s) => s.reason === 'unexpected').map((s) => [s.key, s.checkpointShape]);

describeBackends('unknown checkpoint keys are kept, reported with their shapes', () => {
  const x = () => tf.transpose(fx.tensor('in.x'), [0, 2, 3, 1]);

  it('JAX: unknown keys inside a block and at the top are unexpected (strict: typed error; strict: false: listed), the rest loads', async () => {
    const extra = { 'Transformer/encoderblock_1/NewThing/kernel': [3, 4], 'extra_top/bias': [2] };
    const bytes = await withExtra('mapping_jax.npz', extra);
    const err = await checkpointError(() => fromTimm(bytes), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err).toBeInstanceOf(CheckpointMismatchError);
    expect(err.message).toContain('Transformer/encoderblock_1/NewThing/kernel [3, 4]');
    expect(err.message).toContain('extra_top/bias [2]');
    expect((err as CheckpointMismatchError).report.unexpectedKeys.sort()).toEqual(Object.keys(extra).sort());

    let report: TimmLoadReport | undefined;
    const model = await fromTimm(bytes, { strict: false, onReport: (r) => (report = r) });
    expect(shapesOf(report!).sort()).toEqual([['Transformer/encoderblock_1/NewThing/kernel', [3, 4]], ['extra_top/bias', [2]]]);
    expect(report!.missingKeys).toEqual([]);
    const y = tf.tidy(() => model.eval().forward(x()));
    expectClose(y, fx.tensor('out.jax_logits'), 1e-4, 'jax logits with unknown keys left out');
    tf.dispose(y);
    model.dispose();
  });

  it('JAX optimizer files: opt/target/ is the weights (reported as a wrapper), other opt/ entries are optimizer state; a key outside opt/ is unexpected', async () => {
    const bytes = await withExtra('mapping_jax.npz', { 'opt/state/step': [1], 'opt/state/param_states/cls/v': [1, 1, 16], 'stray/kernel': [5] }, 'opt/target/');
    const stream = await openTimmStateDict(bytes);
    expect(stream.wrappers).toEqual(['opt/target']);
    expect(stream.shapes.get('stray/kernel')).toEqual([5]);
    expect([...stream.shapes.keys()].filter((k) => k.startsWith('opt/'))).toEqual([]);
    stream.close();
    const sd = await readTimmStateDict(bytes);
    expect(sd.wrappers).toEqual(['opt/target']);
    expect(sd.tensors.get('stray/kernel')!.shape).toEqual([5]);
    expect([...sd.tensors.keys()].filter((k) => k.startsWith('opt/'))).toEqual([]);
    sd.dispose();
  });

  it('JAX in memory: mapJaxKeys passes unknown keys through (as new tensors) and leaves optimizer state out', () => {
    const k = tf.ones([2, 2]);
    const opt = tf.ones([1]);
    const emb = tf.ones([2, 2, 3, 4]);
    const out = mapJaxKeys(new Map([['opt/target/embedding/kernel', emb], ['opt/target/foo/kernel', k], ['opt/state/step', opt]]));
    expect([...out.keys()].sort()).toEqual(['opt/target/foo/kernel', 'patch_embed.proj.weight']);
    expect(out.get('opt/target/foo/kernel')).not.toBe(k); // new, like every output
    expectClose(out.get('opt/target/foo/kernel')!, k, 0, 'passed through');
    tf.dispose([k, opt, emb, ...out.values()]);
  });

  it('JAX: a block with some q/k/v biases but not all is a typed error, not a silent drop', async () => {
    const { tensors } = await readCheckpoint(fixturePath('mapping_jax.npz'));
    const key = 'Transformer/encoderblock_0/MultiHeadDotProductAttention_1/key/bias';
    tensors.get(key)!.dispose();
    tensors.delete(key);
    const err = await checkpointError(() => readTimmStateDict(tensors), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toMatch(/biases all or none, found query \[2, 8\], key missing, value \[2, 8\]/);
    tf.dispose([...tensors.values()]);
  });

  it('Hugging Face: an unknown key keeps its own name (vit. prefix included), streamed and in memory', async () => {
    const bytes = await withExtra('mapping_hf.safetensors', { 'vit.embeddings.extra_thing': [5], 'classifier_extra.weight': [3, 16] });
    const stream = await openTimmStateDict(bytes);
    expect(stream.shapes.get('vit.embeddings.extra_thing')).toEqual([5]);
    expect(stream.shapes.get('classifier_extra.weight')).toEqual([3, 16]);
    stream.close();
    const err = await checkpointError(() => fromTimm(bytes, { model: { numHeads: 2 } }), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toContain('vit.embeddings.extra_thing [5]');
    const t = tf.ones([5]);
    const out = mapHfKeys(new Map([['vit.embeddings.extra_thing', t]]));
    expect(out.get('vit.embeddings.extra_thing')).toBe(t);
    t.dispose();
  });

  it('torchvision: two keys meeting on one name — the second keeps its own (streamed and in memory alike)', async () => {
    // a fine-tuning script's `heads.weight` next to the original `heads.head.weight`: both → head.weight
    const bytes = await withExtra('mapping_torchvision.pth', { 'heads.weight': [10, 16] });
    const stream = await openTimmStateDict(bytes);
    const sd = await readTimmStateDict(bytes);
    expect(stream.shapes.get('heads.weight')).toEqual([10, 16]);
    expect(sd.tensors.get('heads.weight')!.shape).toEqual([10, 16]);
    // the streamed head is the checkpoint's heads.head (not the 0.5s of heads.weight), as in memory
    const streamed = new Map<string, number[]>();
    stream.forEachGroup((ts) => {
      for (const [k, t] of ts) if (k === 'head.weight') streamed.set(k, Array.from(t.dataSync()));
    });
    expectClose(streamed.get('head.weight')!, sd.tensors.get('head.weight')!, 0, 'same head both ways');
    expect(streamed.get('head.weight')!.every((v) => v === 0.5)).toBe(false);
    stream.close();
    sd.dispose();
    const err = await checkpointError(() => fromTimm(bytes, { model: { numHeads: 2 } }), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toContain('heads.weight [10, 16]');
    expect(mapTorchvisionKeys(new Map([['mystery.weight', 1]]))).toEqual(new Map([['mystery.weight', 1]]));
  });

  it('renameKeys: a clash on the new name and on the old one is a typed error naming both keys', async () => {
    const rules = [[/^a$/, 'b']] as const;
    expect([...renameKeys(new Map([['a', 1], ['b', 2]]), rules)]).toEqual([['a', 1], ['b', 2]]); // the real b keeps its name; a cannot take it
    const err = await checkpointError(() => renameKeys(new Map([['x', 1], ['a', 2], ['b', 3]]), [[/^x$/, 'a'], [/^a$/, 'b']]), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toBe('checkpoint keys x and a both map to a; remove one of them');
  });

  it('mapKeepingUnknown: a mapper returning { tensors, consumed } gets every other key passed through; a clash is refused', async () => {
    const a = tf.ones([1]);
    const b = tf.ones([2]);
    const out = mapKeepingUnknown((sd) => ({ tensors: new Map([['x', sd.get('a')!]]), consumed: new Set(['a']) }), new Map([['a', a], ['b', b]]));
    expect([...out.keys()]).toEqual(['x', 'b']);
    expect(out.get('b')).toBe(b);
    const err = await checkpointError(() => mapKeepingUnknown(() => ({ tensors: new Map([['b', a]]), consumed: new Set(['a']) }), new Map([['a', a], ['b', b]])));
    expect(err.message).toContain('checkpoint key b [2] is not one the mapping knows');
    tf.dispose([a, b]);
  });
});
