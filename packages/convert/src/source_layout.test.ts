import { describe, expect, it } from 'vitest';
import { CheckpointError } from './errors';
import { detectLayout, requireLayout } from './source_layout';

describe('detectLayout', () => {
  it('recognises each source by its key names', () => {
    expect(detectLayout(['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'blocks.0.attn.qkv.weight'])).toBe('timm');
    expect(detectLayout(['class_token', 'conv_proj.weight', 'encoder.layers.encoder_layer_0.ln_1.weight'])).toBe('torchvision');
    expect(detectLayout(['vit.embeddings.patch_embeddings.projection.weight', 'classifier.weight'])).toBe('hf');
    expect(detectLayout(['embeddings.patch_embeddings.projection.weight', 'pooler.dense.weight'])).toBe('hf');
    expect(detectLayout(['embedding/kernel', 'Transformer/encoderblock_0/LayerNorm_0/scale'])).toBe('jax');
    expect(detectLayout(['opt/target/embedding/kernel'])).toBe('jax');
  });

  it('returns null for other architectures, and requireLayout names what it found', () => {
    const resnet = ['conv1.weight', 'bn1.weight', 'layer1.0.conv1.weight', 'fc.weight'];
    expect(detectLayout(resnet)).toBeNull();
    let err: unknown;
    try {
      requireLayout(resnet, (k) => (k === 'conv1.weight' ? [64, 3, 7, 7] : undefined));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).code).toBe('CHECKPOINT_UNKNOWN_ARCH');
    expect((err as Error).message).toContain('conv1.weight [64, 3, 7, 7]');
    expect((err as Error).message).toContain('4 tensors');
  });
});
