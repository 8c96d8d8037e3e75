import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError, fixturePath } from './fixtures.testutil';
import { mapOpenAiClipKeys, mapOpenClipTimmKeys } from './map_openai_clip';
import { readCheckpoint } from './read_checkpoint';
import { serializeSafetensors } from './safetensors_write';
import { readTimmStateDict } from './timm_state_dict';
import { openTimmStateDict } from './timm_stream';

const seq = (shape: number[], offset = 0) => tf.add(tf.reshape(tf.range(0, shape.reduce((a, b) => a * b)), shape), offset);

describeBackends('mapOpenAiClipKeys', () => {
  it('reshapes the embeddings, transposes proj into a zero-biased head, leaves the text tower out and passes unknown image keys through', () => {
    const input = new Map<string, tf.Tensor>([
      ['visual.class_embedding', seq([4])],
      ['visual.positional_embedding', seq([5, 4])],
      ['visual.proj', seq([4, 3])],
      ['visual.ln_pre.weight', seq([4])],
      ['visual.ln_post.bias', seq([4])],
      ['transformer.resblocks.0.attn.in_proj_weight', seq([24, 8])], // the text tower's
      ['logit_scale', tf.scalar(4.6)],
      ['visual.attn_pool.query', seq([1, 4])], // CoCa's: no timm counterpart
    ]);
    const out = mapOpenAiClipKeys(input);
    expect([...out.keys()].sort()).toEqual(['cls_token', 'head.bias', 'head.weight', 'norm.bias', 'norm_pre.weight', 'pos_embed', 'visual.attn_pool.query']);
    expect(out.get('cls_token')!.shape).toEqual([1, 1, 4]);
    expect(out.get('pos_embed')!.shape).toEqual([1, 5, 4]);
    expect(out.get('head.weight')!.shape).toEqual([3, 4]);
    expectClose(out.get('head.weight')!, [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11], 0, 'head.weight = proj.T');
    expectClose(out.get('head.bias')!, [0, 0, 0], 0, 'head.bias');
    expect(out.get('norm_pre.weight')).toBe(input.get('visual.ln_pre.weight')); // renamed, not copied
    tf.dispose([...input.values(), ...out.values()]);
  });

  it('a resblock without in_proj (separate q/k/v projections) is a CheckpointError naming the block, through the public readers', async () => {
    const clip = await readCheckpoint(fixturePath('layouts_openai_clip.pth'));
    const broken = new Map(clip.tensors);
    const w = broken.get('visual.transformer.resblocks.1.attn.in_proj_weight')!;
    broken.delete('visual.transformer.resblocks.1.attn.in_proj_weight');
    const [q, k, v] = tf.split(w, 3, 0);
    broken.set('visual.transformer.resblocks.1.attn.q_proj_weight', q!);
    broken.set('visual.transformer.resblocks.1.attn.k_proj_weight', k!);
    broken.set('visual.transformer.resblocks.1.attn.v_proj_weight', v!);
    const bytes = serializeSafetensors(broken);
    for (const read of [() => readTimmStateDict(bytes), () => openTimmStateDict(bytes), () => readTimmStateDict(broken)]) {
      const err = await checkpointError(read, 'CHECKPOINT_ARCH_MISMATCH');
      expect(err.message).toMatch(/visual\.transformer\.resblocks\.1\.: missing attn\.in_proj_weight \(separate q\/k\/v projections/);
      expect(err.message).toContain('attn.q_proj_weight');
    }
    // an in_proj of the wrong height
    const odd = new Map(clip.tensors);
    odd.set('visual.transformer.resblocks.0.attn.in_proj_weight', q!);
    const err = await checkpointError(() => readTimmStateDict(odd), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toMatch(/resblocks\.0\.attn\.in_proj_weight: expected \[48, 16\] .*got \[16, 16\]/);
    tf.dispose([...clip.tensors.values(), q!, k!, v!]);
  });
});

describeBackends('mapOpenClipTimmKeys', () => {
  it("strips visual.trunk. and takes visual.head.proj as timm's head (zero bias when it has none)", () => {
    const proj = seq([3, 4]);
    const latent = seq([1, 1, 4]);
    const input = new Map([['visual.trunk.attn_pool.latent', latent], ['visual.head.proj.weight', proj], ['text.token_embedding.weight', seq([5, 2])],
      ['visual.head.mlp.fc1.weight', seq([2, 4])]]);
    const out = mapOpenClipTimmKeys(input);
    expect([...out.keys()].sort()).toEqual(['attn_pool.latent', 'head.bias', 'head.weight', 'visual.head.mlp.fc1.weight']);
    expect(out.get('attn_pool.latent')).toBe(latent);
    expect(out.get('head.weight')).toBe(proj);
    expectClose(out.get('head.bias')!, [0, 0, 0], 0, 'head.bias');
    tf.dispose([...input.values(), ...out.values()]);
  });
});
