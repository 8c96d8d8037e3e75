import * as tf from '@tensorflow/tfjs-core';
import { describeBackends, expectClose } from '@tfjs-vit/testing';
import { expect, it } from 'vitest';
import { checkpointError } from './fixtures.testutil';
import { mapDinov2Keys } from './map_dinov2';
import { readTimmStateDict } from './timm_state_dict';

const seq = (shape: number[], offset = 0) => tf.add(tf.reshape(tf.range(0, shape.reduce((a, b) => a * b)), shape), offset);

describeBackends('mapDinov2Keys', () => {
  it('folds pos_embed row 0 into the class token when there are registers, drops mask_token, renames w12/w3', () => {
    const input = new Map<string, tf.Tensor>([
      ['cls_token', seq([1, 1, 2], 100)],
      ['pos_embed', seq([1, 3, 2])], // [[0, 1], [2, 3], [4, 5]]
      ['register_tokens', seq([1, 4, 2])],
      ['mask_token', seq([1, 2])],
      ['blocks.0.mlp.w12.weight', seq([8, 2])],
      ['blocks.0.mlp.w3.bias', seq([2])],
      ['blocks.0.ls1.gamma', seq([2])],
    ]);
    const out = mapDinov2Keys(input);
    expect([...out.keys()].sort()).toEqual(['blocks.0.ls1.gamma', 'blocks.0.mlp.fc1.weight', 'blocks.0.mlp.fc2.bias', 'cls_token', 'pos_embed', 'reg_token']);
    expectClose(out.get('cls_token')!, [100, 102], 0, 'cls_token + pos_embed[:, 0]');
    expect(out.get('pos_embed')!.shape).toEqual([1, 2, 2]);
    expectClose(out.get('pos_embed')!, [2, 3, 4, 5], 0, 'pos_embed[:, 1:]');
    expect(out.get('reg_token')).toBe(input.get('register_tokens'));
    tf.dispose([...input.values(), ...out.values()]);
  });

  it('without registers the class token and pos_embed stay as they are', () => {
    const input = new Map<string, tf.Tensor>([['cls_token', seq([1, 1, 2])], ['pos_embed', seq([1, 5, 2])], ['mask_token', seq([1, 2])], ['patch_embed.proj.weight', seq([2, 3, 1, 1])]]);
    const out = mapDinov2Keys(input);
    expect([...out.keys()].sort()).toEqual(['cls_token', 'patch_embed.proj.weight', 'pos_embed']);
    expect(out.get('pos_embed')).toBe(input.get('pos_embed'));
    tf.dispose([...input.values()]);
  });

  it('registers without a pos_embed that covers the class token are a CheckpointError naming the shapes', async () => {
    const input = new Map<string, tf.Tensor>([
      ['patch_embed.proj.weight', seq([2, 3, 1, 1])], ['cls_token', seq([1, 1, 2])], ['register_tokens', seq([1, 4, 3])], ['pos_embed', seq([1, 5, 2])],
    ]);
    const err = await checkpointError(() => readTimmStateDict(input), 'CHECKPOINT_ARCH_MISMATCH');
    expect(err.message).toMatch(/DINOv2 with registers: .*got register_tokens \[1, 4, 3\], cls_token \[1, 1, 2\], pos_embed \[1, 5, 2\]/);
    input.delete('pos_embed');
    expect((await checkpointError(() => readTimmStateDict(input))).message).toMatch(/pos_embed missing/);
    tf.dispose([...input.values()]);
  });
});
