// `tfjs-vit info`: a key no source mapper knows is listed under its own name, with its shape, and
// a patch kernel of another size is flagged as one `convert --patch-size` resamples.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readCheckpoint, serializeSafetensors } from '@tfjs-vit/convert';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointInfo, formatInfo } from './info_command';

const fixture = (name: string) => fileURLToPath(new URL(`../../convert/fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tfjs-vit-info-'));

describe('info lists unknown keys with their shapes', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('a JAX checkpoint with keys no mapper knows (inside a block and at the top)', async () => {
    const { tensors } = await readCheckpoint(fixture('mapping_jax.npz'));
    tensors.set('Transformer/encoderblock_1/NewThing/kernel', tf.ones([3, 4]));
    tensors.set('extra_top/bias', tf.ones([2]));
    const path = join(dir, 'jax_extra.safetensors');
    writeFileSync(path, serializeSafetensors(tensors));
    tf.dispose([...tensors.values()]);
    const info = await checkpointInfo(path);
    expect(info.layout).toBe('jax');
    expect([...info.unexpected].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'extra_top/bias', shape: [2] },
      { key: 'Transformer/encoderblock_1/NewThing/kernel', shape: [3, 4] },
    ]);
    const lines = formatInfo(info);
    expect(lines).toContain('keys that fit no model: 2 unexpected, 0 missing, 0 mismatched');
    expect(lines).toContain('  unexpected: Transformer/encoderblock_1/NewThing/kernel [3, 4]');
    expect(lines).toContain('  unexpected: extra_top/bias [2]');
  });

  it('checked against a model of another patch size: the kernel and pos_embed mismatches say convert resamples them', async () => {
    const sd = new Map([['patch_embed.proj.weight', tf.zeros([768, 3, 16, 16])], ['pos_embed', tf.zeros([1, 197, 768])], ['cls_token', tf.zeros([1, 1, 768])]]);
    const path = join(dir, 'b16_part.safetensors');
    writeFileSync(path, serializeSafetensors(sd));
    tf.dispose([...sd.values()]);
    const lines = formatInfo(await checkpointInfo(path, { model: 'vit_base_patch8_224' }));
    expect(lines).toContain('  mismatched: patch_embed.proj.weight: expected [768, 3, 8, 8], got [768, 3, 16, 16] (convert resamples the 16x16 kernel to 8x8: --patch-size)');
    expect(lines).toContain("  mismatched: pos_embed: expected [1, 785, 768], got [1, 197, 768] (convert resamples it to the model's grid)");
  });
});
